// Exit 0 means complete: node ingest-balanced-parallel.js against a simulator with two
// repositories GitHub cannot serve on either API, into the real PostgreSQL. The run
// stores their batch-mates, exits 3 naming what is pending, and the next run fetches
// them first and exits 0; a run killed with kill -9 while they are pending loses nothing.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { startSimulator } from '../simulator/index.js';
import { compileQuery } from '../simulator/search-query.js';
import { cleanEnv, nodeAsync, root, tempDir } from '../support/helpers.js';
import { createTestSchema, schemaDatabaseUrl } from '../support/test-database.js';

const QUERY = 'stars:>=0';

let sim;
let db;
let dir;
let databaseUrl;
let matching;
let broken;

before(async () => {
  sim = await startSimulator({ seed: 45, repositories: 300, tokens: 2, badTokens: 0 });
  const { match } = compileQuery(QUERY);
  matching = sim.corpus.repositories.filter((repo) => match(repo)).map((repo) => repo.id).sort((a, b) => a - b);
  broken = [matching[3], matching[40]];
  db = await createTestSchema('pending');
  databaseUrl = schemaDatabaseUrl(db.schema);
  dir = tempDir();
  fs.writeFileSync(path.join(dir, 'clusters.json'), JSON.stringify({
    min_stars: 0,
    clusters: { everything: { quota: 1000, queries: [QUERY] } },
  }));
});
after(async () => {
  await db?.drop();
  await sim?.close();
});

function args(extra = []) {
  return [path.join(root, 'ingest-balanced-parallel.js'), `--config=${path.join(dir, 'clusters.json')}`, ...extra];
}

function env() {
  return { GITHUB_TOKENS: sim.tokens.join(','), GITHUB_API_URL: sim.url, DATABASE_URL: databaseUrl };
}

function ingest(extra) {
  return nodeAsync(args(extra), { cwd: dir, timeout: 120_000, env: env() });
}

async function storedIds() {
  const { rows } = await db.query('SELECT id FROM repositories ORDER BY id');
  return rows.map((row) => Number(row.id));
}

async function pendingIds() {
  const { rows } = await db.query('SELECT id FROM pending ORDER BY id');
  return rows.map((row) => Number(row.id));
}

function lastLine(text) {
  return text.trim().split('\n').at(-1);
}

describe('a run that cannot fetch everything', () => {
  it('stores the batch-mates, exits 3 and names what is pending', async () => {
    sim.setFaults({ broken });
    const result = await ingest(['--json']);
    assert.equal(result.status, 3, result.stderr);
    const summary = JSON.parse(result.stdout);
    assert.equal(summary.pending, 2);
    assert.equal(summary.repos_written, matching.length - 2);
    assert.match(lastLine(result.stderr),
      /^finished incomplete: 2 repositories could not be fetched; they are fetched first on the next run/);
    assert.doesNotMatch(result.stderr, /ran dry/);
    assert.doesNotMatch(result.stderr, /answered 0\b/);
    assert.deepEqual(await storedIds(), matching.filter((id) => !broken.includes(id)));
    assert.deepEqual(await pendingIds(), broken);

    const status = await nodeAsync([path.join(root, 'check-status.js'), '--json', `--config=${path.join(dir, 'clusters.json')}`],
      { cwd: dir, env: env() });
    assert.equal(status.status, 0, status.stderr);
    assert.equal(JSON.parse(status.stdout).total.pending, 2);
  });

  it('a run killed with kill -9 while repositories are pending loses nothing', async () => {
    // GitHub serves them again, slowly: the run is killed while it fetches them.
    sim.setFaults({});
    sim.queueFault({ path: /^\/repositories\/\d+/, kind: 'slow', ms: 30_000, count: 2 });
    // Killed once both pending repositories were asked for by id (the first thing the run
    // does), while their answers are on the way.
    const asked = new Set();
    let bothAsked;
    const askedBoth = new Promise((resolve) => { bothAsked = resolve; });
    const onRequest = (req) => {
      const id = /^\/repositories\/(\d+)/.exec(req.url)?.[1];
      if (id) asked.add(Number(id));
      if (broken.every((b) => asked.has(b))) bothAsked();
    };
    sim.server.on('request', onRequest);
    const child = spawn(process.execPath, args(), { cwd: dir, env: cleanEnv(env()) });
    const exited = new Promise((resolve) => child.on('close', (code, signal) => resolve(signal)));
    try {
      await Promise.race([askedBoth, exited]);
    } finally {
      sim.server.off('request', onRequest);
    }
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');
    assert.deepEqual(await pendingIds(), broken);
  });

  it('the next run fetches them first and exits 0', async () => {
    sim.setFaults({});
    const result = await ingest(['--json']);
    assert.equal(result.status, 0, result.stderr);
    const summary = JSON.parse(result.stdout);
    assert.equal(summary.pending, 0);
    assert.equal(summary.repos_written, 2);
    assert.deepEqual(await storedIds(), matching);
    assert.deepEqual(await pendingIds(), []);
    const { rows } = await db.query('SELECT languages FROM repositories WHERE id = ANY($1)', [broken]);
    assert.ok(rows.every((row) => row.languages && typeof row.languages === 'object'));
  });
});

describe('a search that fails after retries', () => {
  let searchDb;
  let searchDir;

  before(async () => {
    searchDb = await createTestSchema('pending_search');
    searchDir = tempDir();
    fs.writeFileSync(path.join(searchDir, 'clusters.json'), JSON.stringify({
      min_stars: 0,
      clusters: { web: { quota: 1000, queries: ['topic:react'] } },
    }));
  });
  after(async () => {
    await searchDb?.drop();
  });

  function run() {
    return nodeAsync([path.join(root, 'ingest-balanced-parallel.js'), `--config=${path.join(searchDir, 'clusters.json')}`, '--json'], {
      cwd: searchDir,
      timeout: 120_000,
      env: { GITHUB_TOKENS: sim.tokens.join(','), GITHUB_API_URL: sim.url, DATABASE_URL: schemaDatabaseUrl(searchDb.schema) },
    });
  }

  it('is pending work, said in words, and searched again by the next run', async () => {
    sim.setFaults({});
    // Every try of the query's first page: GitHub's gateway timing out.
    sim.queueFault({ path: '/search/repositories', kind: '502json', count: 50 });
    const failed = await run();
    assert.equal(failed.status, 3, failed.stderr);
    assert.equal(JSON.parse(failed.stdout).pending, 1);
    assert.match(failed.stderr, /topic:react/);
    assert.match(failed.stderr, /GitHub answered 502/);
    assert.doesNotMatch(failed.stderr, /ran dry|answered 0\b|could not be planned/);
    const { rows } = await searchDb.query('SELECT cluster, query FROM pending_searches');
    assert.deepEqual(rows, [{ cluster: 'web', query: 'topic:react' }]);

    sim.setFaults({});
    const again = await run();
    assert.equal(again.status, 0, again.stderr);
    const summary = JSON.parse(again.stdout);
    assert.equal(summary.pending, 0);
    const { match } = compileQuery('topic:react');
    assert.equal(summary.repos_written, sim.corpus.repositories.filter((repo) => match(repo)).length);
    assert.equal((await searchDb.query('SELECT * FROM pending_searches')).rows.length, 0);
  });
});
