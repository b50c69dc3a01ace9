// The work one run hands the next (js/ingest/pending-work.js): which pending repositories
// the engine fetches first, which queries lead, and what is pending once the run is over.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  pendingAfterRun, pendingDone, pendingFinders, pendingToFetch, queriesWithPendingFirst, rangeQualifier,
} from '../../js/ingest/pending-work.js';

const loadedRepo = (id, overrides = {}) => ({
  id, nodeId: `R_${id}`, fullName: `owner/repo-${id}`, cluster: 'web', clusters: ['web'], attempts: 2,
  lastError: 'HTTP 502', firstFailedAt: '2026-01-01T00:00:00.000Z', lastFailedAt: '2026-01-01T00:00:00.000Z', ...overrides,
});
const engineRepo = (id, overrides = {}) => ({
  id, nodeId: `R_${id}`, fullName: `owner/repo-${id}`, cluster: 'web', clusters: ['web'], error: 'HTTP 504; then HTTP 500', attempts: 2, ...overrides,
});

describe('pendingToFetch()', () => {
  it('hands the engine the pending repositories of clusters that search, at most their limit each', () => {
    const repositories = [
      loadedRepo(1), loadedRepo(2, { nodeId: null, fullName: null }), loadedRepo(3),
      loadedRepo(4, { cluster: 'data', clusters: ['data', 'web'] }), loadedRepo(5, { cluster: 'ops' }),
    ];
    const groups = [{ name: 'web', limit: 2 }, { name: 'data', limit: 10 }, { name: 'ops', limit: 0 }];
    assert.deepEqual(pendingToFetch(repositories, groups), [
      { id: 1, cluster: 'web', nodeId: 'R_1', fullName: 'owner/repo-1', clusters: ['web'] },
      { id: 2, cluster: 'web', clusters: ['web'] },
      { id: 4, cluster: 'data', nodeId: 'R_4', fullName: 'owner/repo-4', clusters: ['data', 'web'] },
    ]);
    assert.deepEqual(pendingToFetch(repositories, []), []);
  });
});

describe('queriesWithPendingFirst()', () => {
  it('puts the pending searches\' queries first, once each, and only queries still configured', () => {
    const queries = ['topic:react', 'topic:vue', 'topic:svelte'];
    assert.deepEqual(queriesWithPendingFirst(queries, [
      { query: 'topic:svelte', range: 'created:2020-01-01..2020-06-30' }, { query: 'topic:svelte', range: null },
      { query: 'topic:gone' }, { query: 'topic:vue' },
    ]), ['topic:svelte', 'topic:vue', 'topic:react']);
    assert.deepEqual(queriesWithPendingFirst(queries, []), queries);
  });
});

describe('rangeQualifier()', () => {
  it('is the created: range the engine added to the query, or null for the whole query', () => {
    assert.equal(rangeQualifier('topic:react stars:>=10', 'topic:react stars:>=10 created:2020-01-01..2020-06-30'),
      'created:2020-01-01..2020-06-30');
    assert.equal(rangeQualifier('topic:react', 'created:2020-01-01..2020-06-30'), 'created:2020-01-01..2020-06-30');
    assert.equal(rangeQualifier('topic:react', 'topic:react'), null);
    assert.equal(rangeQualifier('topic:react', ''), null);
    assert.equal(rangeQualifier('topic:react', undefined), null);
  });
});

