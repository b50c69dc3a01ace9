import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { POINTS, computedHealth, healthScoreOf } from '../../js/enrich/health.js';

const FULL = {
  license: 'MIT',
  description: 'A tool',
  readme: '# tool\n',
  homepage: 'https://tool.dev',
  topics: ['a', 'b', 'c'],
  open_issues: 0,
  stars: 100,
  community: null,
};

describe('enrich: healthScoreOf()', () => {
  it("uses the community profile's health percentage when it was fetched", () => {
    const community = { health_percentage: 42, readme: true, license: true };
    assert.equal(healthScoreOf({ ...FULL, community }), 42);
  });

  it('rounds and clamps the percentage to an integer 0..100', () => {
    assert.equal(healthScoreOf({ community: { health_percentage: 87.5 } }), 88);
    assert.equal(healthScoreOf({ community: { health_percentage: 140 } }), 100);
    assert.equal(healthScoreOf({ community: { health_percentage: -3 } }), 0);
  });

  it('computes the score when the percentage is missing or not a number', () => {
    assert.equal(healthScoreOf({ ...FULL, community: { health_percentage: null } }), 100);
    assert.equal(healthScoreOf({ ...FULL, community: { health_percentage: 'high' } }), 100);
  });

  it('gives 100 for every signal, and the points add up to 100', () => {
    assert.equal(Object.values(POINTS).reduce((a, b) => a + b, 0), 100);
    assert.equal(healthScoreOf(FULL), 100);
  });

  it('gives only the issue points when everything is null', () => {
    const bare = { license: null, description: null, readme: null, homepage: null, topics: [], open_issues: 0, stars: 0 };
    assert.equal(healthScoreOf(bare), 25);
    assert.equal(healthScoreOf({}), 25);
  });

  it('scores each signal on its own', () => {
    const none = { topics: [], open_issues: 1000, stars: 1 };
    assert.equal(computedHealth(none), 0);
    assert.equal(computedHealth({ ...none, license: 'Apache-2.0' }), 20);
    assert.equal(computedHealth({ ...none, description: 'x' }), 15);
    assert.equal(computedHealth({ ...none, readme: 'x' }), 20);
    assert.equal(computedHealth({ ...none, homepage: 'https://x' }), 10);
    assert.equal(computedHealth({ ...none, topics: ['a'] }), 5);
    assert.equal(computedHealth({ ...none, topics: ['a', 'b'] }), 5);
    assert.equal(computedHealth({ ...none, topics: ['a', 'b', 'c'] }), 10);
  });

  it('does not count blank strings', () => {
    assert.equal(computedHealth({ description: '   ', homepage: '', readme: '\n', license: '', topics: [], open_issues: 9, stars: 1 }), 0);
  });

  it("takes the community profile's readme and license flags when the fields are missing", () => {
    const none = { topics: [], open_issues: 1000, stars: 1, community: { readme: true, license: true } };
    assert.equal(computedHealth(none), 40);
  });

  it('steps the issue ratio at 0.05, 0.1 and 0.25 open issues per star (boundaries included)', () => {
    const issues = (open_issues) => computedHealth({ topics: [], stars: 100, open_issues });
    assert.deepEqual([0, 5, 6, 10, 11, 25, 26].map(issues), [25, 25, 15, 15, 5, 5, 0]);
  });

  it('counts zero stars as one', () => {
    assert.equal(computedHealth({ topics: [], stars: 0, open_issues: 0 }), 25);
    assert.equal(computedHealth({ topics: [], stars: 0, open_issues: 1 }), 0);
  });

  it('handles unicode and huge numbers', () => {
    assert.equal(computedHealth({ description: '日本語の説明 🚀', topics: ['λ'], stars: 2e9, open_issues: 1e6 }), 45);
  });

  it('returns integers', () => {
    for (const repo of [FULL, {}, { topics: ['a'], stars: 3, open_issues: 1 }]) {
      assert.ok(Number.isInteger(healthScoreOf(repo)));
    }
  });
});
