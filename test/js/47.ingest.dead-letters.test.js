// Storage that fails mid-run: the batch goes to ./data/dead-letters.ndjson with its
// error, the run stops with exit 1 naming the file, and the next run stores it first.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { after, before, describe, it } from 'node:test';

import { startSimulator } from '../simulator/index.js';
import { cleanEnv, nodeAsync, root, tempDir } from '../support/helpers.js';
import { createTestSchema, schemaDatabaseUrl } from '../support/test-database.js';

let db;
let sim;
let dir;
let env;

before(async () => {
  db = await createTestSchema('deadletters');
  sim = await startSimulator({ seed: 41, repositories: 400, tokens: 2, badTokens: 0, faults: { slow: 1, slowMs: 10 } });
  dir = tempDir();
  fs.writeFileSync(path.join(dir, 'clusters.json'), JSON.stringify({
    min_stars: 0, clusters: { web: { quota: 150, queries: ['stars:>=0'] } },
  }));
  env = { GITHUB_TOKENS: sim.tokens.join(','), GITHUB_API_URL: sim.url, DATABASE_URL: schemaDatabaseUrl(db.schema) };
});
after(async () => {
  await db?.drop();
  await sim?.close();
});

const args = () => [path.join(root, 'ingest-balanced-parallel.js'), `--config=${path.join(dir, 'clusters.json')}`,
  '--batch-size=10', '--details=readme'];

describe('dead letters', () => {
  it('a batch the database refuses is kept, the run stops, the next run stores it first', async () => {
    const child = spawn(process.execPath, args(), { cwd: dir, env: cleanEnv(env) });
    let stderr = '';
    const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    await new Promise((resolve) => {
      readline.createInterface({ input: child.stderr }).on('line', (line) => {
        stderr += `${line}\n`;
        if (/new repositories/.test(line)) resolve();
      });
    });
    // The database starts refusing every write (as a full disk or a revoked grant would).
    await db.query('ALTER TABLE repositories ADD CONSTRAINT refuse_all CHECK (false) NOT VALID');
    const code = await exited;
    assert.equal(code, 1, stderr);
    assert.match(stderr, /storage failed .*dead-letters\.ndjson/);
    const file = path.join(dir, 'data', 'dead-letters.ndjson');
    const letters = fs.readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    assert.ok(letters.length >= 1);
    assert.match(letters[0].error, /refuse_all/);
    const lettered = letters.flatMap((letter) => letter.rows.map((row) => row.id));
    const storedBefore = (await db.query('SELECT id FROM repositories')).rows.map((row) => Number(row.id));
    for (const id of lettered) assert.ok(!storedBefore.includes(id), 'a dead-lettered row was also stored');

    await db.query('ALTER TABLE repositories DROP CONSTRAINT refuse_all');
    const again = await nodeAsync([...args(), '--json'], { cwd: dir, env, timeout: 120_000 });
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stderr, /stored \d+ repositories from data\/dead-letters\.ndjson/);
    assert.ok(!fs.existsSync(file), 'the dead letters were not cleared');
    const stored = (await db.query('SELECT id FROM repositories')).rows.map((row) => Number(row.id));
    for (const id of lettered) assert.ok(stored.includes(id), `dead-lettered ${id} was not stored`);
    assert.equal(stored.length, 150);
    assert.equal(new Set(stored).size, 150);
  });
});
