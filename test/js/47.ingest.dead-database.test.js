// The dead-letter message survives a dead database: PostgreSQL goes away mid-run (a TCP
// proxy in front of the test database, closed after the first stored batch). The batches
// go to ./data/dead-letters.ndjson, recording the run's end and its pending work fail too,
// and still the last line names the dead letters (exit 1); the failures to record are
// warnings before it. The next run, against a live database, stores every dead letter.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';

import { startSimulator } from '../simulator/index.js';
import { cleanEnv, nodeAsync, root, tempDir } from '../support/helpers.js';
import { createTestSchema, schemaDatabaseUrl } from '../support/test-database.js';
import { schemaSql } from '../../js/storage/schema.js';

const QUOTA = 300;

/** A TCP proxy to host:port; kill() closes it and every connection through it. */
async function startProxy({ host, port }) {
  const sockets = new Set();
  const server = net.createServer((client) => {
    const upstream = net.connect(port, host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => { client.destroy(); upstream.destroy(); });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    async kill() {
      const closed = new Promise((resolve) => server.close(resolve));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

let db;
let sim;
let proxy;
let dir;

before(async () => {
  db = await createTestSchema('deaddb');
  await db.query(await schemaSql());   // so that the test can watch the table fill from the start
  sim = await startSimulator({ seed: 43, repositories: 800, tokens: 2, badTokens: 0, faults: { slow: 1, slowMs: 10 } });
  dir = tempDir();
  fs.writeFileSync(path.join(dir, 'clusters.json'), JSON.stringify({
    min_stars: 0, clusters: { web: { quota: QUOTA, queries: ['stars:>=0'] } },
  }));
});
after(async () => {
  await proxy?.kill();
  await db?.drop();
  await sim?.close();
});

const args = () => [path.join(root, 'ingest-balanced-parallel.js'), `--config=${path.join(dir, 'clusters.json')}`,
  '--batch-size=10', '--details=readme'];
const storedCount = async () => (await db.query('SELECT count(*)::int AS n FROM repositories')).rows[0].n;

describe('a database that dies mid-run', { timeout: 180_000 }, () => {
  it('ends with the dead letters named last (exit 1), and the next run stores every dead letter', async () => {
    const direct = new URL(schemaDatabaseUrl(db.schema));
    proxy = await startProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
    const throughProxy = new URL(direct);
    throughProxy.host = `127.0.0.1:${proxy.port}`;
    const env = { GITHUB_TOKENS: sim.tokens.join(','), GITHUB_API_URL: sim.url };

    const child = spawn(process.execPath, args(), { cwd: dir, env: cleanEnv({ ...env, DATABASE_URL: throughProxy.href }) });
    let stderr = '';
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    // The first batch stored: the database goes away (connections dropped, port closed).
    while (await storedCount() === 0) await sleep(10);
    await proxy.kill();
    const code = await exited;

    assert.equal(code, 1, stderr);
    const lines = stderr.trimEnd().split('\n');
    assert.match(lines.at(-1),
      /^ingest-balanced-parallel: storage failed \(.+\); what could not be stored was saved to data\/dead-letters\.ndjson and is stored first on the next run$/);
    // Recording the run's end failed too: said before, as a warning, not instead.
    assert.ok(lines.slice(0, -1).some((line) => /^warning: could not record the end of the run: /.test(line)), stderr);
    assert.ok(!lines.some((line) => /^\s+at /.test(line)), `a stack trace was printed:\n${stderr}`);
    assert.ok(!stderr.includes('gh_ingest:gh_ingest'), 'the password was printed');
    const { rows: [run] } = await db.query('SELECT status FROM runs ORDER BY id DESC LIMIT 1');
    assert.equal(run.status, 'running', 'the run\'s end could not be recorded');

    const file = path.join(dir, 'data', 'dead-letters.ndjson');
    const letters = fs.readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    const lettered = letters.flatMap((letter) => letter.rows.map((row) => row.id));
    assert.ok(lettered.length >= 10, `${lettered.length} repositories dead-lettered`);
    assert.ok(await storedCount() < QUOTA, 'the run stopped when storage failed');

    const again = await nodeAsync([...args(), '--json'], { cwd: dir, env: { ...env, DATABASE_URL: direct.href }, timeout: 120_000 });
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stderr, /stored \d+ repositories from data\/dead-letters\.ndjson/);
    assert.ok(!fs.existsSync(file), 'the dead letters were not cleared');
    const stored = (await db.query('SELECT id FROM repositories')).rows.map((row) => Number(row.id));
    const storedSet = new Set(stored);
    for (const id of lettered) assert.ok(storedSet.has(id), `dead-lettered ${id} was not stored`);
    assert.equal(stored.length, QUOTA);
    assert.equal(storedSet.size, QUOTA);
    assert.equal(JSON.parse(again.stdout).pending, 0);
  });
});
