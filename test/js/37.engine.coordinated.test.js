// The binding's side of --coordinate, in one process: a run in shared mode sends nothing
// for a user it does not hold, holdUser/releaseUser/users move lanes with their state,
// and the work gate's answers (async, as the database's) decide which queries run and
// which repositories are fetched.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { checkTokens, startRun } from '../../binding/index.js';
import { startSimulator } from '../simulator/index.js';

const later = (value) => new Promise((resolve) => setImmediate(() => resolve(value)));

describe('a coordinated run (shared mode and the work gate)', () => {
  it('sends nothing for users it does not hold, then works with the lanes it is given', async () => {
    const users = (token, index) => `user${index % 2}`;
    const sim = await startSimulator({ seed: 37, repositories: 800, tokens: 4, badTokens: 0, users });
    try {
      const checks = await checkTokens(sim.tokens, { apiUrl: sim.url, threads: 1, rateLimitFirst: true });
      assert.deepEqual(checks.map((c) => c.login), ['user0', 'user1', 'user0', 'user1']);
      sim.reset();
      const asked = [];
      const claims = [];
      let adoptions = 0;
      const gate = {
        takeQuery: (query) => { asked.push(query); return later(query !== 'topic:react'); },
        queryDone: () => later(undefined),
        // Every other repository belongs to "another host".
        claim: (items) => { claims.push(...items); return later(items.map((item) => item.id % 2 === 0)); },
        adopt: () => { adoptions += 1; return later({ queries: [], owed: [] }); },
      };
      const delivered = [];
      const run = startRun({
        tokens: sim.tokens, apiUrl: sim.url, api: 'graphql', details: ['languages'],
        groups: [{ name: 'a', queries: ['topic:machine-learning', 'topic:react'], limit: 1000 }],
        coordinated: true, checkTokens: false, logins: checks.map((c) => c.login),
      }, { onBatch: (batch) => { delivered.push(...batch.repositories); }, gate });

      // Nobody holds a lane yet: workers wait, and GitHub hears nothing.
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(sim.stats().requests, 0, 'a request was sent for a user this host does not hold');
      const before = run.users();
      assert.deepEqual(before.map((u) => [u.login, u.held]).sort(), [['user0', false], ['user1', false]]);
      assert.throws(() => run.holdUser({ buckets: [] }), TypeError);

      run.holdUser({ login: 'user0', buckets: [{ resource: 'search', limit: 30, remaining: 30, reset: Math.floor(Date.now() / 1000) + 60 }] });
      run.holdUser({ login: 'user1' });
      const result = await run.done;
      assert.equal(result.ok, true, result.error);

      assert.deepEqual(asked.sort(), ['topic:machine-learning', 'topic:react']);
      assert.ok(claims.length > 10, `${claims.length} claims asked`);
      assert.ok(claims.every((item) => item.cluster === 'a' && item.fullName && item.nodeId));
      const mine = claims.filter((item) => item.id % 2 === 0).map((item) => item.id).sort((x, y) => x - y);
      assert.deepEqual(delivered.map((repo) => repo.id).sort((x, y) => x - y), mine, 'exactly the repositories the gate gave');
      assert.equal(result.claimedElsewhere, claims.length - mine.length);
      assert.equal(result.queriesElsewhere, 1);
      assert.ok(adoptions >= 1, 'the run asked for work of dead hosts before ending');
      const stats = sim.stats();
      assert.equal(stats.secondaryLimited + stats.wasted, 0);
      for (const user of run.users()) assert.equal(user.inFlight, 0);
    } finally {
      await sim.close();
    }
  });

  it('a repository the job offers leaves with its row; one adopted with a row is fetched with no request by id', async () => {
    const sim = await startSimulator({ seed: 39, repositories: 300, tokens: 2, badTokens: 0 });
    try {
      const offered = [];
      let adoptions = 0;
      const gate = {
        takeQuery: () => later(true),
        queryDone: () => later(undefined),
        // Every third repository is offered to "another host": kept as the database keeps it.
        claim: (items) => {
          for (const item of items) if (item.id % 3 === 0) offered.push(JSON.parse(JSON.stringify(item)));
          return later(items.map((item) => (item.id % 3 === 0 ? 'offered' : true)));
        },
        // Nobody took them: this host, idle, adopts them back with their rows.
        adopt: () => { adoptions += 1; return later({ queries: [], owed: adoptions === 1 ? offered : [] }); },
      };
      const delivered = [];
      const run = startRun({
        tokens: sim.tokens, apiUrl: sim.url, api: 'rest', details: ['languages'],
        groups: [{ name: 'a', queries: ['stars:>=0'], limit: 150 }],
        coordinated: true, checkTokens: false, logins: sim.users.map((u) => u.login),
      }, { onBatch: (batch) => { delivered.push(...batch.repositories); }, gate });
      for (const user of sim.users) run.holdUser({ login: user.login });
      const result = await run.done;
      assert.equal(result.ok, true, result.error);
      assert.ok(offered.length > 10, `${offered.length} offered`);
      assert.equal(result.offered, offered.length);
      for (const item of offered) {
        assert.equal(item.row.id, item.id);
        assert.equal(item.row.full_name, item.fullName);
        assert.equal(typeof item.row.stars, 'number');
        assert.equal(item.row.languages, null, 'offered before its details');
      }
      // All of them delivered once, the offered ones from their rows and their details.
      const ids = delivered.map((repo) => repo.id);
      assert.equal(new Set(ids).size, ids.length);
      assert.equal(ids.length, 150);
      for (const item of offered) {
        const repo = delivered.find((r) => r.id === item.id);
        assert.ok(repo, `offered ${item.id} not delivered`);
        assert.equal(repo.full_name, item.row.full_name);
        assert.equal(repo.created_at, item.row.created_at);
        assert.ok(repo.languages !== null && typeof repo.languages === 'object', 'its details were fetched');
      }
      assert.equal(sim.stats().byKind.repository ?? 0, 0, 'no repository fetched by id');
    } finally {
      await sim.close();
    }
  });

  it('a released user gets no new request; its state comes back out of users()', async () => {
    const sim = await startSimulator({ seed: 38, repositories: 500, tokens: 1, badTokens: 0, users: () => 'solo' });
    try {
      let releaseNow;
      const released = new Promise((resolve) => { releaseNow = resolve; });
      const run = startRun({
        tokens: sim.tokens, apiUrl: sim.url, api: 'rest', details: ['languages'],
        groups: [{ name: 'a', queries: ['stars:>=0'], limit: 300 }],
        coordinated: true, checkTokens: false, logins: ['solo'],
      }, { onBatch: () => releaseNow() });
      run.holdUser({ login: 'solo', pausedUntilMs: 0, strikes: 0 });
      await released;
      run.releaseUser('solo');
      // Whatever was in flight finishes; then nothing more is sent.
      for (let i = 0; i < 100 && run.users()[0].inFlight > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      const sent = sim.stats().requests;
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(sim.stats().requests, sent, 'requests were sent after the user was released');
      const [user] = run.users();
      assert.equal(user.held, false);
      const core = user.share.buckets.find((b) => b.resource === 'core');
      assert.ok(core && core.remaining < core.limit, 'the state to hand over tells what was spent');
      run.holdUser({ login: 'solo', ...user.share });
      const result = await run.done;
      assert.equal(result.ok, true, result.error);
    } finally {
      await sim.close();
    }
  });
});
