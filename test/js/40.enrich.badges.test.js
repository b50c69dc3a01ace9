import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  BADGES,
  POPULAR_STARS,
  badgesOf,
  isBeginnerFriendly,
  isTrending,
  isWellDocumented,
} from '../../js/enrich/badges.js';
import { README_SCAN_CHARS, classifyBadgeUrl, readmeBadges } from '../../js/enrich/readme-badges.js';

const NOW = Date.parse('2025-06-01T00:00:00Z');
const DAY = 86_400_000;
const ago = (days) => new Date(NOW - days * DAY).toISOString();

function repo(fields) {
  return {
    stars: 0, forks: 0, topics: [], description: null, readme: null, community: null,
    is_archived: false, created_at: ago(3000), pushed_at: ago(1), ...fields,
  };
}

const img = (url) => `![badge](${url})`;

describe('enrich: README badges', () => {
  const cases = [
    ['ci', 'https://github.com/o/r/actions/workflows/ci.yml/badge.svg?branch=main'],
    ['ci', 'https://github.com/o/r/workflows/CI/badge.svg'],
    ['ci', 'https://travis-ci.org/o/r.svg?branch=master'],
    ['ci', 'https://app.travis-ci.com/o/r.svg?branch=main'],
    ['ci', 'https://circleci.com/gh/o/r.svg?style=svg'],
    ['ci', 'https://dl.circleci.com/status-badge/img/gh/o/r/tree/main.svg'],
    ['ci', 'https://ci.appveyor.com/api/projects/status/abc123?svg=true'],
    ['ci', 'https://dev.azure.com/o/p/_apis/build/status/r?branchName=main'],
    ['ci', 'https://gitlab.com/o/r/badges/main/pipeline.svg'],
    ['ci', 'https://img.shields.io/github/actions/workflow/status/o/r/ci.yml?branch=main'],
    ['ci', 'https://img.shields.io/github/workflow/status/o/r/CI'],
    ['ci', 'https://img.shields.io/badge/build-passing-brightgreen'],
    ['ci', 'https://img.shields.io/static/v1?label=tests&message=passing&color=green'],
    ['coverage', 'https://codecov.io/gh/o/r/branch/main/graph/badge.svg'],
    ['coverage', 'https://codecov.io/gh/o/r/graph/badge.svg?token=X'],
    ['coverage', 'https://coveralls.io/repos/github/o/r/badge.svg?branch=main'],
    ['coverage', 'https://img.shields.io/codecov/c/github/o/r'],
    ['coverage', 'https://img.shields.io/coveralls/github/o/r'],
    ['coverage', 'https://api.codeclimate.com/v1/badges/abc/test_coverage'],
    ['coverage', 'https://gitlab.com/o/r/badges/main/coverage.svg'],
    ['coverage', 'https://img.shields.io/badge/coverage-97%25-green'],
    ['npm', 'https://img.shields.io/npm/v/left-pad.svg'],
    ['npm', 'https://img.shields.io/npm/v/@scope/pkg?style=flat-square'],
    ['npm', 'https://badge.fury.io/js/left-pad.svg'],
    ['npm', 'https://badgen.net/npm/v/left-pad'],
    ['pypi', 'https://img.shields.io/pypi/v/requests'],
    ['pypi', 'https://badge.fury.io/py/requests.svg'],
    ['crates', 'https://img.shields.io/crates/v/serde.svg'],
    ['docs', 'https://docs.rs/serde/badge.svg'],
    ['docs', 'https://readthedocs.org/projects/requests/badge/?version=latest'],
    ['docs', 'https://pkg.go.dev/badge/github.com/o/r.svg'],
    ['docker', 'https://img.shields.io/docker/v/o/r?sort=semver'],
    ['license', 'https://img.shields.io/github/license/o/r'],
    ['license', 'https://img.shields.io/badge/License-MIT-yellow.svg'],
    ['license', 'https://img.shields.io/badge/license-Apache%202.0-blue'],
    ['license', 'https://img.shields.io/npm/l/left-pad'],
    ['license', 'https://img.shields.io/pypi/l/requests'],
    ['license', 'https://img.shields.io/crates/l/serde'],
    ['downloads', 'https://img.shields.io/npm/dm/left-pad.svg'],
    ['downloads', 'https://img.shields.io/pypi/dm/requests'],
    ['downloads', 'https://img.shields.io/crates/d/serde'],
    ['downloads', 'https://static.pepy.tech/badge/requests/month'],
    ['downloads', 'https://pepy.tech/badge/requests'],
    ['downloads', 'https://img.shields.io/github/downloads/o/r/total'],
  ];
  for (const [badge, url] of cases) {
    it(`reads ${badge} from ${url}`, () => {
      assert.deepEqual(readmeBadges(img(url)), [badge]);
    });
  }

  it('reads docker pulls as both docker and downloads', () => {
    assert.deepEqual(readmeBadges(img('https://img.shields.io/docker/pulls/o/r')), ['docker', 'downloads']);
  });

  it('ignores images that are not these badges, and links that are not images', () => {
    const readme = [
      img('https://img.shields.io/github/stars/o/r?style=social'),
      img('https://img.shields.io/discord/123?label=discord'),
      img('https://raw.githubusercontent.com/o/r/main/docs/logo.png'),
      '[npm](https://www.npmjs.com/package/x) [codecov](https://codecov.io/gh/o/r)',
      '[travis](https://travis-ci.org/o/r) see https://img.shields.io/npm/v/x in text',
    ].join('\n');
    assert.deepEqual(readmeBadges(readme), []);
  });

  it('reads every markdown and HTML style: inline, linked, angle brackets, reference-style, <img>', () => {
    const readme = [
      '<p align="center">',
      '  <a href="https://github.com/o/r/actions"><img alt="CI" src="https://github.com/o/r/actions/workflows/ci.yml/badge.svg"></a>',
      "  <img src='https://img.shields.io/npm/v/x' width=90>",
      '  <IMG SRC=https://codecov.io/gh/o/r/graph/badge.svg />',
      '</p>',
      '[![PyPI](https://img.shields.io/pypi/v/x)](https://pypi.org/project/x/)',
      '![crates](<https://img.shields.io/crates/v/x>)',
      '![License][license-badge]',
      '',
      '[license-badge]: https://img.shields.io/github/license/o/r',
      '   [downloads]: <https://static.pepy.tech/badge/x>',
    ].join('\n');
    assert.deepEqual(readmeBadges(readme), ['ci', 'coverage', 'npm', 'pypi', 'crates', 'license', 'downloads']);
  });

  it('lists each badge once, in a fixed order', () => {
    const readme = [
      img('https://img.shields.io/npm/dm/x'),
      img('https://img.shields.io/github/license/o/r'),
      img('https://travis-ci.org/o/r.svg'),
      img('https://github.com/o/r/actions/workflows/a.yml/badge.svg'),
    ].join(' ');
    assert.deepEqual(readmeBadges(readme), ['ci', 'license', 'downloads']);
  });

  it('looks only in the first README_SCAN_CHARS characters', () => {
    const padding = 'x'.repeat(README_SCAN_CHARS);
    assert.deepEqual(readmeBadges(`${img('https://img.shields.io/npm/v/x')}${padding}`), ['npm']);
    assert.deepEqual(readmeBadges(`${padding}${img('https://img.shields.io/npm/v/x')}`), []);
  });

  it('gives nothing for a null, empty or unicode-only README', () => {
    assert.deepEqual(readmeBadges(null), []);
    assert.deepEqual(readmeBadges(''), []);
    assert.deepEqual(readmeBadges('# 你好 🌍\n\n![图](https://example.com/图.png)'), []);
  });

  it('classifies one URL into a bit set', () => {
    assert.equal(classifyBadgeUrl('https://example.com/logo.png'), 0);
    assert.notEqual(classifyBadgeUrl('https://img.shields.io/npm/v/x'), 0);
  });
});

