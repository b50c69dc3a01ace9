// The main job end to end: node ingest-balanced-parallel.js against the simulator, into
// the real PostgreSQL (a schema of its own) — balanced clusters, enriched rows equal to
// GitHub's data, a second run with nothing to do, storage checked before GitHub.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { startSimulator } from '../simulator/index.js';
import { nodeAsync, root, tempDir } from '../support/helpers.js';
import { createTestSchema, schemaDatabaseUrl } from '../support/test-database.js';

let sim;
let db;
let dir;
let databaseUrl;

before(async () => {
  sim = await startSimulator({ seed: 21, repositories: 3000, tokens: 4, badTokens: 0 });
  db = await createTestSchema('ingest');
  databaseUrl = schemaDatabaseUrl(db.schema);
  dir = tempDir();
  fs.writeFileSync(path.join(dir, 'clusters.json'), JSON.stringify({
    min_stars: 0,
    clusters: {
      ai_ml: { quota: 40, queries: ['topic:machine-learning', 'topic:llm'] },
      web: { quota: 30, queries: ['topic:react'] },
    },
  }));
});
after(async () => {
  await db?.drop();
  await sim?.close();
});

function ingest(args, env = {}) {
  return nodeAsync([path.join(root, 'ingest-balanced-parallel.js'), `--config=${path.join(dir, 'clusters.json')}`, ...args], {
    cwd: dir,
    timeout: 120_000,
    env: { GITHUB_TOKENS: sim.tokens.join(','), GITHUB_API_URL: sim.url, DATABASE_URL: databaseUrl, ...env },
  });
}

describe('node ingest-balanced-parallel.js', () => {
  it('--limit shares the total between clusters by quota and stores enriched rows', async () => {
    const result = await ingest(['--limit=35', '--json', '--details=languages,readme']);
    assert.equal(result.status, 0, result.stderr);
    const summary = JSON.parse(result.stdout);
    assert.equal(summary.repos_written, 35);
    assert.equal(summary.clusters.ai_ml.added, 20);  // 35 shared 40:30
    assert.equal(summary.clusters.web.added, 15);
    assert.ok(summary.requests.search > 0);
    assert.ok(summary.requests.core > 0);
    assert.equal(summary.tokens.length, 4);
    assert.ok(!result.stdout.includes(sim.tokens[0]), 'a whole token was printed');
    const { rows } = await db.query('SELECT * FROM repositories ORDER BY id');
    assert.equal(rows.length, 35);
    for (const row of rows) {
      const truth = sim.corpus.byId.get(Number(row.id));
      assert.equal(row.full_name, truth.fullName);
      assert.equal(row.stars, truth.stars);
      assert.deepEqual(row.topics, truth.topics);
      assert.ok(Array.isArray(row.tech_stack));
      assert.ok(['active', 'maintained', 'stale', 'abandoned', null].includes(row.activity));
      assert.ok(row.languages && typeof row.languages === 'object');
      assert.deepEqual(row.clusters, [row.cluster]);
    }
    assert.equal(sim.stats().wasted, 0);
  });

  it('a second run fetches only what is missing, then nothing at all', async () => {
    const first = await ingest(['--json', '--details=none']);
    assert.equal(first.status, 0, first.stderr);
    const summary = JSON.parse(first.stdout);
    const { rows } = await db.query('SELECT cluster, count(*)::int AS n FROM repositories GROUP BY cluster ORDER BY cluster');
    assert.deepEqual(rows, [{ cluster: 'ai_ml', n: summary.clusters.ai_ml.stored }, { cluster: 'web', n: summary.clusters.web.stored }]);
    assert.ok(summary.clusters.ai_ml.stored <= 40 && summary.clusters.web.stored <= 30);

    const before = sim.stats().requests;
    const again = await ingest(['--json']);
    assert.equal(again.status, 0, again.stderr);
    const nothing = JSON.parse(again.stdout);
    if (summary.clusters.ai_ml.stored === 40 && summary.clusters.web.stored === 30) {
      assert.equal(nothing.repos_written, 0);
      assert.equal(sim.stats().requests, before, 'quotas met: GitHub was not asked anything');
    }
    const count = await db.query('SELECT count(*)::int AS n, count(DISTINCT id)::int AS d FROM repositories');
    assert.equal(count.rows[0].n, count.rows[0].d);
  });

  it('storage that is down fails before any GitHub request, in one line', async () => {
    const before = sim.stats().requests;
    const result = await ingest([], { DATABASE_URL: 'postgres://gh_ingest:secret@127.0.0.1:9/none' });
    assert.equal(result.status, 1);
    assert.match(result.stderr.trim(), /^ingest-balanced-parallel: storage unreachable/);
    assert.equal(result.stderr.trim().split('\n').length, 1);
    assert.ok(!result.stderr.includes('secret'));
    assert.equal(sim.stats().requests, before);
  });

  it('an unreachable GitHub fails in one line after retries, exit 1', async () => {
    // A cluster that still needs repositories, so GitHub must be asked.
    fs.writeFileSync(path.join(dir, 'more.json'), JSON.stringify({ clusters: { more: { quota: 10, queries: ['topic:rust'] } } }));
    const result = await nodeAsync([path.join(root, 'ingest-balanced-parallel.js'), `--config=${path.join(dir, 'more.json')}`], {
      cwd: dir, timeout: 120_000,
      env: { GITHUB_TOKENS: sim.tokens.join(','), GITHUB_API_URL: 'http://127.0.0.1:9', DATABASE_URL: databaseUrl },
    });
    assert.equal(result.status, 1);
    const lines = result.stderr.trim().split('\n');
    assert.equal(lines.length, 1, result.stderr);
    assert.match(lines[0], /^ingest-balanced-parallel: GitHub unreachable at http:\/\/127\.0\.0\.1:9 after retries/);
  });

  it('usage errors exit 2, a missing token exits 1 pointing to the demo', async () => {
    const unknown = await ingest(['--cluster=nope']);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /nope/);
    const noToken = await ingest([], { GITHUB_TOKENS: '' });
    assert.equal(noToken.status, 1);
    assert.match(noToken.stderr, /npm run demo/);
  });
});
