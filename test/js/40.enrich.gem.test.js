import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { GEM_MAX_STARS, GEM_MIN_HEALTH, GEM_MIN_STARS, isGem, qualitySignals } from '../../js/enrich/gem.js';

// A gem: live, healthy, modest stars, three signals (CI, coverage, a package).
const REPO = { stars: 200, forks: 5, homepage: null, is_fork: false, is_archived: false };
const DERIVED = { activity: 'active', health_score: 80, badges: ['ci', 'coverage', 'npm'] };

describe('enrich: isGem()', () => {
  it('takes a live, healthy repository with three quality signals and modest stars', () => {
    assert.equal(isGem(REPO, DERIVED), true);
    assert.equal(isGem(REPO, { ...DERIVED, activity: 'maintained' }), true);
  });

  it('needs stars in [10, 1000)', () => {
    assert.deepEqual([GEM_MIN_STARS, GEM_MAX_STARS], [10, 1000]);
    assert.equal(isGem({ ...REPO, stars: 9 }, DERIVED), false);
    assert.equal(isGem({ ...REPO, stars: 10 }, DERIVED), true);
    assert.equal(isGem({ ...REPO, stars: 999 }, DERIVED), true);
    assert.equal(isGem({ ...REPO, stars: 1000 }, DERIVED), false);
  });

  it('needs a health score of at least 70', () => {
    assert.equal(GEM_MIN_HEALTH, 70);
    assert.equal(isGem(REPO, { ...DERIVED, health_score: 70 }), true);
    assert.equal(isGem(REPO, { ...DERIVED, health_score: 69 }), false);
    assert.equal(isGem(REPO, { ...DERIVED, health_score: null }), false);
  });

  it('needs activity active or maintained', () => {
    for (const activity of ['stale', 'abandoned', null]) assert.equal(isGem(REPO, { ...DERIVED, activity }), false);
  });

  it('never takes forks or archived repositories', () => {
    assert.equal(isGem({ ...REPO, is_fork: true }, DERIVED), false);
    assert.equal(isGem({ ...REPO, is_archived: true }, DERIVED), false);
  });

  it('needs three signals, not two', () => {
    assert.equal(isGem(REPO, { ...DERIVED, badges: ['ci', 'coverage'] }), false);
  });

  it('counts each signal once: packages together, homepage, forks at 10% of stars, well-documented', () => {
    assert.equal(qualitySignals(REPO, ['npm', 'pypi', 'crates']), 1);
    assert.equal(qualitySignals({ ...REPO, homepage: 'https://x.dev' }, []), 1);
    assert.equal(qualitySignals({ ...REPO, homepage: '  ' }, []), 0);
    assert.equal(qualitySignals({ ...REPO, forks: 20 }, []), 1);
    assert.equal(qualitySignals({ ...REPO, forks: 19 }, []), 0);
    assert.equal(qualitySignals(REPO, ['well-documented', 'license', 'downloads', 'popular']), 1);
    assert.equal(
      qualitySignals({ ...REPO, homepage: 'h', forks: 100 }, ['well-documented', 'ci', 'coverage', 'pypi']),
      6,
    );
  });

  it('copes with nulls everywhere', () => {
    const bare = { stars: null, forks: null, homepage: null, is_fork: null, is_archived: null };
    assert.equal(isGem(bare, { activity: null, health_score: null, badges: [] }), false);
    assert.equal(qualitySignals({ stars: 0, forks: 0 }, []), 0);
  });
});
