// One lane per GitHub user, against a GitHub that enforces its serial rule: a second
// request of a user sent while one is in flight is a secondary limit that pauses the
// user, and every request during the pause is refused again (test/simulator/README.md,
// "The serial rule"). The engine must never trip it, whatever the workers and tokens.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { startRun } from '../../binding/index.js';
import { startSimulator } from '../simulator/index.js';

const DETAILS = ['languages', 'readme', 'community'];
// A penalty long enough that a request sent during it would be seen, short enough that
// a run that tripped one would still end.
const SERIAL_RULE = { perUser: 1, retryAfter: 1, penalty: 1 };

async function collect(sim, options) {
  const repositories = [];
  const run = startRun(
    { tokens: sim.tokens, apiUrl: sim.url, details: DETAILS, ...options },
    { onBatch: (batch) => { repositories.push(...batch.repositories); } },
  );
  const result = await run.done;
  return { result, repositories };
}

// What a run stored, comparable across runs: every field but the ETags and finders.
function rows(repositories) {
  return new Map(repositories.map(({ etags, clusters_found, ...repo }) => [repo.id, repo]));
}

function perUserPeaks(stats) {
  return Object.fromEntries(Object.entries(stats.users).map(([login, user]) => [login, user.concurrencyPeak]));
}

describe('one lane per GitHub user', () => {
  for (const api of ['graphql', 'rest']) {
    it(`${api}: a GitHub that penalises a second concurrent request sees none, and the rows are the same`, async () => {
      // Ten tokens of two users: ten workers, two lanes. A small latency keeps requests
      // in flight long enough that two of one user would overlap if the pool let them.
      const users = (token, index) => (index % 2 === 0 ? 'lane-even' : 'lane-odd');
      const sim = await startSimulator({ seed: 36, repositories: 1500, tokens: 10, badTokens: 0, users });
      try {
        // Limits past what the queries match: every match is delivered whatever the
        // order of claims, so the two runs can be compared row by row.
        const groups = [
          { name: 'a', queries: ['topic:machine-learning'], limit: 5000 },
          { name: 'b', queries: ['topic:react', 'stars:>=2000'], limit: 5000 },
        ];
        const plain = await collect(sim, { groups, api, workers: 1 });
        assert.equal(plain.result.ok, true, plain.result.error);
        sim.reset();
        sim.changeFaults({ concurrency: SERIAL_RULE, latency: { scale: 0.02 } });
        const serial = await collect(sim, { groups, api, workers: 10 });
        assert.equal(serial.result.ok, true, serial.result.error);
        const stats = sim.stats();
        assert.equal(stats.duringPenalty, 0, 'a request arrived during a penalty');
        assert.equal(stats.secondaryLimited, 0, 'a second concurrent request of a user was sent');
        for (const [login, peak] of Object.entries(perUserPeaks(stats))) assert.equal(peak, 1, `${login}: ${peak} in flight at once`);
        assert.ok(stats.latency.requests > 0, 'the latency was on');
        assert.ok(plain.repositories.length >= 100, `${plain.repositories.length} repositories: too few to prove anything`);
        assert.deepEqual(rows(serial.repositories), rows(plain.repositories));
      } finally {
        await sim.close();
      }
    });
  }

  it('--concurrency-per-user=3 lets three requests of a user fly; against the serial rule a secondary limit narrows the lane', async () => {
    const users = () => 'one-user';
    const sim = await startSimulator({ seed: 37, repositories: 800, tokens: 6, badTokens: 0, users });
    try {
      const groups = [{ name: 'a', queries: ['stars:>=0'], limit: 200 }];
      sim.changeFaults({ latency: { scale: 0.02 } });
      const wide = await collect(sim, { groups, api: 'rest', workers: 6, concurrencyPerUser: 3 });
      assert.equal(wide.result.ok, true, wide.result.error);
      const peak = perUserPeaks(sim.stats())['one-user'];
      assert.equal(peak, 3, `${peak} in flight at once`);

      // The same against the serial rule: the first secondary limit pauses the user and
      // halves its lane (3 -> 1) for the rest of the run, which then completes; the same
      // width after the pause would only meet the next one.
      sim.reset();
      sim.changeFaults({ concurrency: SERIAL_RULE, latency: { scale: 0.02 } });
      const risky = await collect(sim, { groups, api: 'rest', concurrencyPerUser: 3 });
      assert.equal(risky.result.ok, true, risky.result.error);
      assert.equal(risky.repositories.length, 200, 'the run completes after its pause');
      const limited = sim.stats().secondaryLimited;
      assert.ok(limited > 0, 'three at once never overlapped: the test proves nothing');
      assert.ok(limited <= 3, `${limited} secondary limits: the lane did not narrow`);
    } finally {
      await sim.close();
    }
  });

  it('the binding refuses a lane wider than GitHub allows', () => {
    assert.throws(() => startRun({ tokens: ['ghp_x'], apiUrl: 'http://127.0.0.1:1', groups: [], concurrencyPerUser: 101 }),
      /concurrencyPerUser/);
    assert.throws(() => startRun({ tokens: ['ghp_x'], apiUrl: 'http://127.0.0.1:1', groups: [], concurrencyPerUser: 0 }),
      /concurrencyPerUser/);
  });
});
