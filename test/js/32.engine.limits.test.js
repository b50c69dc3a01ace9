// The engine against the simulator where GitHub pushes back: more than 1,000 matches,
// small quotas on ten tokens, a bad token, slow storage.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { startRun } from '../../binding/index.js';
import { startSimulator } from '../simulator/index.js';

async function totalCount(sim, query) {
  const response = await fetch(`${sim.url}/search/repositories?q=${encodeURIComponent(query)}&per_page=1`, {
    headers: { Authorization: `Bearer ${sim.tokens.at(-1)}` },
  });
  return (await response.json()).total_count;
}

describe('the engine under GitHub limits', () => {
  it('a query with more than 1,000 matches is fetched completely', async () => {
    const sim = await startSimulator({ seed: 11, repositories: 4000, tokens: 5, badTokens: 0 });
    try {
      const query = 'stars:>=0';
      const expected = await totalCount(sim, query);
      assert.ok(expected > 1000, `only ${expected} matches`);
      const ids = new Set();
      const run = startRun(
        { tokens: sim.tokens.slice(0, 4), apiUrl: sim.url, groups: [{ name: 'all', queries: [query], limit: 100_000 }] },
        { onBatch: (batch) => batch.repositories.forEach((r) => ids.add(r.id)) },
      );
      const result = await run.done;
      assert.equal(result.ok, true, result.error);
      assert.equal(ids.size, expected);
      assert.equal(result.clusters.all.delivered, expected);
      assert.equal(result.clusters.all.exhausted, true);
      assert.equal(sim.stats().wasted, 0);
    } finally {
      await sim.close();
    }
  });

  it('ten tokens with small quotas finish without one request on an empty bucket', async () => {
    const sim = await startSimulator({
      seed: 12, repositories: 600, tokens: 10, badTokens: 0,
      limits: { core: 12, search: 4 }, windows: { core: 2, search: 1 },
    });
    try {
      const waits = [];
      const run = startRun(
        {
          tokens: sim.tokens, apiUrl: sim.url,
          groups: [
            { name: 'ai_ml', queries: ['topic:machine-learning'], limit: 40 },
            { name: 'web', queries: ['topic:react'], limit: 40 },
          ],
          details: ['languages', 'readme'],
          api: 'rest',  // two core requests per repository: the core buckets run dry
          batchSize: 10,
        },
        { onEvent: (event) => { if (event.pool === 'waiting') waits.push(event); } },
      );
      const result = await run.done;
      assert.equal(result.ok, true, result.error);
      const stats = sim.stats();
      assert.equal(stats.wasted, 0, 'requests sent on an empty bucket');
      assert.ok(result.clusters.ai_ml.delivered + result.clusters.web.delivered > 20);
      // 10 users x 12 core requests cannot cover ~2 per repository plus the checks:
      // the run had to wait for resets, and said so.
      assert.ok(waits.length > 0, 'no wait was reported');
      assert.match(waits[0].message, /all tokens exhausted for (core|search); resuming at/);
    } finally {
      await sim.close();
    }
  });

  it('a bad token is retired and the run completes with the others', async () => {
    const sim = await startSimulator({ seed: 13, repositories: 300, tokens: 2, badTokens: 1 });
    try {
      let delivered = 0;
      const run = startRun(
        {
          tokens: [sim.badTokens[0], ...sim.tokens], apiUrl: sim.url,
          groups: [{ name: 'web', queries: ['topic:react'], limit: 15 }], details: ['languages'],
        },
        { onBatch: (batch) => { delivered += batch.repositories.length; } },
      );
      const result = await run.done;
      assert.equal(result.ok, true, result.error);
      assert.equal(result.tokenChecks[0].status, 'rejected');
      assert.match(result.tokenChecks[0].error, /^Token #1 \(ghp_…\w{4}\) was rejected/);
      assert.equal(run.stats().tokens[0].state, 'retired');
      assert.equal(delivered, result.clusters.web.delivered);
      assert.ok(delivered > 0);
    } finally {
      await sim.close();
    }
  });

  it('tokens whose core quota is spent: each is named through GraphQL and the run goes on with search and GraphQL', async () => {
    // One core request per user and hour: the GET /user of an earlier check spends it.
    const sim = await startSimulator({ seed: 14, repositories: 300, tokens: 2, badTokens: 0, limits: { core: 1 } });
    try {
      for (const token of sim.tokens) {
        const reply = await fetch(`${sim.url}/user`, { headers: { authorization: `Bearer ${token}` } });
        await reply.arrayBuffer();
      }
      sim.resetStats();
      let delivered = 0;
      const run = startRun(
        { tokens: sim.tokens, apiUrl: sim.url, api: 'graphql', groups: [{ name: 'web', queries: ['topic:react'], limit: 15 }], details: ['languages'] },
        { onBatch: (batch) => { delivered += batch.repositories.length; } },
      );
      const result = await run.done;
      assert.equal(result.ok, true, result.error);
      assert.deepEqual(result.tokenChecks.map((c) => [c.status, c.login]), sim.users.map((u) => ['ok', u.login]));
      assert.equal(delivered, 15);
      // One refused GET /user per token (its bucket unknown until then), nothing more on core.
      assert.equal(sim.stats().wasted, sim.tokens.length);
      assert.equal(sim.stats().byKind.user.requests, sim.tokens.length);
    } finally {
      await sim.close();
    }
  });

  it('slow storage holds the workers back: never more than maxUnacked batches wait', async () => {
    const sim = await startSimulator({ seed: 14, repositories: 800, tokens: 4, badTokens: 0 });
    try {
      let waiting = 0;
      let most = 0;
      let delivered = 0;
      const run = startRun(
        {
          tokens: sim.tokens, apiUrl: sim.url, batchSize: 5, maxUnacked: 2,
          groups: [{ name: 'all', queries: ['stars:>=0'], limit: 60 }], details: ['readme'],
        },
        {
          onBatch: async (batch) => {
            waiting += 1;
            most = Math.max(most, waiting);
            await new Promise((resolve) => setTimeout(resolve, 15));  // a slow database
            delivered += batch.repositories.length;
            waiting -= 1;
          },
        },
      );
      const result = await run.done;
      assert.equal(result.clusters.all.delivered, 60);
      assert.equal(delivered, 60);
      assert.ok(most <= 2, `${most} batches waited at once`);
    } finally {
      await sim.close();
    }
  });
});
