// The engine against a GitHub that misbehaves as its documentation and users' reports say
// it does (the simulator's switches, test/simulator/misbehaviours.js): GraphQL queries
// past a work budget time out with 502/504, a broken repository fails on every API,
// search results shift while a client pages. Nothing may be dropped silently.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { startRun } from '../../binding/index.js';
import { startSimulator } from '../simulator/index.js';
import { compileQuery } from '../simulator/search-query.js';

const DETAILS = ['languages', 'readme', 'community'];

async function collect(sim, options, { onBatch } = {}) {
  const repositories = [];
  const run = startRun(
    { tokens: sim.tokens, apiUrl: sim.url, details: DETAILS, ...options },
    {
      onBatch: (batch) => {
        repositories.push(...batch.repositories);
        onBatch?.(batch, repositories);
      },
    },
  );
  const result = await run.done;
  return { result, repositories };
}

// The ids of the corpus that `query` matches now, as the simulator's search decides.
function matching(sim, query) {
  const { match } = compileQuery(query);
  return sim.corpus.repositories.filter((repo) => match(repo)).map((repo) => repo.id).sort((a, b) => a - b);
}

// What a run stored, comparable across runs: every field but the ETags.
function rows(repositories) {
  return new Map(repositories.map(({ etags, clusters_found, ...repo }) => [repo.id, repo]));
}

describe('a GitHub that misbehaves', () => {
  it('GraphQL under a work budget: every repository, the same rows, the size found once', async () => {
    const sim = await startSimulator({ seed: 35, repositories: 1200, tokens: 4, badTokens: 0 });
    try {
      const groups = [{ name: 'all', queries: ['stars:>=0'], limit: 900 }];
      // One worker: the same claims in both runs.
      const plain = await collect(sim, { groups, workers: 1 });
      sim.reset();
      sim.setFaults({ graphqlBudget: { form: 'mixed' } });
      const budget = await collect(sim, { groups, workers: 1 });
      assert.equal(budget.result.ok, true, budget.result.error);
      assert.equal(budget.repositories.length, 900);
      assert.deepEqual(rows(budget.repositories), rows(plain.repositories));
      assert.equal(budget.result.pending.length, 0);
      const batches = budget.result.graphqlBatches;
      const timeouts = sim.stats().graphqlTimeouts;
      assert.ok(timeouts >= 1, 'a full query never met the budget: the test proves nothing');
      // Found once, not per batch: 9+ batches of 100 would be 9+ timeouts.
      assert.ok(timeouts <= 4, `${timeouts} timeouts`);
      assert.ok(batches.smallest < 100, `the batch never shrank (${JSON.stringify(batches)})`);
      assert.equal(batches.timeouts, timeouts);
    } finally {
      await sim.close();
    }
  });

  it('GraphQL batches grow back to 100 once GitHub answers them again', async () => {
    const sim = await startSimulator({ seed: 36, repositories: 6000, tokens: 4, badTokens: 0 });
    try {
      sim.setFaults({ graphqlBudget: true });
      let lifted = false;
      const { result, repositories } = await collect(
        sim,
        { groups: [{ name: 'all', queries: ['stars:>=0'], limit: 5000 }], workers: 2 },
        {
          onBatch: (batch, delivered) => {
            // GitHub recovers after the first few hundred repositories.
            if (!lifted && delivered.length >= 300) {
              lifted = true;
              sim.setFaults({});
            }
          },
        },
      );
      assert.equal(result.ok, true, result.error);
      assert.equal(repositories.length, 5000);
      const batches = result.graphqlBatches;
      assert.ok(batches.smallest < 100, `the batch never shrank (${JSON.stringify(batches)})`);
      // Back near 100: the last step to 100 itself, the size that first failed, is tried
      // only after a run of successes at 99 (batch_sizer_test.cc shows it reached).
      assert.ok(batches.size >= 90 && batches.size > batches.smallest,
        `the batch never grew back (${JSON.stringify(batches)})`);
      assert.ok(batches.grows >= 1);
    } finally {
      await sim.close();
    }
  });

  for (const api of ['graphql', 'rest']) {
    it(`a repository that fails on both APIs is pending, its batch-mates stored (${api})`, async () => {
      const sim = await startSimulator({ seed: 37, repositories: 400, tokens: 2, badTokens: 0 });
      try {
        const broken = matching(sim, 'stars:>=0').slice(10, 12);
        sim.setFaults({ broken });
        const { result, repositories } = await collect(sim, {
          groups: [{ name: 'all', queries: ['stars:>=0'], limit: 1000 }], api,
        });
        assert.equal(result.ok, true, result.error);
        const delivered = new Set(repositories.map((repo) => repo.id));
        for (const id of broken) assert.equal(delivered.has(id), false);
        assert.equal(repositories.length, matching(sim, 'stars:>=0').length - broken.length);
        assert.deepEqual(result.pending.map((p) => p.id).sort((a, b) => a - b), broken);
        for (const pending of result.pending) {
          assert.equal(pending.cluster, 'all');
          assert.equal(pending.attempts, 2);
          assert.match(pending.error, /then/);
          assert.doesNotMatch(pending.error, /answered 0\b/);
        }
        assert.equal(result.clusters.all.lost, 2);
        assert.equal(result.clusters.all.exhausted, false);

        // The next run fetches them first; GitHub serves them again by then.
        sim.setFaults({});
        const next = await collect(sim, {
          groups: [{ name: 'all', queries: ['stars:>=0'], limit: 2 }], api,
          knownIds: [...delivered],
          pending: result.pending.map(({ id, cluster, nodeId, fullName, clusters }) => ({ id, cluster, nodeId, fullName, clusters })),
        });
        assert.equal(next.result.ok, true, next.result.error);
        assert.deepEqual(next.repositories.map((repo) => repo.id).sort((a, b) => a - b), broken);
        assert.equal(next.result.pending.length, 0);
        assert.ok(next.repositories.every((repo) => repo.details.languages === 'fetched'));
      } finally {
        await sim.close();
      }
    });
  }

  for (const api of ['graphql', 'rest']) {
    it(`results that shift while paging: every matching repository is stored (${api})`, async () => {
      const sim = await startSimulator({ seed: 38, repositories: 2500, tokens: 4, badTokens: 0 });
      try {
        sim.setFaults({ drift: { every: 1, count: 2 } });
        const { result, repositories } = await collect(sim, {
          groups: [{ name: 'all', queries: ['stars:>=0'], limit: 100000 }], api, details: ['languages'],
        });
        assert.equal(result.ok, true, result.error);
        const delivered = new Set(repositories.map((repo) => repo.id));
        assert.equal(delivered.size, repositories.length, 'a repository delivered twice');
        const missing = matching(sim, 'stars:>=0').filter((id) => !delivered.has(id));
        assert.deepEqual(missing, [], `${missing.length} matching repositories missed`);
        const drift = sim.stats().drift;
        assert.ok(drift.moves > 0, 'nothing moved: the test proves nothing');
        assert.ok(result.searchRechecks > 0);
        assert.ok(result.searchRecheckFound > 0, 'the re-checks found nothing: drift did not bite');
        assert.equal(result.clusters.all.exhausted, true);
      } finally {
        await sim.close();
      }
    });
  }
});
