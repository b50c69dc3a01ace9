// The `clusters` column lists every cluster whose searches found a repository (also
// when another cluster found it after its row was written, or in a later run), and
// --dry-run plans without writing anything, not even the schema.
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

before(async () => {
  sim = await startSimulator({ seed: 49, repositories: 2000, tokens: 3, badTokens: 0 });
  db = await createTestSchema('finders');
  dir = tempDir();
  const clusters = (react) => JSON.stringify({
    min_stars: 0,
    clusters: {
      react: { quota: react, queries: ['topic:react'] },
      frontend: { quota: 1000, queries: ['topic:frontend', 'topic:react'] },
    },
  });
  fs.writeFileSync(path.join(dir, 'small.json'), clusters(5));
  fs.writeFileSync(path.join(dir, 'large.json'), clusters(1000));
});
after(async () => {
  await db?.drop();
  await sim?.close();
});

function ingest(config, args, databaseUrl = schemaDatabaseUrl(db.schema)) {
  return nodeAsync([path.join(root, 'ingest-balanced-parallel.js'), `--config=${path.join(dir, config)}`, ...args], {
    cwd: dir,
    timeout: 120_000,
    env: { GITHUB_TOKENS: sim.tokens.join(','), GITHUB_API_URL: sim.url, DATABASE_URL: databaseUrl },
  });
}

describe('clusters and --dry-run', () => {
  it('--dry-run on an empty database plans everything and creates nothing', async () => {
    const result = await ingest('small.json', ['--dry-run', '--json']);
    assert.equal(result.status, 0, result.stderr);
    const plan = JSON.parse(result.stdout);
    assert.equal(plan.dry_run, true);
    assert.deepEqual(plan.wanted, { frontend: 1000, react: 5 });
    assert.ok(plan.schema_missing.includes('repositories'));
    assert.deepEqual(plan.pending, { repositories: 0, searches: 0 });
    const { rows } = await db.query(
      "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = $1", [db.schema]);
    assert.equal(rows[0].n, 0, 'a dry run created tables');
    assert.equal(sim.stats().requests?.search ?? 0, 0);
  });

  it('lists every cluster that found a repository, across clusters and runs', async () => {
    // Both search topic:react: the query runs once for both, and each repository goes to
    // the cluster furthest from its quota, so react gets its 5 however fast frontend is.
    const first = await ingest('small.json', ['--json', '--details=none']);
    assert.equal(first.status, 0, first.stderr);
    assert.equal(JSON.parse(first.stdout).clusters.react.added, 5);
    const second = await ingest('large.json', ['--json', '--details=none']);
    assert.equal(second.status, 0, second.stderr);
    const { rows } = await db.query('SELECT id::int AS id, cluster, clusters FROM repositories');
    let both = 0;
    for (const row of rows) {
      const truth = sim.corpus.byId.get(row.id);
      assert.equal(row.clusters[0], row.cluster, `${row.id}: the primary cluster comes first`);
      const expected = truth.topics.includes('react') ? ['frontend', 'react'] : ['frontend'];
      assert.deepEqual([...row.clusters].sort(), expected, `repository ${row.id} (${truth.topics.join(',')})`);
      if (expected.length === 2) both++;
    }
    assert.ok(both > 5, `only ${both} repositories with both clusters`);
    assert.ok(rows.filter((row) => row.cluster === 'react').length >= 5);
    assert.ok(rows.some((row) => row.cluster === 'frontend' && row.clusters.includes('react')), 'frontend owns none of both');
  });
});
