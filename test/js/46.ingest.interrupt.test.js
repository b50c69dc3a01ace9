// Stopping the main job: SIGINT stores what was fetched and exits 130; kill -9 loses at
// most the batch in flight, and the next run completes without duplicates or gaps.
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
let dir;
let databaseUrl;

before(async () => {
  db = await createTestSchema('interrupt');
  databaseUrl = schemaDatabaseUrl(db.schema);
  dir = tempDir();
  fs.writeFileSync(path.join(dir, 'clusters.json'), JSON.stringify({
    min_stars: 0,
    clusters: { web: { quota: 120, queries: ['stars:>=0'] } },
  }));
});
after(() => db?.drop());

// Starts the job and resolves once its stderr shows `pattern`; returns the child.
function startIngest(sim, pattern) {
  const child = spawn(process.execPath, [
    path.join(root, 'ingest-balanced-parallel.js'), `--config=${path.join(dir, 'clusters.json')}`,
    // REST: the details spend the small core quota below, so the run soon waits.
    '--batch-size=10', '--details=readme', '--api=rest',
  ], { cwd: dir, env: cleanEnv({ GITHUB_TOKENS: sim.tokens.join(','), GITHUB_API_URL: sim.url, DATABASE_URL: databaseUrl }) });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const seen = new Promise((resolve) => {
    readline.createInterface({ input: child.stderr }).on('line', (line) => { if (pattern.test(line)) resolve(); });
  });
  return { child, exited, seen };
}

async function storedIds() {
  const { rows } = await db.query('SELECT id FROM repositories ORDER BY id');
  return rows.map((row) => Number(row.id));
}

describe('interrupting node ingest-balanced-parallel.js', { timeout: 120_000 }, () => {
  it('SIGINT stores what was fetched and exits 130; the next run completes the quota', async () => {
    // A small core quota with a long window: the run soon waits for a reset.
    const slow = await startSimulator({ seed: 31, repositories: 400, tokens: 2, badTokens: 0,
      limits: { core: 30, search: 30 }, windows: { core: 600, search: 60 } });
    try {
      const run = startIngest(slow, /all tokens exhausted/);
      await run.seen;
      run.child.kill('SIGINT');
      const { code } = await run.exited;
      assert.equal(code, 130);
      const { rows } = await db.query("SELECT status FROM runs ORDER BY id DESC LIMIT 1");
      assert.equal(rows[0].status, 'interrupted');
      const partial = await storedIds();
      assert.ok(partial.length > 0 && partial.length < 120, `${partial.length} stored`);
    } finally {
      await slow.close();
    }
    const fast = await startSimulator({ seed: 31, repositories: 400, tokens: 2, badTokens: 0 });
    try {
      const result = await nodeAsync([path.join(root, 'ingest-balanced-parallel.js'), `--config=${path.join(dir, 'clusters.json')}`, '--json'], {
        cwd: dir, timeout: 60_000, env: { GITHUB_TOKENS: fast.tokens.join(','), GITHUB_API_URL: fast.url, DATABASE_URL: databaseUrl },
      });
      assert.equal(result.status, 0, result.stderr);
      const ids = await storedIds();
      assert.equal(ids.length, 120);
      assert.equal(new Set(ids).size, 120);
    } finally {
      await fast.close();
    }
  });

  it('kill -9 mid-run, then resume: no duplicates, no gaps', async () => {
    await db.query('TRUNCATE repositories');
    const sim = await startSimulator({ seed: 32, repositories: 400, tokens: 2, badTokens: 0,
      faults: { slow: 1, slowMs: 20 } });
    try {
      const run = startIngest(sim, /new repositories/);
      await run.seen;  // at least 50 stored
      run.child.kill('SIGKILL');
      await run.exited;
      const before = await storedIds();
      assert.ok(before.length >= 50 && before.length < 120, `${before.length} stored`);
      const result = await nodeAsync([path.join(root, 'ingest-balanced-parallel.js'), `--config=${path.join(dir, 'clusters.json')}`, '--json'], {
        cwd: dir, timeout: 120_000, env: { GITHUB_TOKENS: sim.tokens.join(','), GITHUB_API_URL: sim.url, DATABASE_URL: databaseUrl },
      });
      assert.equal(result.status, 0, result.stderr);
      const after = await storedIds();
      assert.equal(after.length, 120);
      assert.equal(new Set(after).size, 120);
      for (const id of before) assert.ok(after.includes(id));
      assert.equal(JSON.parse(result.stdout).clusters.web.added, 120 - before.length);
    } finally {
      await sim.close();
    }
  });
});
