// GitHub's serial rule and latencies in the simulator, through real HTTP requests:
// faults.concurrency (a request of a user that arrives while K of its requests are in
// flight is a secondary limit and starts a penalty), the penalty of any secondary limit
// (every request of the user refused until it ends), and faults.latency (answers held as
// long as github.com takes, each request on its own timer). No assertion bounds wall
// time from above: delays are checked as the simulator computed them (stats.latency),
// and overlap through its concurrency counters.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

import { get, post } from '../simulator/client.js';
import { CONCURRENCY_PENALTY, normalizeConcurrency } from '../simulator/faults.js';
import { startSimulator } from '../simulator/index.js';
import { LATENCY_DEFAULTS, normalizeLatency } from '../simulator/latency.js';

// A clock the tests move by hand: penalties end without sleeping.
function manualClock(start = 1_750_000_000_000) {
  let now = start;
  const clock = () => now;
  clock.advance = (ms) => { now += ms; };
  return clock;
}

async function withSimulator(options, body) {
  const sim = await startSimulator({ seed: 5, repositories: 300, tokens: 3, ...options });
  try {
    await body(sim);
  } finally {
    await sim.close();
  }
}

/** Polls `condition` until it holds (a request has reached the simulator), at most 10 s. */
async function until(condition, what) {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/**
 * A POST /graphql whose body the test holds back: the simulator has begun the request
 * (it counts as in flight) and answers only once release(body) sends the body. A
 * request kept in flight for as long as a test needs, without timers.
 */
function heldRequest(sim, token) {
  const req = http.request(`${sim.url}/graphql`, {
    method: 'POST',
    agent: false,
    headers: { authorization: `token ${token}`, 'content-type': 'application/json' },
  });
  const response = new Promise((resolve, reject) => {
    req.on('response', (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, json: () => JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
  req.flushHeaders();
  return {
    response,
    release(body = { query: '{ viewer { login } }' }) {
      req.end(JSON.stringify(body));
      return response;
    },
  };
}

const peakOf = (sim, login) => sim.stats().users[login].concurrencyPeak;
const secondary = (res) => res.status === 403 && /secondary rate limit/.test(res.json().message);

describe('simulator: one request at a time per user (faults.concurrency)', () => {
  it('answers a request sent while the user\'s previous one is in flight as a secondary limit with retry-after, then refuses every request until the penalty ends', async () => {
    const clock = manualClock();
    await withSimulator({ clock, concurrency: { perUser: 1, retryAfter: 5 } }, async (sim) => {
      const [token] = sim.tokens;
      const { login } = sim.users[0];
      const repo = `${sim.url}/repos/${sim.corpus.repositories[0].fullName}`;
      const first = heldRequest(sim, token);
      await until(() => peakOf(sim, login) === 1, 'the first request is in flight');

      const second = await get(`${sim.url}/user`, { token });
      assert.ok(secondary(second), `${second.status} ${second.text()}`);
      assert.equal(second.headers['retry-after'], '5');
      assert.notEqual(second.headers['x-ratelimit-remaining'], '0', 'a secondary limit, not the primary one');

      // The penalty holds whatever is sent, one request at a time or not, on any path.
      const release = first.release();
      assert.equal((await release).status, 200, 'the request already in flight is answered');
      const during = await get(repo, { token });
      assert.ok(secondary(during));
      assert.equal(during.headers['retry-after'], '5');
      clock.advance(2000);
      const later = await get(`${sim.url}/search/repositories?q=stars:>1`, { token });
      assert.ok(secondary(later));
      assert.equal(later.headers['retry-after'], '3', 'retry-after counts down the penalty left');
      assert.ok(secondary(await get(`${sim.url}/rate_limit`, { token })), 'GET /rate_limit too');
      assert.equal((await get(repo, { token: sim.tokens[1] })).status, 200, 'other users are not affected');

      clock.advance(3000);
      assert.equal((await get(repo, { token })).status, 200, 'served again once the penalty is over');
      const user = sim.stats().users[login];
      assert.equal(user.concurrencyPeak, 2);
      assert.equal(user.secondaryLimited, 4);
      assert.equal(user.duringPenalty, 3);
      assert.equal(sim.stats().duringPenalty, 3);
      assert.equal(sim.stats().users[sim.users[1].login].secondaryLimited, 0);
    });
  });

  it('does not penalise users who each send one request at a time in parallel; tokens of one user share its lane', async () => {
    const clock = manualClock();
    await withSimulator({ clock, users: ['alice', 'alice', 'bob'], concurrency: { perUser: 1, retryAfter: 1 } }, async (sim) => {
      const [alice1, alice2, bob] = sim.tokens;
      const held = heldRequest(sim, alice1);
      await until(() => peakOf(sim, 'alice') === 1, 'alice\'s request is in flight');
      assert.equal((await get(`${sim.url}/user`, { token: bob })).status, 200);
      assert.equal((await get(`${sim.url}/rate_limit`, { token: bob })).status, 200);
      assert.equal(sim.stats().concurrencyPeak, 2, 'alice\'s and bob\'s requests were in flight together');
      const otherToken = await get(`${sim.url}/user`, { token: alice2 });
      assert.ok(secondary(otherToken), 'limits count per user: alice\'s second token is alice');
      assert.equal((await held.release()).status, 200);
      const stats = sim.stats();
      assert.deepEqual([stats.users.bob.secondaryLimited, stats.users.bob.concurrencyPeak], [0, 1]);
      assert.deepEqual([stats.users.alice.secondaryLimited, stats.users.alice.concurrencyPeak], [1, 2]);
      clock.advance(1000);
      assert.equal((await get(`${sim.url}/user`, { token: alice2 })).status, 200);
    });
  });

  it('defaults the penalty to retryAfter, else 60 s (GitHub: wait at least one minute)', async () => {
    assert.deepEqual(normalizeConcurrency(true), { perUser: 1, retryAfter: null, penalty: CONCURRENCY_PENALTY, status: 403 });
    assert.equal(CONCURRENCY_PENALTY, 60);
    assert.deepEqual(normalizeConcurrency(2), { perUser: 2, retryAfter: null, penalty: 60, status: 403 });
    assert.equal(normalizeConcurrency({ retryAfter: 7 }).penalty, 7);
    assert.equal(normalizeConcurrency({ retryAfter: 7, penalty: 30 }).penalty, 30);
    assert.equal(normalizeConcurrency(null), null);
    for (const bad of [0, 1.5, { perUser: 0 }, { retryAfter: -1 }, { status: 500 }, 'one']) {
      assert.throws(() => normalizeConcurrency(bad), TypeError, JSON.stringify(bad));
    }

    const clock = manualClock();
    await withSimulator({ clock, concurrency: { perUser: 1, status: 429 } }, async (sim) => {
      const [token] = sim.tokens;
      const held = heldRequest(sim, token);
      await until(() => peakOf(sim, sim.users[0].login) === 1, 'the first request is in flight');
      const refused = await get(`${sim.url}/user`, { token });
      assert.equal(refused.status, 429);
      assert.match(refused.json().message, /secondary rate limit/);
      assert.equal(refused.headers['retry-after'], undefined, 'no retry-after unless configured');
      await held.release();
      clock.advance(59_000);
      const still = await get(`${sim.url}/user`, { token });
      assert.equal(still.status, 429);
      assert.equal(still.headers['retry-after'], undefined);
      clock.advance(1000);
      assert.equal((await get(`${sim.url}/user`, { token })).status, 200);
    });
  });

  it('is switched at runtime by setConcurrency() and PATCH /_simulator/faults, other faults kept', async () => {
    await withSimulator({ limits: { core: 1 }, faults: { primaryStatus: 429 } }, async (sim) => {
      const [token] = sim.tokens;
      const { login } = sim.users[0];
      const crowd = async () => {
        sim.resetStats();
        const held = heldRequest(sim, token);
        await until(() => peakOf(sim, login) === 1, 'the first request is in flight');
        const status = (await get(`${sim.url}/rate_limit`, { token })).status;
        await held.release();
        return status;
      };
      assert.equal(await crowd(), 200, 'off by default');
      sim.setConcurrency({ perUser: 1, retryAfter: 0 });
      assert.equal(await crowd(), 403);
      sim.setConcurrency(null);
      assert.equal(await crowd(), 200);

      const patch = (body) => fetch(`${sim.url}/_simulator/faults`, { method: 'PATCH', body: JSON.stringify(body) });
      assert.equal((await patch({ concurrency: { perUser: 1, retryAfter: 0 } })).status, 200);
      assert.equal(await crowd(), 403);
      const bad = await patch({ concurrency: { perUser: 0 }, latency: true });
      assert.equal(bad.status, 400);
      assert.match((await bad.json()).message, /perUser/);
      assert.equal(await crowd(), 403, 'a refused change changes nothing');
      assert.equal((await patch({ concurrency: null })).status, 200);
      assert.equal(await crowd(), 200);
      assert.equal((await patch({ next: [] })).status, 400, 'the queue is not a switch');
      // primaryStatus survived every change (GET /rate_limit above spent nothing)
      assert.equal((await get(`${sim.url}/user`, { token })).status, 200);
      assert.equal((await get(`${sim.url}/user`, { token })).status, 429);
    });
  });

  it('enforces and counts the penalty of a queued secondary fault without faults.secondary', async () => {
    const clock = manualClock();
    await withSimulator({ clock }, async (sim) => {
      const [token, other] = sim.tokens;
      const { login } = sim.users[0];
      sim.queueFault({ path: '/user', kind: 'secondary', retryAfter: 3 });
      const limited = await get(`${sim.url}/user`, { token });
      assert.ok(secondary(limited));
      assert.equal(limited.headers['retry-after'], '3');
      const again = await get(`${sim.url}/repos/${sim.corpus.repositories[1].fullName}`, { token });
      assert.ok(secondary(again), 'the penalty holds every path of the user');
      assert.equal(again.headers['retry-after'], '3');
      assert.equal((await get(`${sim.url}/user`, { token: other })).status, 200);
      clock.advance(3000);
      assert.equal((await get(`${sim.url}/user`, { token })).status, 200);
      let user = sim.stats().users[login];
      assert.deepEqual([user.secondaryLimited, user.duringPenalty], [2, 1]);

      // A penalty longer than the retry-after it announces, and one announced by none.
      sim.queueFault({ path: '/user', kind: 'secondary', penalty: 10 });
      const silent = await get(`${sim.url}/user`, { token });
      assert.ok(secondary(silent));
      assert.equal(silent.headers['retry-after'], undefined);
      clock.advance(9000);
      const stillSilent = await get(`${sim.url}/user`, { token });
      assert.ok(secondary(stillSilent));
      assert.equal(stillSilent.headers['retry-after'], undefined);
      clock.advance(1000);
      assert.equal((await get(`${sim.url}/user`, { token })).status, 200);
      user = sim.stats().users[login];
      assert.deepEqual([user.secondaryLimited, user.duringPenalty], [4, 2]);
    });
  });
});

// The engine's details query (addon/core/graphql_query.cc, as in 33.simulator.graphql-budget.test.js).
const DETAILS = `query Details($ids: [ID!]!) {
  rateLimit { cost remaining resetAt limit used }
  nodes(ids: $ids) {
    ... on Repository {
      databaseId
      watchers { totalCount }
      languages(first: 100, orderBy: {field: SIZE, direction: DESC}) { edges { size node { name } } }
      codeOfConduct { key }
      contributingGuidelines { url }
      issueTemplates { name }
      pullRequestTemplates { filename }
      licenseInfo { spdxId }
      root: object(expression: "HEAD:") { ... on Tree { entries { name type } } }
      readme_md: object(expression: "HEAD:README.md") { ... on Blob { text } }
      readme_lower_md: object(expression: "HEAD:readme.md") { ... on Blob { text } }
      readme_plain: object(expression: "HEAD:README") { ... on Blob { text } }
      readme_rst: object(expression: "HEAD:README.rst") { ... on Blob { text } }
      readme_txt: object(expression: "HEAD:README.txt") { ... on Blob { text } }
      readme_docs: object(expression: "HEAD:docs/README.md") { ... on Blob { text } }
      readme_github: object(expression: "HEAD:.github/README.md") { ... on Blob { text } }
    }
  }
}`;

describe('simulator: GitHub latencies (faults.latency)', () => {
  it('is off by default, and `true` means GitHub-like figures', async () => {
    assert.deepEqual(normalizeLatency(true), {
      searchMs: [300, 700], restMs: [100, 300], graphqlMs: [200, 400], graphqlWorkMs: [2.5, 2.5], fastMs: [30, 80], scale: 1,
    });
    assert.deepEqual(normalizeLatency('github'), normalizeLatency(true));
    assert.equal(normalizeLatency({ restMs: 5, scale: 0.5 }).restMs[0], 5);
    assert.equal(LATENCY_DEFAULTS.scale, 1);
    for (const bad of [{ searchMs: [700, 300] }, { restMs: -1 }, { scale: -1 }, { slowMs: 3 }, 5, 'fast']) {
      assert.throws(() => normalizeLatency(bad), TypeError, JSON.stringify(bad));
    }
    await withSimulator({}, async (sim) => {
      await get(`${sim.url}/search/repositories?q=stars:>1`, { token: sim.tokens[0] });
      assert.deepEqual(sim.stats().latency, { requests: 0, ms: 0, maxMs: 0, byKind: {} });
    });
  });

  it('holds a search page for searchMs x scale, drawn from the seed, before answering', async () => {
    const scale = 0.1;
    await withSimulator({ latency: { scale } }, async (sim) => {
      const [token] = sim.tokens;
      const url = `${sim.url}/search/repositories?q=stars:>1&per_page=100`;
      const started = performance.now();
      const res = await get(url, { token });
      const elapsed = performance.now() - started;
      assert.equal(res.status, 200);
      const { search } = sim.stats().latency.byKind;
      assert.equal(search.requests, 1);
      assert.ok(search.ms >= 300 * scale && search.ms <= 700 * scale, String(search.ms));
      assert.ok(elapsed >= search.ms - 1, `answered after ${elapsed} ms, held ${search.ms} ms`);
      // The same request of a fresh start draws the same delay.
      sim.reset();
      await get(url, { token });
      assert.equal(sim.stats().latency.byKind.search.ms, search.ms);
      // GET /rate_limit is fast; a repository document in between.
      await get(`${sim.url}/rate_limit`, { token });
      await get(`${sim.url}/repos/${sim.corpus.repositories[2].fullName}/languages`, { token });
      const { rate_limit: rateLimit, languages } = sim.stats().latency.byKind;
      assert.ok(rateLimit.ms >= 30 * scale && rateLimit.ms <= 80 * scale, String(rateLimit.ms));
      assert.ok(languages.ms >= 100 * scale && languages.ms <= 300 * scale, String(languages.ms));
    });
  });

  it('holds a GraphQL query in proportion to its work: 100 repositories of details 1-4 s at scale 1, one repository far less', async () => {
    const scale = 0.02;
    await withSimulator({ repositories: 500, latency: { scale } }, async (sim) => {
      const [token] = sim.tokens;
      const details = (count) => post(`${sim.url}/graphql`, {
        query: DETAILS, variables: { ids: sim.corpus.repositories.slice(0, count).map((repo) => repo.node_id) },
      }, { token });
      assert.equal((await details(1)).status, 200);
      const one = sim.stats({ reset: true }).latency.byKind.graphql.ms;
      const started = performance.now();
      const res = await details(100);
      const elapsed = performance.now() - started;
      assert.equal(res.json().data.nodes.length, 100);
      const stats = sim.stats();
      const hundred = stats.latency.byKind.graphql.ms;
      assert.ok(stats.graphqlMaxWork > 500, `work ${stats.graphqlMaxWork}: measured while the latency is on`);
      assert.ok(hundred / scale >= 1000 && hundred / scale <= 4000, `${hundred / scale} ms at scale 1`);
      assert.ok(hundred > 4 * one, `100 repositories ${hundred} ms, one ${one} ms`);
      assert.ok(elapsed >= hundred - 1, `answered after ${elapsed} ms, held ${hundred} ms`);
    });
  });

  it('holds each request on its own timer: another user is answered while a request is held, and the held one still counts as in flight', async () => {
    const latency = { searchMs: 60_000, restMs: 20, fastMs: 0 };
    await withSimulator({ users: ['alice', 'bob'], latency, concurrency: { perUser: 1, retryAfter: 1 } }, async (sim) => {
      const [alice, bob] = sim.tokens;
      let held = 'pending';
      const search = get(`${sim.url}/search/repositories?q=stars:>1`, { token: alice })
        .then(() => { held = 'answered'; }, () => { held = 'closed'; });
      await until(() => peakOf(sim, 'alice') === 1, 'alice\'s search is held');

      const started = performance.now();
      const repo = await get(`${sim.url}/repos/${sim.corpus.repositories[3].fullName}`, { token: bob });
      assert.equal(repo.status, 200);
      assert.ok(performance.now() - started >= 19, 'bob\'s own latency applied');
      assert.equal(held, 'pending', 'alice\'s held search does not hold bob');
      assert.equal(sim.stats().concurrencyPeak, 2);
      // The delay comes after the request is counted in flight: alice is still sending one.
      const crowded = await get(`${sim.url}/user`, { token: alice });
      assert.ok(secondary(crowded), 'a request during alice\'s held search breaks the serial rule');
      assert.equal(sim.stats().users.alice.concurrencyPeak, 2);
      await sim.close();
      await search;
      assert.equal(held, 'closed', 'the held search ends with the server, not after its minute');
    });
  });

  it('is switched at runtime by setLatency() and the control routes', async () => {
    await withSimulator({}, async (sim) => {
      const [token] = sim.tokens;
      sim.setLatency({ scale: 0.01 });
      await get(`${sim.url}/user`, { token });
      assert.equal(sim.stats().latency.byKind.user.requests, 1);
      sim.setLatency(null);
      await get(`${sim.url}/user`, { token });
      assert.equal(sim.stats({ reset: true }).latency.requests, 1);
      const patch = await fetch(`${sim.url}/_simulator/faults`, { method: 'PATCH', body: JSON.stringify({ latency: { scale: 0 } }) });
      assert.equal(patch.status, 200);
      await get(`${sim.url}/user`, { token });
      assert.deepEqual(sim.stats().latency.byKind.user, { requests: 1, ms: 0, maxMs: 0 });
      const replaced = await fetch(`${sim.url}/_simulator/faults`, { method: 'POST', body: '{}' });
      assert.equal(replaced.status, 200);
      await get(`${sim.url}/user`, { token });
      assert.equal(sim.stats().latency.requests, 1, 'POST replaces every fault: the latency is off again');
    });
  });

  it('is a CLI flag, as is the serial rule', async () => {
    const cli = fileURLToPath(new URL('../simulator/cli.js', import.meta.url));
    const child = spawn(process.execPath, [cli, '--repos=50', '--tokens=1', '--latency={"scale":0.01}', '--concurrency=1'], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      let line = '';
      child.stdout.setEncoding('utf8');
      while (!line.includes('\n')) line += (await once(child.stdout, 'data'))[0];
      const { url, tokens } = JSON.parse(line);
      await get(`${url}/user`, { token: tokens[0] });
      const stats = await (await fetch(`${url}/_simulator/stats`)).json();
      assert.equal(stats.latency.byKind.user.requests, 1);
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });
});