describe('pendingAfterRun()', () => {
  const base = {
    loaded: { repositories: [], searches: [] },
    handedIds: new Set(),
    searchedClusters: new Set(['web']),
    result: { ok: true, pending: [], pendingSearches: [] },
    finished: true,
    storedIds: new Set(),
    completeClusters: new Set(),
    queries: { web: ['topic:react', 'topic:vue'], data: ['topic:etl'] },
  };

  it('records what the engine reports pending, with this run\'s attempts and its error', () => {
    const work = pendingAfterRun({
      ...base,
      result: {
        ok: true,
        pending: [engineRepo(1), engineRepo(2, { clusters: ['web', 'data'], nodeId: null }), engineRepo(1)],
        pendingSearches: [
          { cluster: 'web', query: 'topic:react', range: 'topic:react created:2020-01-01..2020-06-30', error: 'HTTP 502' },
          { cluster: 'web', query: 'topic:react', range: 'topic:react created:2020-01-01..2020-06-30', error: 'HTTP 502' },
          { cluster: 'web', query: 'topic:vue', range: 'topic:vue', error: 'HTTP 422' },
        ],
      },
    });
    assert.deepEqual(work.repositories, [
      { id: 1, nodeId: 'R_1', fullName: 'owner/repo-1', cluster: 'web', clusters: ['web'], attempts: 2, lastError: 'HTTP 504; then HTTP 500' },
      { id: 2, nodeId: null, fullName: 'owner/repo-2', cluster: 'web', clusters: ['web', 'data'], attempts: 2, lastError: 'HTTP 504; then HTTP 500' },
    ]);
    assert.deepEqual(work.searches, [
      { cluster: 'web', query: 'topic:react', range: 'created:2020-01-01..2020-06-30', attempts: 1, lastError: 'HTTP 502' },
      { cluster: 'web', query: 'topic:vue', range: null, attempts: 1, lastError: 'HTTP 422' },
    ]);
  });

  it('an engine without the pending fields leaves nothing pending', () => {
    assert.deepEqual(pendingAfterRun({ ...base, result: { ok: true, clusters: {} } }), { repositories: [], searches: [] });
    assert.deepEqual(pendingAfterRun({ ...base, result: null }), { repositories: [], searches: [] });
  });

  it('a finished run settles every pending repository it was handed: stored, gone, or reported again', () => {
    const loaded = { repositories: [loadedRepo(1), loadedRepo(2), loadedRepo(3)], searches: [] };
    const work = pendingAfterRun({
      ...base, loaded, handedIds: new Set([1, 2, 3]), storedIds: new Set([1]),
      result: { ok: true, pending: [engineRepo(3, { attempts: 1 })] },   // 2: found gone
    });
    assert.deepEqual(work.repositories.map((repo) => [repo.id, repo.attempts]), [[3, 1]]);
  });

  it('keeps, with their attempts, pending repositories not handed over or handed to a run that did not finish', () => {
    const loaded = { repositories: [loadedRepo(1), loadedRepo(2), loadedRepo(3, { cluster: 'data' })], searches: [] };
    const stopped = pendingAfterRun({ ...base, loaded, handedIds: new Set([1, 2]), storedIds: new Set([1]), finished: false });
    assert.deepEqual(stopped.repositories, [{ ...loadedRepo(2), attempts: 0 }, { ...loadedRepo(3, { cluster: 'data' }), attempts: 0 }]);
    // A finished run that was not handed 3 (--limit, another cluster's turn) keeps it too.
    const finished = pendingAfterRun({ ...base, loaded, handedIds: new Set([1, 2]), storedIds: new Set([1]) });
    assert.deepEqual(finished.repositories.map((repo) => repo.id), [3]);
  });

  it('keeps pending searches their cluster did not search, or whose run did not finish', () => {
    const loaded = {
      repositories: [],
      searches: [
        { cluster: 'web', query: 'topic:react', range: null, attempts: 2, lastError: 'HTTP 502' },
        { cluster: 'data', query: 'topic:etl', range: 'created:2020-01-01..2020-06-30', attempts: 1, lastError: 'HTTP 502' },
        { cluster: 'web', query: 'topic:removed-from-the-file', range: null, attempts: 1, lastError: 'x' },
      ],
    };
    const finished = pendingAfterRun({ ...base, loaded });
    assert.deepEqual(finished.searches, [{ ...loaded.searches[1], attempts: 0 }]);
    const stopped = pendingAfterRun({ ...base, loaded, finished: false });
    assert.deepEqual(stopped.searches.map((s) => s.query), ['topic:react', 'topic:etl']);
    // Failed again: the engine's report, with this run's attempt, replaces the old row.
    const again = pendingAfterRun({
      ...base, loaded, result: { ok: true, pendingSearches: [{ cluster: 'web', query: 'topic:react', range: 'topic:react', error: 'HTTP 503' }] },
    });
    assert.deepEqual(again.searches.map((s) => [s.cluster, s.attempts, s.lastError]), [['web', 1, 'HTTP 503'], ['data', 0, 'HTTP 502']]);
  });

  it('drops the pending work of clusters whose quota is met, and repositories stored this run', () => {
    const work = pendingAfterRun({
      ...base,
      loaded: { repositories: [loadedRepo(1, { cluster: 'data' })], searches: [{ cluster: 'data', query: 'topic:etl', range: null, attempts: 1, lastError: null }] },
      result: { ok: true, pending: [engineRepo(2), engineRepo(3)] },
      storedIds: new Set([3]),
      completeClusters: new Set(['data']),
    });
    assert.deepEqual(work.repositories.map((repo) => repo.id), [2]);
    assert.deepEqual(work.searches, []);
  });
});

describe('pendingFinders()', () => {
  it('the clusters that had found pending repositories stored this run, to add to their rows', () => {
    const loaded = { repositories: [loadedRepo(1, { clusters: ['web', 'data'] }), loadedRepo(2), loadedRepo(3, { clusters: ['web', 'ops'] })], searches: [] };
    assert.deepEqual(pendingFinders(loaded, new Set([1, 2])), [{ id: 1, clusters: ['web', 'data'] }]);
  });

  it('the loaded rows a coordinated host deletes by name: those no longer pending after its run', () => {
    const search = (query, range = null) => ({ cluster: 'web', query, range, attempts: 1, lastError: 'HTTP 502' });
    const loaded = { repositories: [loadedRepo(1), loadedRepo(2)], searches: [search('topic:a'), search('topic:a', 'created:2020'), search('topic:b')] };
    const pending = { repositories: [loadedRepo(2), loadedRepo(9)], searches: [{ ...search('topic:a', 'created:2020'), attempts: 0 }] };
    assert.deepEqual(pendingDone(loaded, pending), { repositoryIds: [1], searches: [search('topic:a'), search('topic:b')] });
    assert.deepEqual(pendingDone({ repositories: [], searches: [] }, pending), { repositoryIds: [], searches: [] });
  });
});
