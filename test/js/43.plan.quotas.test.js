import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { loadClusters } from '../../js/config/clusters.js';
import { planLimits } from '../../js/plan/quotas.js';

const sum = (plan) => Object.values(plan).reduce((acc, n) => acc + n, 0);

const defaults = loadClusters();
const QUOTAS = Object.fromEntries(Object.entries(defaults.clusters).map(([name, { quota }]) => [name, quota]));
const ALL = Object.keys(QUOTAS);

describe('planLimits without --limit', () => {
  it('wants what each quota still lacks', () => {
    assert.deepEqual(planLimits({ quotas: { a: 100, b: 50 }, stored: { a: 30 }, selected: ['a', 'b'] }), { a: 70, b: 50 });
  });

  it('a full or overfull cluster wants 0', () => {
    assert.deepEqual(planLimits({ quotas: { a: 100, b: 50 }, stored: { a: 100, b: 80 }, selected: ['a', 'b'] }), { a: 0, b: 0 });
  });

  it('only the selected clusters, stored defaulting to nothing', () => {
    assert.deepEqual(planLimits({ quotas: { a: 100, b: 50, c: 10 }, selected: ['c', 'a'] }), { c: 10, a: 100 });
  });
});

describe('planLimits with --limit', () => {
  it('shares the limit in proportion to the quotas', () => {
    assert.deepEqual(planLimits({ quotas: { a: 200, b: 100, c: 100 }, selected: ['a', 'b', 'c'], limit: 40 }),
      { a: 20, b: 10, c: 10 });
  });

  it('the default clusters: 20,000 over 8 clusters, each share proportional within one', () => {
    for (const limit of [1, 7, 8, 100, 999, 1234, 19_999]) {
      const plan = planLimits({ quotas: QUOTAS, selected: ALL, limit });
      assert.equal(sum(plan), limit, `limit ${limit}`);
      for (const name of ALL) {
        const exact = (limit * QUOTAS[name]) / 20_000;
        assert.ok(Math.abs(plan[name] - exact) < 1, `${name}: ${plan[name]} vs ${exact}`);
      }
    }
  });

  it('the total is exactly the limit, by largest remainder, ties in name order', () => {
    // 10 over three equal quotas: 3 each and one left, which goes to the first name.
    assert.deepEqual(planLimits({ quotas: { c: 5, b: 5, a: 5 }, selected: ['c', 'b', 'a'], limit: 10 }), { c: 3, b: 3, a: 4 });
    // 10 over 1:2: exact 3.33 and 6.67, the larger remainder takes the unit.
    assert.deepEqual(planLimits({ quotas: { a: 100, b: 200 }, selected: ['a', 'b'], limit: 10 }), { a: 3, b: 7 });
  });

  it('is deterministic whatever the order of the selection', () => {
    const one = planLimits({ quotas: QUOTAS, selected: ALL, limit: 1001 });
    const two = planLimits({ quotas: QUOTAS, selected: [...ALL].reverse(), limit: 1001 });
    assert.deepEqual(one, two);
  });

  it('a cluster never gets more than it needs; the rest goes to the others in proportion', () => {
    const plan = planLimits({ quotas: { a: 100, b: 100, c: 200 }, stored: { a: 98 }, selected: ['a', 'b', 'c'], limit: 80 });
    // a needs 2 of its 20; the 18 left are shared 1:2 between b and c.
    assert.deepEqual(plan, { a: 2, b: 26, c: 52 });
  });

  it('capping cascades: a redistributed share can cap another cluster', () => {
    const plan = planLimits({
      quotas: { a: 100, b: 100, c: 100, d: 100 },
      stored: { a: 99, b: 90 },
      selected: ['a', 'b', 'c', 'd'],
      limit: 60,
    });
    // Shares of 15: a takes its 1; then 59 over b, c, d (19.67 each): b takes its 10;
    // then 49 over c and d.
    assert.deepEqual(plan, { a: 1, b: 10, c: 25, d: 24 });
    assert.equal(sum(plan), 60);
  });

  it('a limit above the total need gives every cluster its need', () => {
    const plan = planLimits({ quotas: { a: 100, b: 50 }, stored: { a: 90, b: 45 }, selected: ['a', 'b'], limit: 1000 });
    assert.deepEqual(plan, { a: 10, b: 5 });
  });

  it('the total is exactly min(limit, total need) over many shapes', () => {
    let seed = 7;
    const random = (n) => { seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31; return seed % n; };
    for (let round = 0; round < 300; round += 1) {
      const names = ['a', 'b', 'c', 'd', 'e'].slice(0, 1 + random(5));
      const quotas = Object.fromEntries(names.map((name) => [name, 1 + random(1000)]));
      const stored = Object.fromEntries(names.map((name) => [name, random(1200)]));
      const limit = 1 + random(3000);
      const plan = planLimits({ quotas, stored, selected: names, limit });
      const needs = names.map((name) => Math.max(0, quotas[name] - stored[name]));
      assert.equal(sum(plan), Math.min(limit, needs.reduce((acc, n) => acc + n, 0)));
      names.forEach((name, i) => {
        assert.ok(Number.isInteger(plan[name]) && plan[name] >= 0 && plan[name] <= needs[i], JSON.stringify({ quotas, stored, limit, plan }));
      });
    }
  });

  it('nothing to do: every selected cluster is full', () => {
    assert.deepEqual(planLimits({ quotas: { a: 10, b: 20 }, stored: { a: 10, b: 25 }, selected: ['a', 'b'], limit: 50 }), { a: 0, b: 0 });
    assert.deepEqual(planLimits({ quotas: { a: 10 }, stored: { a: 10 }, selected: ['a'] }), { a: 0 });
  });

  it('a second run with the same limit fetches only what is missing', () => {
    const quotas = { a: 30, b: 10 };
    const first = planLimits({ quotas, selected: ['a', 'b'], limit: 20 });
    assert.deepEqual(first, { a: 15, b: 5 });
    const second = planLimits({ quotas, stored: first, selected: ['a', 'b'], limit: 20 });
    assert.deepEqual(second, { a: 15, b: 5 });
    const third = planLimits({ quotas, stored: { a: 30, b: 10 }, selected: ['a', 'b'], limit: 20 });
    assert.deepEqual(third, { a: 0, b: 0 });
  });

  it('big numbers keep exact totals', () => {
    const plan = planLimits({ quotas: { a: 3_000_000_000, b: 1_000_000_001 }, selected: ['a', 'b'], limit: 4_000_000_000 });
    assert.equal(sum(plan), 4_000_000_000);
  });

  it('rejects quotas, counts and limits that are not whole numbers', () => {
    assert.throws(() => planLimits({ quotas: {}, selected: ['a'] }), TypeError);
    assert.throws(() => planLimits({ quotas: { a: 1 }, stored: { a: -1 }, selected: ['a'] }), TypeError);
    assert.throws(() => planLimits({ quotas: { a: 1 }, selected: ['a'], limit: 1.5 }), TypeError);
  });
});
