// How a finished run ends (README.md, Exit codes): its exit status, the status its
// `runs` row records, and what stderr says after the summary. Exit 0 is a promise the
// user can trust overnight: every quota met or every query truly exhausted, nothing
// pending. Pure: run-ingest.js prints the lines and throws the error.
import { EXIT_FAILED, EXIT_INCOMPLETE, EXIT_INTERRUPTED, EXIT_OK } from '../cli/errors.js';

/** Pending repositories named one per line before the last; the rest are counted. */
export const NAMED_REPOSITORIES = 5;
export const NAMED_SEARCHES = 3;

const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;

function repositoryName(repo) {
  return repo.fullName || `repository #${repo.id}`;
}

function repositoryLine(repo) {
  const error = repo.lastError || 'no error recorded';
  // Pending from an earlier run and not tried in this one (another cluster's turn,
  // --limit, a run that stopped early): its error is the earlier run's.
  if (repo.attempts === 0) return `still pending: ${repositoryName(repo)} (not tried this run; last error: ${error})`;
  return `could not fetch ${repositoryName(repo)}: ${error}`;
}

function searchLine(search) {
  const sent = search.range ? `${search.query} ${search.range}` : search.query;
  return `could not search "${sent}" for ${search.cluster}: ${search.lastError || 'no error recorded'}`;
}

/** "3 repositories could not be fetched and 1 search range could not be searched". */
export function pendingPhrase({ repositories, searches }) {
  const parts = [];
  if (repositories.length) parts.push(`${plural(repositories.length, 'repository', 'repositories')} could not be fetched`);
  if (searches.length) parts.push(`${plural(searches.length, 'search range', 'search ranges')} could not be searched`);
  return parts.join(' and ');
}

function nextRunPhrase({ repositories, searches }) {
  const it = repositories.length + searches.length === 1 ? 'it is' : 'they are';
  return `${it} ${repositories.length ? 'fetched' : 'searched'} first on the next run`;
}

function named(items, max, line, noun) {
  const lines = items.slice(0, max).map(line);
  if (items.length > max) lines.push(`... and ${items.length - max} more ${noun} (node check-status.js counts them)`);
  return lines;
}

/**
 * @param {object} facts
 * @param {string|null} [facts.failure]   the message that ends the run in failure (storage
 *   failed mid-run: it names the dead letters; the engine's error); it is the last line
 * @param {boolean} [facts.interrupted]   SIGINT/SIGTERM
 * @param {import('../storage/pending.js').PendingWork} [facts.pending]   pending after the run
 * @param {Record<string, {exhausted?: boolean, lost?: number, failedSearches?: number}>} [facts.clusters]
 *   run.done's result.clusters
 * @param {Record<string, {stored: number, quota: number}>} [facts.totals]   the summary's clusters
 * @param {{repositories: number, searches: number}|null} [facts.jobPending]   a coordinated
 *   job this host finished (its last): what the job's clusters have pending now, which
 *   the other hosts left (this host's own is `pending`)
 * @returns {{exitCode: number, status: string, pending: number, lines: string[], error: string|null}}
 *   `lines` go to stderr in order; `error`, when set, is reported after them as the last
 *   line (exit 1). `status` is for the run's row.
 */
export function runOutcome({
  failure = null, interrupted = false, pending = { repositories: [], searches: [] }, clusters = {}, totals = {}, jobPending = null,
} = {}) {
  const count = pending.repositories.length + pending.searches.length;
  if (failure) return { exitCode: EXIT_FAILED, status: 'failed', pending: count, lines: [], error: failure };
  if (interrupted) {
    const lines = count ? [`interrupted: ${pendingPhrase(pending)} yet; ${nextRunPhrase(pending)}`] : [];
    return { exitCode: EXIT_INTERRUPTED, status: 'interrupted', pending: count, lines, error: null };
  }

  const lines = [];
  // "Ran dry" only for a cluster that lost nothing on the way: a repository or a search
  // range left pending is work for the next run, not a query that has no more to give.
  const pendingClusters = new Set([...pending.repositories, ...pending.searches].map((item) => item.cluster));
  for (const [name, c] of Object.entries(clusters)) {
    if (!c.exhausted || c.lost > 0 || c.failedSearches > 0 || pendingClusters.has(name)) continue;
    const total = totals[name];
    lines.push(`note: ${name} is short: its queries ran dry${total ? ` at ${total.stored} of ${total.quota}` : ''}`);
  }
  if (count === 0) {
    // The last host of a coordinated job answers for the job: what the others left.
    const others = (jobPending?.repositories ?? 0) + (jobPending?.searches ?? 0);
    if (others > 0) {
      const left = [];
      if (jobPending.repositories) left.push(plural(jobPending.repositories, 'repository', 'repositories'));
      if (jobPending.searches) left.push(plural(jobPending.searches, 'search range', 'search ranges'));
      lines.push(`the job finished incomplete: its other hosts left ${left.join(' and ')} pending; ` +
        'the next run does them first (node check-status.js lists them)');
      return { exitCode: EXIT_INCOMPLETE, status: 'incomplete', pending: 0, lines, error: null };
    }
    return { exitCode: EXIT_OK, status: 'done', pending: 0, lines, error: null };
  }

  lines.push(...named(pending.repositories, NAMED_REPOSITORIES, repositoryLine, 'pending repositories'));
  lines.push(...named(pending.searches, NAMED_SEARCHES, searchLine, 'pending search ranges'));
  lines.push(`finished incomplete: ${pendingPhrase(pending)}; ${nextRunPhrase(pending)}`);
  return { exitCode: EXIT_INCOMPLETE, status: 'incomplete', pending: count, lines, error: null };
}
