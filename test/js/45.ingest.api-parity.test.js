// The same ingest through --api=rest and --api=graphql stores the same rows, field for
// field, enrichment included; GraphQL adds watchers (REST would need a fourth request
// per repository) and costs a point per query instead of three core requests a row.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { startSimulator } from '../simulator/index.js';
import { nodeAsync, root, tempDir } from '../support/helpers.js';
import { createTestSchema, schemaDatabaseUrl } from '../support/test-database.js';

let sim;
let dir;
const databases = {};

before(async () => {
  sim = await startSimulator({ seed: 45, repositories: 3000, tokens: 4, badTokens: 0 });
  for (const api of ['rest', 'graphql']) databases[api] = await createTestSchema(`parity_${api}`);
  dir = tempDir();
  fs.writeFileSync(path.join(dir, 'clusters.json'), JSON.stringify({
    min_stars: 0,
    clusters: {
      ai_ml: { quota: 120, queries: ['topic:machine-learning', 'topic:llm'] },
      web: { quota: 80, queries: ['topic:react'] },
    },
  }));
});
after(async () => {
  for (const db of Object.values(databases)) await db.drop();
  await sim?.close();
});

function ingest(api) {
  return nodeAsync([path.join(root, 'ingest-balanced-parallel.js'), `--config=${path.join(dir, 'clusters.json')}`,
    `--api=${api}`, '--workers=1', '--json'], {
    cwd: dir,
    timeout: 120_000,
    env: { GITHUB_TOKENS: sim.tokens.join(','), GITHUB_API_URL: sim.url, DATABASE_URL: schemaDatabaseUrl(databases[api].schema) },
  });
}

async function rows(api) {
  const { rows: stored } = await databases[api].query('SELECT * FROM repositories ORDER BY id');
  return stored.map(({ ingested_at, refreshed_at, ...row }) => row);
}

describe('--api=rest and --api=graphql', () => {
  it('store identical rows, enrichment included', async () => {
    const summaries = {};
    for (const api of ['rest', 'graphql']) {
      const result = await ingest(api);
      assert.equal(result.status, 0, result.stderr);
      summaries[api] = JSON.parse(result.stdout);
    }
    const rest = await rows('rest');
    const graphql = await rows('graphql');
    assert.equal(rest.length, 200);
    assert.equal(graphql.length, rest.length);
    for (let i = 0; i < rest.length; i++) {
      const { watchers, ...fields } = graphql[i];
      const { watchers: restWatchers, ...restFields } = rest[i];
      assert.deepEqual(fields, restFields, `row ${rest[i].full_name}`);
      assert.equal(restWatchers, null);
      assert.equal(watchers, sim.corpus.byId.get(Number(rest[i].id)).subscribers);
    }
    assert.equal(summaries.rest.requests.graphql, 0);
    assert.ok(summaries.graphql.requests.graphql > 0 && summaries.graphql.requests.graphql <= 8,
      `${summaries.graphql.requests.graphql} GraphQL queries for 200 repositories`);
    assert.ok(summaries.graphql.requests.graphql_points >= summaries.graphql.requests.graphql);
    assert.ok(summaries.graphql.requests.core < summaries.rest.requests.core / 5);
  });
});
