// --refresh re-checks every stored repository of the selected clusters by id with its
// stored ETag: unchanged ones answer 304 (free) and only get the time-dependent rules
// applied again; changed ones are stored anew with their details; gone ones are kept and
// counted; quotas already met send no search at all.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { startSimulator } from '../simulator/index.js';
import { nodeAsync, root, tempDir } from '../support/helpers.js';
import { createTestSchema, schemaDatabaseUrl } from '../support/test-database.js';

let sim;
let dir;
let db;

before(async () => {
  sim = await startSimulator({ seed: 46, repositories: 3000, tokens: 4, badTokens: 0 });
  db = await createTestSchema('refresh');
  dir = tempDir();
  fs.writeFileSync(path.join(dir, 'clusters.json'), JSON.stringify({
    min_stars: 0,
    clusters: {
      ai_ml: { quota: 60, queries: ['topic:machine-learning', 'topic:llm'] },
      web: { quota: 40, queries: ['topic:react'] },
    },
  }));
});
after(async () => {
  await db?.drop();
  await sim?.close();
});

async function ingest(...args) {
  const result = await nodeAsync([path.join(root, 'ingest-balanced-parallel.js'), `--config=${path.join(dir, 'clusters.json')}`,
    '--workers=2', '--json', ...args], {
    cwd: dir,
    timeout: 120_000,
    env: { GITHUB_TOKENS: sim.tokens.join(','), GITHUB_API_URL: sim.url, DATABASE_URL: schemaDatabaseUrl(db.schema) },
  });
  assert.equal(result.status, 0, result.stderr);
  for (const token of sim.tokens) {
    assert.ok(!result.stdout.includes(token) && !result.stderr.includes(token), 'a token in the output');
  }
  return JSON.parse(result.stdout);
}

async function storedRows() {
  const { rows } = await db.query('SELECT * FROM repositories ORDER BY id');
  return new Map(rows.map((row) => [Number(row.id), row]));
}

const withoutTimes = ({ ingested_at, refreshed_at, ...row }) => row;

describe('node ingest-balanced-parallel.js --refresh', () => {
  it('re-checks every stored repository: 304s are free, changes are stored, gone ones kept', async () => {
    await ingest('--api=rest');
    const first = await storedRows();
    assert.equal(first.size, 100);
    const plan = await ingest('--refresh', '--dry-run');
    assert.equal(plan.refresh, 100, 'a dry run says how many would be re-checked');

    // No repository ETag stored yet: every stored repository is asked in full once, and
    // nothing about them changed.
    const initial = await ingest('--refresh', '--api=rest');
    assert.deepEqual(initial.refresh, { changed: 100, unchanged: 0, gone: 0, failed: 0 });
    assert.equal(initial.requests.search, 0, 'quotas are met: no search');
    assert.equal(initial.clusters.ai_ml.added, 0);
    const second = await storedRows();
    for (const [id, row] of first) {
      // The repository's own answer carries subscribers_count, which the search had not.
      assert.equal(row.watchers, null);
      assert.equal(second.get(id).watchers, sim.corpus.byId.get(id).subscribers);
      assert.deepEqual(withoutTimes({ ...second.get(id), watchers: null }), withoutTimes(row), `row ${row.full_name}`);
      assert.deepEqual(second.get(id).ingested_at, row.ingested_at);
      assert.ok(second.get(id).refreshed_at > row.refreshed_at);
    }
    const { rows: [{ n }] } = await db.query("SELECT count(*)::int AS n FROM repository_etags WHERE endpoint = 'repository'");
    assert.equal(n, 100);

    // A few repositories disappear, three others change on GitHub.
    const ids = [...first.keys()];
    sim.setFaults({ gone: 0.05 });
    const gone = [];
    for (const id of ids) {
      const reply = await fetch(`${sim.url}/repositories/${id}`, { headers: { authorization: `Bearer ${sim.tokens[0]}` } });
      await reply.arrayBuffer();
      if (reply.status === 404 || reply.status === 451) gone.push(id);
    }
    assert.ok(gone.length > 0, 'some repositories are gone');
    const changed = ids.filter((id) => !gone.includes(id)).slice(0, 3).map((id) => sim.corpus.byId.get(id));
    for (const repo of changed) sim.corpus.update(repo.fullName, { stars: repo.stars + 1000, description: `now ${repo.description ?? ''}` });
    sim.resetLimits();
    sim.resetStats();

    const summary = await ingest('--refresh', '--api=rest');
    assert.deepEqual(summary.refresh, { changed: 3, unchanged: 97 - gone.length, gone: gone.length, failed: 0 });
    assert.equal(summary.requests.search, 0);
    // One conditional request per stored repository, free unless it changed; the changed
    // ones' languages answer 304 too; their README and community profile are asked again.
    assert.equal(summary.requests.not_modified, 97 - gone.length + 3);
    // (plus GET /user per token at the start)
    assert.ok(summary.requests.core <= 100 + 3 * 3 + sim.tokens.length, `${summary.requests.core} core requests`);

    const third = await storedRows();
    assert.equal(third.size, 100, 'gone repositories are kept');
    for (const repo of changed) {
      const row = third.get(repo.id);
      assert.equal(row.stars, repo.stars);
      assert.equal(row.description, repo.description);
      assert.deepEqual(row.languages, second.get(repo.id).languages);
      assert.deepEqual(row.clusters, second.get(repo.id).clusters);
    }
    for (const id of ids.filter((id) => !changed.some((repo) => repo.id === id))) {
      const row = third.get(id);
      assert.deepEqual(withoutTimes(row), withoutTimes(second.get(id)), `row ${row.full_name}`);
      if (!gone.includes(id)) assert.ok(row.refreshed_at > second.get(id).refreshed_at);
    }
  });

  it('through GraphQL: 100 stored repositories re-read in one query, the changed one\'s details in another, no REST', async () => {
    sim.setFaults({});
    const before = await storedRows();
    const [id] = before.keys();
    const repo = sim.corpus.byId.get(id);
    sim.corpus.update(repo.fullName, { stars: repo.stars + 7 });
    sim.resetStats();
    const summary = await ingest('--refresh');
    assert.deepEqual(summary.refresh, { changed: 1, unchanged: 99, gone: 0, failed: 0 });
    assert.equal(summary.requests.graphql, 2);
    const stats = sim.stats();
    console.log(JSON.stringify(stats.byKind));
    const row = (await storedRows()).get(id);
    assert.equal(row.stars, repo.stars);
    assert.equal(row.watchers, repo.subscribers);
  });

  it('never writes a token to the database', async () => {
    for (const table of ['repositories', 'runs', 'repository_etags']) {
      const { rows } = await db.query(`SELECT t::text AS text FROM ${table} t`);
      const dump = rows.map((row) => row.text).join('\n');
      assert.ok(dump.length > 0, table);
      for (const token of sim.tokens) assert.ok(!dump.includes(token), `a token in ${table}`);
    }
  });
});
