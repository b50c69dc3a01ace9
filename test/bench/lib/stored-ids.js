#!/usr/bin/env node
// The ids of the repositories a run stored, read back from its database, as one JSON
// line (an array, ascending): the drift section compares them with the repositories
// the job's queries match. In its own process, like every PGlite the bench opens.
//
//   node test/bench/lib/stored-ids.js DB_DIR
import { openSink } from '../../../js/storage/index.js';

const sink = await openSink({}, { dbDir: process.argv[2] });
const { rows } = await (await sink.database()).query('SELECT id FROM repositories ORDER BY id');
await sink.close();
process.stdout.write(`${JSON.stringify(rows.map((row) => Number(row.id)))}\n`);
