import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { get } from '../simulator/client.js';
import { startSimulator } from '../simulator/index.js';

// A clock the tests move by hand: windows reset without sleeping.
function manualClock(start = 1_750_000_000_000) {
  let now = start;
  const clock = () => now;
  clock.advance = (ms) => { now += ms; };
  return clock;
}

async function withSimulator(options, body) {
  const sim = await startSimulator({ seed: 3, repositories: 300, tokens: 3, ...options });
  try {
    await body(sim);
  } finally {
    await sim.close();
  }
}

const limitHeaders = (res) => ({
  limit: Number(res.headers['x-ratelimit-limit']), remaining: Number(res.headers['x-ratelimit-remaining']),
  used: Number(res.headers['x-ratelimit-used']), reset: Number(res.headers['x-ratelimit-reset']),
  resource: res.headers['x-ratelimit-resource'],
});

describe('simulator: primary rate limits', () => {
  it('decrements per resource and resets when the window ends', async () => {
    const clock = manualClock();
    await withSimulator({ clock, limits: { core: 3, search: 2 }, windows: { core: 10, search: 5 } }, async (sim) => {
      const [token] = sim.tokens;
      const repo = sim.corpus.repositories[0].fullName;
      const first = limitHeaders(await get(`${sim.url}/repos/${repo}`, { token }));
      assert.deepEqual(first, { limit: 3, remaining: 2, used: 1, reset: Math.ceil(clock() / 1000) + 10, resource: 'core' });
      clock.advance(1000);
      const second = limitHeaders(await get(`${sim.url}/repos/${repo}/languages`, { token }));
      assert.equal(second.remaining, 1);
      assert.equal(second.reset, first.reset);  // the window started with the first request
      const searched = limitHeaders(await get(`${sim.url}/search/repositories?q=stars:>1`, { token }));
      assert.deepEqual([searched.resource, searched.limit, searched.remaining], ['search', 2, 1]);
      clock.advance(9000);
      const renewed = limitHeaders(await get(`${sim.url}/repos/${repo}`, { token }));
      assert.deepEqual([renewed.remaining, renewed.used], [2, 1]);
    });
  });

  it('refuses a request on an empty bucket with 403, remaining 0, and counts it as wasted', async () => {
    const clock = manualClock();
    await withSimulator({ clock, limits: { core: 2 }, windows: { core: 6 } }, async (sim) => {
      const [token, other] = sim.tokens;
      const path = `${sim.url}/repos/${sim.corpus.repositories[1].fullName}`;
      assert.equal((await get(path, { token })).status, 200);
      assert.equal((await get(path, { token })).status, 200);
      const refused = await get(path, { token });
      assert.equal(refused.status, 403);
      assert.equal(refused.headers['x-ratelimit-remaining'], '0');
      assert.match(refused.json().message, /^API rate limit exceeded for user ID \d+\.$/);
      assert.equal((await get(path, { token: other })).status, 200);  // another user's bucket is full
      // /rate_limit is free and still answers
      const status = (await get(`${sim.url}/rate_limit`, { token })).json();
      assert.deepEqual([status.resources.core.remaining, status.rate.used], [0, 2]);
      const stats = sim.stats();
      assert.equal(stats.wasted, 1);
      assert.equal(stats.tokens[0].wasted, 1);
      assert.equal(stats.users[stats.tokens[0].login].wasted, 1);
      assert.equal(stats.tokens[1].wasted, 0);
      clock.advance(6000);
      assert.equal((await get(path, { token })).status, 200);
    });
  });

  it('can answer the primary limit with 429 instead', async () => {
    await withSimulator({ limits: { core: 1 }, faults: { primaryStatus: 429 } }, async (sim) => {
      const path = `${sim.url}/user`;
      await get(path, { token: sim.tokens[0] });
      assert.equal((await get(path, { token: sim.tokens[0] })).status, 429);
    });
  });

  it('shares one bucket between tokens of the same user', async () => {
    await withSimulator({ users: ['alice', 'alice', 'bob'], limits: { core: 10 } }, async (sim) => {
      const [a1, a2, b] = sim.tokens;
      await get(`${sim.url}/user`, { token: a1 });
      const res = await get(`${sim.url}/user`, { token: a2 });
      assert.equal(res.json().login, 'alice');
      assert.equal(res.headers['x-ratelimit-remaining'], '8');
      assert.equal((await get(`${sim.url}/user`, { token: b })).headers['x-ratelimit-remaining'], '9');
      assert.deepEqual(sim.users.map((user) => [user.login, user.tokens]), [['alice', [0, 1]], ['bob', [2]]]);
    });
  });

  it('answers 401 Bad credentials for unknown tokens, and tokens look like real ones', async () => {
    await withSimulator({}, async (sim) => {
      for (const token of [...sim.tokens, ...sim.badTokens]) assert.match(token, /^ghp_[A-Za-z0-9]{36}$/);
      for (const token of [sim.badTokens[0], 'ghp_nope']) {
        const res = await get(`${sim.url}/user`, { token });
        assert.equal(res.status, 401);
        assert.equal(res.json().message, 'Bad credentials');
        assert.ok(res.json().documentation_url);
      }
      assert.equal(sim.stats({ reset: true }).badCredentials, 2);
      assert.equal(sim.stats().requests, 0);
      const again = await startSimulator({ seed: 3, repositories: 10, tokens: 3 });
      assert.deepEqual(again.tokens, sim.tokens);  // deterministic from the seed
      await again.close();
    });
  });

  it('answers If-None-Match with a matching ETag with 304, without spending the bucket', async () => {
    await withSimulator({ limits: { core: 100 } }, async (sim) => {
      const [token] = sim.tokens;
      const path = `${sim.url}/repos/${sim.corpus.repositories[2].fullName}/readme`;
      const first = await get(path, { token });
      assert.match(first.headers.etag, /^W\/"[0-9a-f]+"$/);
      const cached = await get(path, { token, headers: { 'if-none-match': first.headers.etag } });
      assert.equal(cached.status, 304);
      assert.equal(cached.body.length, 0);
      assert.equal(cached.headers['x-ratelimit-remaining'], '99');
      const changed = await get(path, { token, headers: { 'if-none-match': 'W/"stale"' } });
      assert.equal(changed.status, 200);
      assert.equal(changed.headers['x-ratelimit-remaining'], '98');
      assert.equal(sim.stats().notModified, 1);
      // a changed repository gets a new ETag
      const repoPath = `${sim.url}/repos/${sim.corpus.repositories[2].fullName}`;
      const before = (await get(repoPath, { token })).headers.etag;
      sim.corpus.update(sim.corpus.repositories[2].fullName, { stars: 123456 });
      const after = await get(repoPath, { token, headers: { 'if-none-match': before } });
      assert.equal(after.status, 200);
      assert.equal(after.json().stargazers_count, 123456);
    });
  });
});

