// `node check-status.js` as a user runs it: a child process with no GitHub token,
// against an embedded database filled through the same sink the ingest job uses.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { before, describe, it } from 'node:test';

import { openPgliteSink } from '../../js/storage/sink-pglite.js';
import { node, root, tempDir } from '../support/helpers.js';
import { makeRepository } from '../support/repositories.js';

const SCRIPT = path.join(root, 'check-status.js');
// Storage comes from these; the machine running the tests may set them.
const NO_REMOTE_STORAGE = { DATABASE_URL: '', SUPABASE_URL: '', SUPABASE_SERVICE_ROLE_KEY: '' };

function checkStatus(args, env = {}) {
  return node([SCRIPT, ...args], { env: { ...NO_REMOTE_STORAGE, ...env }, cwd: tempDir() });
}

function assertOneLineError(result, pattern) {
  assert.equal(result.status, 1, result.stderr);
  assert.equal(result.stdout, '');
  const lines = result.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0], pattern);
}

async function closedPort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('node check-status.js against the embedded database', () => {
  const dbDir = tempDir();
  const configPath = path.join(tempDir(), 'clusters.json');

  before(async () => {
    fs.writeFileSync(configPath, JSON.stringify({
      min_stars: 10,
      clusters: {
        web: { quota: 4, queries: ['topic:react'] },
        ai_ml: { quota: 10, queries: ['topic:llm'] },
        data: { quota: 6, queries: ['topic:etl'] },
      },
    }));
    const sink = openPgliteSink({ dbDir });
    try {
      await sink.ensureSchema();
      const clusters = ['web', 'web', 'web', 'ai_ml', 'legacy'];
      await sink.upsertRepositories(clusters.map((cluster, i) => makeRepository(i, { cluster, clusters: [cluster] })));
      const first = await sink.recordRun({ limit: 2 });
      await sink.finishRun(first, { status: 'failed', summary: { repos_written: 1 } });
      const last = await sink.recordRun({ limit: 5 });
      await sink.finishRun(last, { status: 'incomplete', summary: { repos_written: 4, pending: 4, elapsed_s: 1.5 } });
      // Left pending by that run: two web repositories (one stored since, so done), a
      // web search range, one of a cluster the file no longer has.
      const failed = (id, cluster) => ({ id, cluster, clusters: [cluster], attempts: 2, lastError: 'HTTP 502' });
      await sink.savePending({
        repositories: [failed(1000, 'web'), failed(7_000_001, 'web'), failed(7_000_002, 'web')],
        searches: [{ cluster: 'web', query: 'topic:react', range: 'created:2020-01-01..2020-06-30', attempts: 1, lastError: 'HTTP 502' }],
      }, { clusters: ['web'] });
      await sink.savePending({ repositories: [failed(7_000_003, 'retired')], searches: [] }, { clusters: ['retired'] });
    } finally {
      await sink.close();
    }
  });

  it('--json: stored vs quota per cluster, totals, the last run and the storage', () => {
    const result = checkStatus(['--json', `--config=${configPath}`, `--db-dir=${dbDir}`]);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stderr, '');
    const status = JSON.parse(result.stdout);
    assert.deepEqual(status.clusters, {
      web: { quota: 4, stored: 3, pending: 3 },
      ai_ml: { quota: 10, stored: 1, pending: 0 },
      data: { quota: 6, stored: 0, pending: 0 },
      legacy: { quota: null, stored: 1, pending: 0 },
      retired: { quota: null, stored: 0, pending: 1 },
    });
    assert.deepEqual(Object.keys(status.clusters), ['web', 'ai_ml', 'data', 'legacy', 'retired']);
    assert.deepEqual(status.total, { quota: 20, stored: 4, pending: 3 });
    assert.deepEqual(status.pending, { repositories: 3, searches: 1 });
    assert.equal(status.last_run.status, 'incomplete');
    assert.equal(status.last_run.repos_written, 4);
    assert.equal(status.last_run.pending, 4);
    assert.ok(!Number.isNaN(Date.parse(status.last_run.started_at)));
    assert.ok(!Number.isNaN(Date.parse(status.last_run.finished_at)));
    assert.equal(status.storage, `embedded PostgreSQL at ${path.join(dbDir, 'pglite')}`);
    assert.equal(result.stdout.trimEnd().split('\n').length, 1);
  });

  it('the table: one line per cluster with its percentage, the total and the last run', () => {
    const result = checkStatus([`--config=${configPath}`, `--db-dir=${dbDir}`]);
    assert.equal(result.status, 0, result.stderr);
    const { stdout } = result;
    assert.match(stdout, /^ {2}cluster\s+stored\s+quota\s+pending\s+filled$/m);
    assert.match(stdout, /^ {2}web\s+3\s+4\s+3\s+75\.0%$/m);
    assert.match(stdout, /^ {2}ai_ml\s+1\s+10\s+0\s+10\.0%$/m);
    assert.match(stdout, /^ {2}data\s+0\s+6\s+0\s+0\.0%$/m);
    assert.match(stdout, /^ {2}legacy\s+1\s+-\s+0\s+not in the clusters file$/m);
    assert.match(stdout, /^ {2}retired\s+0\s+-\s+1\s+not in the clusters file$/m);
    assert.match(stdout, /^ {2}total\s+4\s+20\s+3\s+20\.0%$/m);
    assert.match(stdout, /^Pending: 3 repositories could not be fetched and 1 search range could not be searched; the next ingest run does them first\.$/m);
    assert.match(stdout, /^Last run: #\d+ incomplete, started \S+, finished \S+; 4 repositories written, 4 pending\.$/m);
    assert.ok(stdout.includes(path.join(dbDir, 'pglite')), stdout);
  });

  it('a fresh database: the default clusters, nothing stored, no run yet', () => {
    const result = checkStatus(['--json', `--db-dir=${tempDir()}`]);
    assert.equal(result.status, 0, result.stderr);
    const status = JSON.parse(result.stdout);
    assert.equal(Object.keys(status.clusters).length, 8);
    assert.deepEqual(status.total, { quota: 20_000, stored: 0, pending: 0 });
    assert.deepEqual(status.pending, { repositories: 0, searches: 0 });
    assert.equal(status.last_run, null);
  });

  it('nothing pending: the table has no pending column and no pending line', async () => {
    const dir = tempDir();
    const sink = openPgliteSink({ dbDir: dir });
    try {
      await sink.ensureSchema();
      await sink.upsertRepositories([makeRepository(1, { cluster: 'web', clusters: ['web'] })]);
    } finally {
      await sink.close();
    }
    const result = checkStatus([`--config=${configPath}`, `--db-dir=${dir}`]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^ {2}cluster\s+stored\s+quota\s+filled$/m);
    assert.match(result.stdout, /^ {2}web\s+1\s+4\s+25\.0%$/m);
    assert.doesNotMatch(result.stdout, /pending/i);
  });
});

describe('node check-status.js failing', () => {
  it('storage unreachable (DATABASE_URL on a closed port): one line, exit 1', async () => {
    const port = await closedPort();
    const result = checkStatus(['--json'], { DATABASE_URL: `postgres://gh:secret@127.0.0.1:${port}/gh` });
    assertOneLineError(result, /^check-status: storage unreachable/);
    assert.ok(!result.stderr.includes('secret'), result.stderr);
  });

  it('a missing clusters file: one line naming it, exit 1, before any storage is opened', () => {
    const missing = path.join(tempDir(), 'nope.json');
    const result = checkStatus(['--json', `--config=${missing}`], { DATABASE_URL: 'postgres://gh@127.0.0.1:1/gh' });
    assertOneLineError(result, new RegExp(`^check-status: clusters file ${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: cannot read it`));
  });

  it('a malformed clusters file: one line, exit 1', () => {
    const file = path.join(tempDir(), 'bad.json');
    fs.writeFileSync(file, '{"clusters": {"web": {"quota": 1,}}}');
    assertOneLineError(checkStatus([`--config=${file}`]), /^check-status: clusters file .*bad\.json: not valid JSON/);
  });
});
