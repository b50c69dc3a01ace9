#!/usr/bin/env node
// The sink's share of the CPU per repository: the rows a pipeline stored (read back from
// its database) upserted again into an empty copy of the template database, in batches
// of 100 with three ETags per repository as the ingest saves them. Only the writes are
// timed (process.cpuUsage around them), so opening PGlite is not counted.
//
//   node test/bench/lib/sink-cost.js --from=DB_DIR --to=DB_DIR
import { parseArgs } from 'node:util';

import { chunks } from '../../../js/storage/columns.js';
import { openSink } from '../../../js/storage/index.js';

const { values } = parseArgs({ options: { from: { type: 'string' }, to: { type: 'string' } }, strict: true });

const source = await openSink({}, { dbDir: values.from });
const { rows } = await (await source.database()).query('SELECT * FROM repositories ORDER BY id');
await source.close();

const sink = await openSink({}, { dbDir: values.to });
await sink.check();
await sink.ensureSchema();
const wallStart = performance.now();
const cpuStart = process.cpuUsage();
for (const batch of chunks(rows, 100)) {
  await sink.upsertRepositories(batch);
  await sink.saveEtags(batch.flatMap((row) => ['languages', 'readme', 'community']
    .map((endpoint) => ({ repository_id: row.id, endpoint, etag: `W/"${row.id}-${endpoint}"` }))));
}
const cpu = process.cpuUsage(cpuStart);
const wallS = (performance.now() - wallStart) / 1000;
await sink.close();
process.stdout.write(`${JSON.stringify({ rows: rows.length, cpuS: (cpu.user + cpu.system) / 1e6, wallS })}\n`);
