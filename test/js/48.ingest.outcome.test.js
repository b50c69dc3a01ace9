// How a run ends (js/ingest/outcome.js): exit 0 only when complete, 3 when work is
// pending (named, and said to be done first next time), 1 with the failure as the last
// line, 130 when interrupted; "ran dry" never said of a cluster that lost work.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { EXIT_FAILED, EXIT_INCOMPLETE, EXIT_INTERRUPTED, EXIT_OK } from '../../js/cli/errors.js';
import { NAMED_REPOSITORIES, pendingPhrase, runOutcome } from '../../js/ingest/outcome.js';
import { buildSummary, formatSummary } from '../../js/ingest/summary.js';

const repo = (id, overrides = {}) => ({
  id, nodeId: `R_${id}`, fullName: `owner/repo-${id}`, cluster: 'web', clusters: ['web'],
  attempts: 2, lastError: 'GraphQL: HTTP 502 after 4 attempts; then REST: HTTP 500 after 4 attempts', ...overrides,
});
const search = (overrides = {}) => ({
  cluster: 'web', query: 'topic:react stars:>=10', range: 'created:2020-01-01..2020-06-30',
  attempts: 1, lastError: 'HTTP 502 after 4 attempts', ...overrides,
});
const none = { repositories: [], searches: [] };

describe('runOutcome()', () => {
  it('exit 0 when complete; "ran dry" for a cluster whose queries truly ran dry', () => {
    const outcome = runOutcome({
      pending: none,
      clusters: { web: { exhausted: true, lost: 0, failedSearches: 0 }, ai_ml: { exhausted: false, full: true } },
      totals: { web: { stored: 12, quota: 40 }, ai_ml: { stored: 40, quota: 40 } },
    });
    assert.deepEqual(outcome, {
      exitCode: EXIT_OK, status: 'done', pending: 0, error: null,
      lines: ['note: web is short: its queries ran dry at 12 of 40'],
    });
  });

  it('the host that finished a coordinated job exits 3 when its other hosts left work pending', () => {
    const outcome = runOutcome({ pending: none, jobPending: { repositories: 2, searches: 1 } });
    assert.deepEqual(outcome, {
      exitCode: EXIT_INCOMPLETE, status: 'incomplete', pending: 0, error: null,
      lines: ['the job finished incomplete: its other hosts left 2 repositories and 1 search range pending; ' +
        'the next run does them first (node check-status.js lists them)'],
    });
    assert.equal(runOutcome({ pending: none, jobPending: { repositories: 0, searches: 0 } }).exitCode, EXIT_OK);
    assert.equal(runOutcome({ pending: none, jobPending: null }).exitCode, EXIT_OK);
    assert.equal(runOutcome({ failure: 'boom', jobPending: { repositories: 1, searches: 0 } }).exitCode, EXIT_FAILED);
  });

  it('exit 3 when repositories are pending: a few named, then the one last line', () => {
    const pending = { repositories: [repo(1), repo(2, { fullName: null })], searches: [] };
    const outcome = runOutcome({
      pending,
      // The engine says exhausted only when nothing was lost; an older engine may not.
      clusters: { web: { exhausted: true, lost: 2 }, data: { exhausted: true, lost: 0 } },
      totals: { web: { stored: 5, quota: 40 }, data: { stored: 3, quota: 10 } },
    });
    assert.equal(outcome.exitCode, EXIT_INCOMPLETE);
    assert.equal(outcome.status, 'incomplete');
    assert.equal(outcome.pending, 2);
    assert.equal(outcome.error, null);
    assert.deepEqual(outcome.lines, [
      'note: data is short: its queries ran dry at 3 of 10',
      `could not fetch owner/repo-1: ${repo(1).lastError}`,
      `could not fetch repository #2: ${repo(2).lastError}`,
      'finished incomplete: 2 repositories could not be fetched; they are fetched first on the next run',
    ]);
  });

  it('names at most a few repositories, counts the rest, and adds the search ranges', () => {
    const repositories = Array.from({ length: NAMED_REPOSITORIES + 3 }, (_, i) => repo(i + 1));
    const searches = [search(), search({ range: null, query: 'topic:vue', lastError: null })];
    const outcome = runOutcome({ pending: { repositories, searches }, clusters: {} });
    assert.equal(outcome.exitCode, EXIT_INCOMPLETE);
    assert.equal(outcome.lines.length, NAMED_REPOSITORIES + 1 + 2 + 1);
    assert.equal(outcome.lines[NAMED_REPOSITORIES], '... and 3 more pending repositories (node check-status.js counts them)');
    assert.deepEqual(outcome.lines.slice(-3), [
      'could not search "topic:react stars:>=10 created:2020-01-01..2020-06-30" for web: HTTP 502 after 4 attempts',
      'could not search "topic:vue" for web: no error recorded',
      `finished incomplete: ${repositories.length} repositories could not be fetched and 2 search ranges could not be searched; ` +
        'they are fetched first on the next run',
    ]);
  });

  it('exit 3 for a pending search alone; its cluster is not said to have run dry', () => {
    const outcome = runOutcome({
      pending: { repositories: [], searches: [search()] },
      clusters: { web: { exhausted: true, lost: 0, failedSearches: 0 } },   // pending from an earlier run
      totals: { web: { stored: 5, quota: 40 } },
    });
    assert.equal(outcome.exitCode, EXIT_INCOMPLETE);
    assert.ok(!outcome.lines.some((line) => line.startsWith('note:')), outcome.lines.join('\n'));
    assert.equal(outcome.lines.at(-1), 'finished incomplete: 1 search range could not be searched; it is searched first on the next run');
    for (const c of [{ exhausted: true, lost: 1 }, { exhausted: true, failedSearches: 1 }]) {
      const lines = runOutcome({ pending: { repositories: [repo(1, { cluster: 'data' })], searches: [] }, clusters: { web: c } }).lines;
      assert.ok(!lines.some((line) => line.startsWith('note: web')), lines.join('\n'));
    }
  });

  it('says when a pending repository was not tried this run', () => {
    const outcome = runOutcome({ pending: { repositories: [repo(7, { attempts: 0, lastError: 'HTTP 502' })], searches: [] } });
    assert.deepEqual(outcome.lines, [
      'still pending: owner/repo-7 (not tried this run; last error: HTTP 502)',
      'finished incomplete: 1 repository could not be fetched; it is fetched first on the next run',
    ]);
  });

  it('exit 1 with the failure as the message, whatever is pending; no notes', () => {
    const failure = 'storage failed (connect ECONNREFUSED 127.0.0.1:5432); what could not be stored was saved to ' +
      'data/dead-letters.ndjson and is stored first on the next run';
    const outcome = runOutcome({
      failure, pending: { repositories: [repo(1)], searches: [] }, clusters: { web: { exhausted: true, lost: 0 } },
    });
    assert.deepEqual(outcome, { exitCode: EXIT_FAILED, status: 'failed', pending: 1, lines: [], error: failure });
  });

  it('exit 130 when interrupted; what is pending is said, not named', () => {
    assert.deepEqual(runOutcome({ interrupted: true, pending: none }),
      { exitCode: EXIT_INTERRUPTED, status: 'interrupted', pending: 0, lines: [], error: null });
    const outcome = runOutcome({ interrupted: true, pending: { repositories: [repo(1), repo(2)], searches: [] } });
    assert.equal(outcome.exitCode, EXIT_INTERRUPTED);
    assert.deepEqual(outcome.lines, ['interrupted: 2 repositories could not be fetched yet; they are fetched first on the next run']);
  });

  it('pendingPhrase() counts in words', () => {
    assert.equal(pendingPhrase({ repositories: [repo(1)], searches: [search(), search()] }),
      '1 repository could not be fetched and 2 search ranges could not be searched');
    assert.equal(pendingPhrase(none), '');
  });
});

