import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { complexityOf, complexityPoints } from '../../js/enrich/complexity.js';

function repo(fields) {
  return { language: null, languages: null, size_kb: null, open_issues: 0, topics: [], ...fields };
}

describe('enrich: complexityOf()', () => {
  it('steps code size at 50 KB, 500 KB, 5 MB and 50 MB (each boundary in the upper step)', () => {
    const points = (bytes) => complexityPoints(repo({ languages: { Go: bytes } }));
    assert.deepEqual(
      [0, 49_999, 50_000, 499_999, 500_000, 4_999_999, 5_000_000, 49_999_999, 50_000_000].map(points),
      [0, 0, 1, 1, 2, 2, 3, 3, 4],
    );
  });

  it('maps points to levels: up to 1 low, 2 and 3 medium, 4 and more high', () => {
    assert.equal(complexityOf(repo({ languages: { Go: 499_999 } })), 'low');
    assert.equal(complexityOf(repo({ languages: { Go: 500_000 } })), 'medium');
    assert.equal(complexityOf(repo({ languages: { Go: 49_999_999 } })), 'medium');
    assert.equal(complexityOf(repo({ languages: { Go: 50_000_000 } })), 'high');
  });

  it('adds a point for 3 or 4 languages with at least 2% of the bytes, two for 5 or more', () => {
    const base = { A: 300_000 }; // with B (and C): under 500 KB, one size point
    assert.equal(complexityPoints(repo({ languages: { ...base, B: 50_000 } })), 1);
    assert.equal(complexityPoints(repo({ languages: { ...base, B: 50_000, C: 50_000 } })), 2);
    // exactly 2% counts, just below does not
    assert.equal(complexityPoints(repo({ languages: { A: 900, B: 40, C: 20, D: 20, E: 20 } })), 2);
    assert.equal(complexityPoints(repo({ languages: { A: 901, B: 40, C: 20, D: 20, E: 19 } })), 1);
    assert.equal(complexityPoints(repo({ languages: { A: 500_000, B: 200_000, C: 100_000, D: 100_000, E: 100_000 } })), 4);
  });

  it('adds a point at 200 open issues, not at 199', () => {
    assert.equal(complexityPoints(repo({ languages: { Go: 1000 }, open_issues: 199 })), 0);
    assert.equal(complexityPoints(repo({ languages: { Go: 1000 }, open_issues: 200 })), 1);
  });

  it('adds a point for involved domains and takes one for lists, tutorials and templates', () => {
    const mid = { languages: { C: 600_000 } };
    assert.equal(complexityOf(repo({ ...mid })), 'medium');
    assert.equal(complexityOf(repo({ ...mid, topics: ['compiler'] })), 'medium');
    assert.equal(complexityPoints(repo({ ...mid, topics: ['compiler'] })), 3);
    assert.equal(complexityOf(repo({ ...mid, topics: ['awesome-list'] })), 'low');
    assert.equal(complexityPoints(repo({ ...mid, topics: ['compiler', 'tutorial'] })), 2);
  });

  it('uses size_kb when languages were not fetched', () => {
    assert.equal(complexityPoints(repo({ size_kb: 40 })), 0);
    assert.equal(complexityPoints(repo({ size_kb: 1000, language: 'Rust' })), 2);
    assert.equal(complexityOf(repo({ size_kb: 60_000, language: 'Rust' })), 'high');
  });

  it('takes known-empty languages as no code, whatever size_kb says', () => {
    assert.equal(complexityOf(repo({ languages: {}, size_kb: 900_000 })), 'low');
  });

  it('gives null when the size is unknown', () => {
    assert.equal(complexityOf(repo({})), null);
    assert.equal(complexityOf({}), null);
  });

  it('handles huge repositories', () => {
    const huge = { C: 1.2e12, Assembly: 5e10, Python: 3e10, Shell: 3e10, Perl: 3e10, Rust: 3e10 };
    assert.equal(complexityOf(repo({ languages: huge, size_kb: 5e9, open_issues: 1e6, topics: ['kernel'] })), 'high');
  });

  it('never goes below low', () => {
    assert.equal(complexityOf(repo({ languages: {}, topics: ['awesome', 'dotfiles'] })), 'low');
  });
});