describe('enrich: computed badges', () => {
  it('popular from 1000 stars', () => {
    assert.equal(POPULAR_STARS, 1000);
    assert.deepEqual(badgesOf(repo({ stars: 999 }), NOW), []);
    assert.deepEqual(badgesOf(repo({ stars: 1000 }), NOW), ['popular']);
  });

  it('trending: at most a year old, pushed within 30 days, 100+ stars at 5+ a day', () => {
    const young = { created_at: ago(20), pushed_at: ago(1) };
    assert.equal(isTrending(repo({ ...young, stars: 100 }), NOW), true);
    assert.equal(isTrending(repo({ ...young, stars: 99 }), NOW), false);
    // 5 stars a day exactly, at the 365-day boundary
    assert.equal(isTrending(repo({ created_at: ago(365), pushed_at: ago(0), stars: 1825 }), NOW), true);
    assert.equal(isTrending(repo({ created_at: ago(365), pushed_at: ago(0), stars: 1824 }), NOW), false);
    assert.equal(isTrending(repo({ created_at: ago(366), pushed_at: ago(0), stars: 1e6 }), NOW), false);
    // pushed exactly 30 days ago counts, 31 does not
    assert.equal(isTrending(repo({ created_at: ago(40), pushed_at: ago(30), stars: 500 }), NOW), true);
    assert.equal(isTrending(repo({ created_at: ago(40), pushed_at: ago(31), stars: 500 }), NOW), false);
    // a repository created today counts its age as one day
    assert.equal(isTrending(repo({ created_at: ago(0), pushed_at: ago(0), stars: 100 }), NOW), true);
  });

  it('trending never for archived repositories or unknown dates', () => {
    assert.equal(isTrending(repo({ created_at: ago(10), stars: 5000, is_archived: true }), NOW), false);
    assert.equal(isTrending(repo({ created_at: null, stars: 5000 }), NOW), false);
    assert.equal(isTrending(repo({ created_at: ago(10), pushed_at: null, stars: 5000 }), NOW), false);
  });

  it('well-documented: 2000+ characters, 3+ headings and a description', () => {
    const body = 'Words. '.repeat(300);
    const readme = `# Title\n\n${body}\n## Install\n\n<h2 align="center">Usage</h2>\n`;
    assert.ok(readme.length >= 2000);
    assert.equal(isWellDocumented(repo({ readme, description: 'x' })), true);
    assert.equal(isWellDocumented(repo({ readme, description: null })), false);
    assert.equal(isWellDocumented(repo({ readme: readme.replace('## Install', 'Install'), description: 'x' })), false);
    const exact = `# a\n## b\n### c\n${'x'.repeat(2000 - 15)}`;
    assert.equal(exact.length, 2000);
    assert.equal(isWellDocumented(repo({ readme: exact, description: 'x' })), true);
    assert.equal(isWellDocumented(repo({ readme: exact.slice(0, -1), description: 'x' })), false);
    // '#hashtag' and code comments without a space are not headings
    assert.equal(isWellDocumented(repo({ readme: `#a\n#b\n#c\n${body}`, description: 'x' })), false);
  });

  it('beginner-friendly from topics, README mentions, or contributing guide plus code of conduct', () => {
    assert.equal(isBeginnerFriendly(repo({ topics: ['hacktoberfest'] })), true);
    assert.equal(isBeginnerFriendly(repo({ readme: 'Look for Good First Issue labels.' })), true);
    assert.equal(isBeginnerFriendly(repo({ community: { contributing: true, code_of_conduct: true } })), true);
    assert.equal(isBeginnerFriendly(repo({ community: { contributing: true, code_of_conduct: false } })), false);
    assert.equal(isBeginnerFriendly(repo({ topics: ['hacktoberfest'], is_archived: true })), false);
    assert.equal(isBeginnerFriendly(repo({})), false);
  });

  it('lists computed badges first, then README badges, all in BADGES order', () => {
    const readme = `# a\n## b\n### c\n${img('https://img.shields.io/github/license/o/r')} ${img('https://codecov.io/gh/o/r/graph/badge.svg')}${' x'.repeat(1000)}`;
    const badges = badgesOf(repo({ stars: 5000, readme, description: 'd', topics: ['good-first-issue'] }), NOW);
    assert.deepEqual(badges, ['popular', 'well-documented', 'beginner-friendly', 'coverage', 'license']);
    const order = badges.map((b) => BADGES.indexOf(b));
    assert.deepEqual(order, [...order].sort((a, b) => a - b));
  });

  it('gives no badge when everything is null', () => {
    assert.deepEqual(badgesOf({}, NOW), []);
    assert.deepEqual(
      badgesOf({ stars: null, topics: null, readme: null, community: null, created_at: null, pushed_at: null }, NOW),
      [],
    );
  });

  it('rejects an invalid now', () => {
    assert.throws(() => badgesOf(repo({}), undefined), TypeError);
  });
});