describe('the summary', () => {
  const config = { clusters: { web: { quota: 40 } } };
  const result = { ok: true, clusters: {}, searchRechecks: 4, searchRecheckFound: 2 };

  it('"pending" right after repos_written, and requests.search_rechecks', () => {
    const summary = buildSummary({
      config, selected: ['web'], stored: { web: 3 }, added: { web: 2 }, stats: null, result, written: 2, pending: 3, elapsedS: 1.25,
    });
    assert.deepEqual(Object.keys(summary).slice(0, 3), ['repos_written', 'pending', 'clusters']);
    assert.equal(summary.pending, 3);
    assert.equal(summary.requests.search_rechecks, 4);
    assert.equal(summary.requests.search_recheck_found, 2);
    assert.match(formatSummary(summary), /^pending: 3 \(fetched first by the next run\)$/m);
  });

  it('"pending": 0 and no pending line when nothing is pending; an engine without rechecks counts 0', () => {
    const summary = buildSummary({ config, selected: ['web'], stored: {}, added: {}, stats: null, result: { ok: true }, written: 0, elapsedS: 0 });
    assert.equal(summary.pending, 0);
    assert.equal(summary.requests.search_rechecks, 0);
    assert.equal(summary.requests.search_recheck_found, 0);
    assert.doesNotMatch(formatSummary(summary), /pending/);
  });
});
