// Pending work (schema.sql: tables pending and pending_searches) between the sinks' JS
// shape and the JSON of the SQL functions pending_save / pending_load / pending_counts.
// Every sink calls those functions, so the three share one implementation of the rules
// (attempts added up, first failure kept, stored repositories left out).

/**
 * @typedef {object} PendingRepository
 * @property {number} id
 * @property {string|null} nodeId
 * @property {string|null} fullName
 * @property {string} cluster          the cluster it counts towards
 * @property {string[]} clusters       every cluster whose searches found it
 * @property {number} attempts         fetch attempts (savePending: this run's; loaded: all runs')
 * @property {string|null} lastError
 * @property {string} [firstFailedAt]  ISO 8601, loaded only
 * @property {string} [lastFailedAt]   ISO 8601, loaded only
 *
 * @typedef {object} PendingSearch
 * @property {string} cluster
 * @property {string} query            the query as it was searched
 * @property {string|null} range       a created: qualifier, or null for the whole query
 * @property {number} attempts
 * @property {string|null} lastError
 * @property {string} [firstFailedAt]
 * @property {string} [lastFailedAt]
 *
 * @typedef {{repositories: PendingRepository[], searches: PendingSearch[]}} PendingWork
 * @typedef {{repositories: number, searches: number,
 *            byCluster: Record<string, {repositories: number, searches: number}>}} PendingCounts
 */

const orNull = (value) => (value === undefined || value === '' ? null : value);
const attemptsOf = (value) => (Number.isInteger(value) && value >= 0 ? value : 1);
const iso = (value) => (value ? new Date(value).toISOString() : null);

/** The arguments of pending_save(cluster_names, repository_rows, search_rows). */
export function pendingSaveArguments({ repositories = [], searches = [] } = {}, { clusters } = {}) {
  if (!Array.isArray(clusters)) throw new TypeError('savePending needs {clusters}: the clusters whose pending work it replaces');
  return {
    cluster_names: clusters,
    repository_rows: repositories.map((repo) => ({
      id: String(repo.id),
      node_id: orNull(repo.nodeId),
      full_name: orNull(repo.fullName),
      cluster: repo.cluster,
      clusters: repo.clusters?.length ? repo.clusters : [repo.cluster],
      last_error: orNull(repo.lastError),
      attempts: attemptsOf(repo.attempts),
    })),
    search_rows: searches.map((search) => ({
      cluster: search.cluster,
      query: search.query,
      range: orNull(search.range),
      last_error: orNull(search.lastError),
      attempts: attemptsOf(search.attempts),
    })),
  };
}

/** pending_load()'s JSON as {repositories, searches} of the Sink interface. */
export function pendingFromJson(json) {
  const value = typeof json === 'string' ? JSON.parse(json) : json;
  return {
    repositories: (value?.repositories ?? []).map((row) => ({
      id: Number(row.id),
      nodeId: row.node_id ?? null,
      fullName: row.full_name ?? null,
      cluster: row.cluster,
      clusters: row.clusters,
      attempts: Number(row.attempts),
      lastError: row.last_error ?? null,
      firstFailedAt: iso(row.first_failed_at),
      lastFailedAt: iso(row.last_failed_at),
    })),
    searches: (value?.searches ?? []).map((row) => ({
      cluster: row.cluster,
      query: row.query,
      range: row.range ?? null,
      attempts: Number(row.attempts),
      lastError: row.last_error ?? null,
      firstFailedAt: iso(row.first_failed_at),
      lastFailedAt: iso(row.last_failed_at),
    })),
  };
}

/** pending_counts()'s rows ({cluster, repositories, searches}) as PendingCounts. */
export function pendingCountsFromRows(rows) {
  const counts = { repositories: 0, searches: 0, byCluster: {} };
  for (const row of [...rows].sort((a, b) => (a.cluster < b.cluster ? -1 : a.cluster > b.cluster ? 1 : 0))) {
    const repositories = Number(row.repositories);
    const searches = Number(row.searches);
    counts.repositories += repositories;
    counts.searches += searches;
    counts.byCluster[row.cluster] = { repositories, searches };
  }
  return counts;
}
