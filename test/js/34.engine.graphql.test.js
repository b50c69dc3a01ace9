// Details through GraphQL (one query per 100 repositories) against the simulator's
// POST /graphql: the same repositories and details as through REST, no query on an empty
// graphql bucket, RATE_LIMITED answers (HTTP 200) handled as the primary limit they are,
// NOT_FOUND nodes skipped, malformed answers retried.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { startRun } from '../../binding/index.js';
import { startSimulator } from '../simulator/index.js';

const DETAILS = ['languages', 'readme', 'community'];

async function collect(sim, options) {
  const repositories = [];
  const events = [];
  const run = startRun(
    { tokens: sim.tokens, apiUrl: sim.url, details: DETAILS, ...options },
    { onBatch: (batch) => { repositories.push(...batch.repositories); }, onEvent: (event) => events.push(event) },
  );
  const result = await run.done;
  return { result, repositories, events, stats: run.stats() };
}

function byId(repositories) {
  return new Map(repositories.map((repo) => [repo.id, repo]));
}

describe('details through GraphQL', () => {
  it('deliver the same repositories and details as REST, for a point per 100', async () => {
    const sim = await startSimulator({ seed: 34, repositories: 1500, tokens: 4, badTokens: 0 });
    try {
      const groups = [
        { name: 'ai_ml', queries: ['topic:machine-learning', 'topic:llm'], limit: 150 },
        { name: 'web', queries: ['topic:react'], limit: 100 },
      ];
      // One worker: the same order of claims in both runs, so the same repositories.
      const rest = await collect(sim, { groups, api: 'rest', workers: 1 });
      const graphql = await collect(sim, { groups, api: 'graphql', workers: 1 });
      assert.equal(rest.result.ok, true, rest.result.error);
      assert.equal(graphql.result.ok, true, graphql.result.error);
      assert.ok(rest.repositories.length > 100, `only ${rest.repositories.length} repositories`);
      const restById = byId(rest.repositories);
      assert.deepEqual([...byId(graphql.repositories).keys()].sort(), [...restById.keys()].sort());
      for (const repo of graphql.repositories) {
        const other = restById.get(repo.id);
        const { watchers, etags, ...fields } = repo;
        const { watchers: restWatchers, etags: restEtags, ...restFields } = other;
        assert.deepEqual(fields, restFields, `repository ${repo.full_name}`);
        // Watchers (subscribers) come only with GraphQL: REST would need a fourth request.
        assert.equal(restWatchers, null);
        assert.equal(watchers, sim.corpus.byId.get(repo.id).subscribers);
      }
      const withReadme = graphql.repositories.filter((repo) => repo.details.readme === 'fetched').length;
      assert.ok(withReadme > graphql.repositories.length / 2);
      // Up to 100 repositories a query, about a point each; REST used three core requests each.
      assert.ok(graphql.result.graphqlQueries <= Math.ceil(graphql.repositories.length / 50),
        `${graphql.result.graphqlQueries} queries for ${graphql.repositories.length} repositories`);
      assert.ok(graphql.result.graphqlPoints >= graphql.result.graphqlQueries);
      assert.ok(graphql.stats.requestsByResource.core < rest.stats.requestsByResource.core / 5);
      assert.equal(sim.stats().wasted, 0);
    } finally {
      await sim.close();
    }
  });

  it('ten tokens with a few points each never send a query on an empty graphql bucket', async () => {
    const sim = await startSimulator({
      seed: 35, repositories: 3000, tokens: 10, badTokens: 0,
      limits: { graphql: 3, core: 5000, search: 30 },
      windows: { graphql: 2, core: 3600, search: 60 },
    });
    try {
      const { result, repositories } = await collect(sim, {
        groups: [{ name: 'all', queries: ['stars:>=0'], limit: 2500 }], batchSize: 100,
      });
      assert.equal(result.ok, true, result.error);
      assert.equal(repositories.length, 2500);
      assert.ok(repositories.every((repo) => repo.details.languages === 'fetched'));
      assert.ok(result.graphqlQueries >= 25);
      assert.equal(sim.stats().wasted, 0, 'a query was sent on an empty bucket');
    } finally {
      await sim.close();
    }
  });

  it('a RATE_LIMITED answer is a primary limit: the bucket waits for its reset, nothing is lost', async () => {
    // Two tokens of one user, unchecked: the pool learns they share a bucket only when
    // GitHub answers RATE_LIMITED.
    const sim = await startSimulator({
      seed: 36, repositories: 800, tokens: 2, badTokens: 0, users: ['same', 'same'],
      limits: { graphql: 2 }, windows: { graphql: 1 },
    });
    try {
      const { result, repositories } = await collect(sim, {
        groups: [{ name: 'all', queries: ['stars:>=0'], limit: 600 }], checkTokens: false, workers: 2,
      });
      assert.equal(result.ok, true, result.error);
      assert.equal(repositories.length, 600);
      assert.equal(new Set(repositories.map((repo) => repo.id)).size, 600);
      assert.ok(repositories.every((repo) => repo.details.languages === 'fetched'));
    } finally {
      await sim.close();
    }
  });

  for (const api of ['graphql', 'rest']) it(`skips repositories that are gone (${api}) and gives their places to others`, async () => {
    const sim = await startSimulator({ seed: 37, repositories: 800, tokens: 3, badTokens: 0, faults: { gone: 0.1 } });
    try {
      const { result, repositories } = await collect(sim, { api, groups: [{ name: 'all', queries: ['stars:>=0'], limit: 300 }] });
      assert.equal(result.ok, true, result.error);
      assert.equal(repositories.length, 300, 'the places of gone repositories go to others');
      for (const repo of repositories) {
        assert.equal(repo.details.languages, 'fetched', `${repo.full_name} delivered without details`);
        // GitHub's REST answer for the same repository: a gone one would be 404.
        const rest = await fetch(`${sim.url}/repos/${repo.full_name}/languages`, {
          headers: { Authorization: `Bearer ${sim.tokens[0]}` },
        });
        assert.equal(rest.status, 200, `${repo.full_name} is gone but was delivered`);
      }
    } finally {
      await sim.close();
    }
  });

  it('recovers from truncated or failed GraphQL answers and delivers every repository', async () => {
    const sim = await startSimulator({ seed: 38, repositories: 600, tokens: 2, badTokens: 0 });
    try {
      sim.queueFault({ path: '/graphql', kind: 'truncate', count: 2 });
      sim.queueFault({ path: '/graphql', kind: '502', count: 1 });
      const { result, repositories } = await collect(sim, { groups: [{ name: 'all', queries: ['stars:>=0'], limit: 250 }] });
      assert.equal(result.ok, true, result.error);
      assert.equal(repositories.length, 250);
      // Each failed answer cost a query more (sent again, or split in halves).
      assert.ok(result.graphqlQueries >= 3 + Math.ceil(250 / 100), `${result.graphqlQueries} queries`);
      assert.ok(repositories.every((repo) => repo.details.languages === 'fetched'));
    } finally {
      await sim.close();
    }
  });
});