describe('simulator: secondary rate limits', () => {
  it('limits every N-th request of a user, with retry-after, and counts requests sent during the penalty', async () => {
    const clock = manualClock();
    await withSimulator({ clock, faults: { secondary: { every: 3, retryAfter: 2 } } }, async (sim) => {
      const [token] = sim.tokens;
      const path = `${sim.url}/user`;
      assert.equal((await get(path, { token })).status, 200);
      assert.equal((await get(path, { token })).status, 200);
      const limited = await get(path, { token });
      assert.equal(limited.status, 403);
      assert.equal(limited.headers['retry-after'], '2');
      assert.match(limited.json().message, /secondary rate limit/);
      assert.notEqual(limited.headers['x-ratelimit-remaining'], '0');
      const early = await get(path, { token });
      assert.equal(early.status, 403);
      assert.equal((await get(path, { token: sim.tokens[1] })).status, 200);  // other users are not affected
      clock.advance(2000);
      assert.equal((await get(path, { token })).status, 200);
      const stats = sim.stats();
      assert.equal(stats.secondaryLimited, 2);
      assert.equal(stats.duringPenalty, 1);
    });
  });

  it('can omit retry-after', async () => {
    await withSimulator({ faults: { secondary: { every: 1, retryAfter: null } } }, async (sim) => {
      const res = await get(`${sim.url}/user`, { token: sim.tokens[0] });
      assert.equal(res.status, 403);
      assert.equal(res.headers['retry-after'], undefined);
    });
  });

  it('limits a user who sends more than K concurrent requests, and reports the peak', async () => {
    await withSimulator({ faults: { concurrency: { perUser: 2, retryAfter: 1 }, slow: 1, slowMs: 80 } }, async (sim) => {
      const [token] = sim.tokens;
      const results = await Promise.all(Array.from({ length: 4 }, () => get(`${sim.url}/user`, { token })));
      const statuses = results.map((res) => res.status).sort();
      assert.deepEqual(statuses, [200, 200, 403, 403]);
      const user = sim.stats().users[sim.users[0].login];
      assert.ok(user.concurrencyPeak >= 3, String(user.concurrencyPeak));
      assert.equal(user.secondaryLimited, 2);
    });
  });
});
