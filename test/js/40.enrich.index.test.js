import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { enrich } from '../../js/enrich/index.js';

const NOW = new Date('2025-06-01T00:00:00Z');

const REPO = {
  id: 1296269,
  node_id: 'MDEwOlJlcG9zaXRvcnkxMjk2MjY5',
  full_name: 'octo/fastq',
  owner: 'octo',
  name: 'fastq',
  description: 'A FastAPI task queue backed by Redis',
  html_url: 'https://github.com/octo/fastq',
  homepage: 'https://fastq.dev',
  language: 'Python',
  languages: { Python: 420_000, Shell: 6_000, Dockerfile: 900 },
  topics: ['fastapi', 'redis', 'docker', 'task-queue'],
  license: 'MIT',
  stars: 340,
  forks: 21,
  watchers: 340,
  open_issues: 7,
  size_kb: 2_100,
  default_branch: 'main',
  is_fork: false,
  is_archived: false,
  created_at: '2022-03-01T10:00:00Z',
  pushed_at: '2025-05-28T09:00:00Z',
  updated_at: '2025-05-30T09:00:00Z',
  readme: [
    '# fastq',
    '[![CI](https://github.com/octo/fastq/actions/workflows/ci.yml/badge.svg)](https://github.com/octo/fastq/actions)',
    '[![codecov](https://codecov.io/gh/octo/fastq/graph/badge.svg)](https://codecov.io/gh/octo/fastq)',
    '[![PyPI](https://img.shields.io/pypi/v/fastq)](https://pypi.org/project/fastq/)',
    '',
    '## Install',
    '',
    'pip install fastq',
  ].join('\n'),
  community: null,
  cluster: 'data',
  clusters_found: ['data', 'web'],
};

const COLUMNS = ['cluster', 'clusters', 'tech_stack', 'complexity', 'activity', 'health_score', 'badges', 'is_gem'];

describe('enrich: enrich(repo, { now })', () => {
  it('returns exactly the enrichment columns of the row', () => {
    const row = enrich(REPO, { now: NOW });
    assert.deepEqual(Object.keys(row), COLUMNS);
    assert.deepEqual(row, {
      cluster: 'data',
      clusters: ['data', 'web'],
      tech_stack: ['Python', 'FastAPI', 'Redis', 'Docker'],
      complexity: 'low',
      activity: 'active',
      health_score: 100,
      badges: ['ci', 'coverage', 'pypi'],
      is_gem: true,
    });
  });

  it('is deterministic and takes now as a Date or milliseconds', () => {
    assert.deepEqual(enrich(REPO, { now: NOW }), enrich(REPO, { now: NOW.getTime() }));
    assert.equal(enrich(REPO, { now: NOW.getTime() + 400 * 86_400_000 }).activity, 'stale');
  });

  it('does not modify the repository', () => {
    const copy = structuredClone(REPO);
    enrich(REPO, { now: NOW });
    assert.deepEqual(REPO, copy);
  });

  it('gives valid columns for a repository with nulls everywhere', () => {
    const bare = {
      id: 1, full_name: 'a/b', owner: 'a', name: 'b', description: null, html_url: 'https://github.com/a/b',
      homepage: null, language: null, languages: null, topics: [], license: null, stars: 0, forks: 0,
      watchers: null, open_issues: 0, size_kb: null, default_branch: null, is_fork: false, is_archived: false,
      created_at: null, pushed_at: null, updated_at: null, readme: null, community: null,
      cluster: 'misc', clusters_found: [],
    };
    assert.deepEqual(enrich(bare, { now: NOW }), {
      cluster: 'misc', clusters: ['misc'], tech_stack: [], complexity: null, activity: null,
      health_score: 25, badges: [], is_gem: false,
    });
  });

  it('takes an archived popular repository as abandoned and never a gem', () => {
    const row = enrich({ ...REPO, is_archived: true, stars: 50_000 }, { now: NOW });
    assert.equal(row.activity, 'abandoned');
    assert.equal(row.is_gem, false);
    assert.ok(row.badges.includes('popular'));
  });

  it("prefers the community profile's health percentage", () => {
    const community = { health_percentage: 57, code_of_conduct: false, contributing: true, issue_template: false, pull_request_template: false, license: true, readme: true };
    assert.equal(enrich({ ...REPO, community }, { now: NOW }).health_score, 57);
  });

  it('rejects a missing now and a non-object repository with a TypeError', () => {
    assert.throws(() => enrich(REPO), /Expected a Date or epoch milliseconds for now/);
    assert.throws(() => enrich(REPO, {}), TypeError);
    assert.throws(() => enrich(null, { now: NOW }), /Expected a repository object/);
  });
});
