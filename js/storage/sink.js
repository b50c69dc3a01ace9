// The Sink interface: what the ingest program and check-status need from storage. Three
// implementations share it: sink-postgres.js (DATABASE_URL, `pg`), sink-pglite.js (the
// embedded default) and sink-supabase.js (supabase-js); index.js picks one.
//
// Rows are plain objects keyed by the columns of `repositories` (columns.js,
// schema.sql): text as strings, text[] as arrays of strings, languages as a plain object
// or null, timestamps as ISO 8601 strings or Dates. ingested_at and refreshed_at are the
// sink's: set to the time of the write on insert, and only refreshed_at on update.
//
// Every method that writes is one transaction (or, for Supabase, one request per batch):
// a batch is stored whole or not at all, so a failed batch can go to the dead letters.

/**
 * @typedef {object} RunRecord
 * @property {number} id
 * @property {string} started_at
 * @property {string|null} finished_at
 * @property {string} status          running | done | incomplete | failed | interrupted
 * @property {object|null} options
 * @property {object|null} summary
 */

/**
 * @typedef {object} EtagEntry
 * @property {number|string} repository_id
 * @property {string} endpoint        repository | languages | readme | community
 * @property {string} etag
 */

/**
 * @typedef {object} Sink
 * @property {string} kind             'postgres' | 'pglite' | 'supabase'
 * @property {string} description      where the data goes, safe to print (no secret)
 * @property {() => Promise<void>} check
 *   Fails fast (a few seconds at most) with a StorageError of one clear line when the
 *   storage cannot be reached. The CLI calls it before any GitHub request.
 * @property {() => Promise<void>} ensureSchema
 *   Creates the tables of schema.sql when missing (idempotent). Supabase cannot run DDL
 *   through its REST API: there it checks the tables exist and otherwise says to paste
 *   js/storage/schema.sql into the SQL editor.
 * @property {() => Promise<string[]>} missingSchema
 *   The tables and functions of schema.sql the storage lacks (none: []); changes nothing.
 * @property {(rows: object[]) => Promise<{written: number}>} upsertRepositories
 *   Upserts on id, deduplicated by id first (the last row given wins). A stored row
 *   holding the full_name of a row being written under another id (the repository was
 *   renamed or transferred and its name reused) is removed, since its name is stale.
 * @property {(entries: EtagEntry[]) => Promise<void>} saveEtags
 * @property {(finders: Array<{id: number, clusters: string[]}>) => Promise<{changed: number}>} addClusters
 *   Appends to stored rows' `clusters` the clusters not listed yet (the stored order,
 *   primary first, is kept); ids not stored are ignored.
 * @property {() => Promise<Set<number>>} loadKnownIds
 * @property {(clusters: string[], options?: {columns?: string[]}) => Promise<Array<{id: number, cluster: string, clusters: string[], etag: string|null, row?: object}>>} loadRefreshTargets
 *   The stored repositories of these clusters with the ETag of GET /repositories/{id}
 *   (null until a refresh stored one), for --refresh; ordered by id. With `columns`,
 *   each also carries `row`: those columns' stored values, timestamps as ISO strings.
 * @property {(ids: number[]) => Promise<object[]>} loadRepositories
 *   The stored rows of these ids (missing ids left out), timestamps as ISO strings.
 * @property {() => Promise<Map<number, Record<string, string>>>} loadEtags
 *   repository id -> { endpoint: etag }
 * @property {(options: object) => Promise<number>} recordRun   returns the run id
 * @property {(id: number, result: {status: string, summary?: object}) => Promise<void>} finishRun
 * @property {() => Promise<RunRecord|null>} lastRun
 * @property {() => Promise<Record<string, number>>} clusterCounts   cluster -> stored
 * @property {(work: import('./pending.js').PendingWork, options: {clusters: string[], forget?: {repositoryIds: number[], searches: object[]}}) => Promise<void>} savePending
 *   In one transaction, replaces the pending work (repositories that could not be fetched,
 *   search ranges that could not be searched) of `clusters` with `work`. A row pending
 *   before (same id; same cluster, query and range) adds the attempts given to its own,
 *   keeps its first_failed_at and the clusters it had; the last of several rows with one
 *   key wins. Pending rows of other clusters are kept. `forget` (the SQL sinks, for a host
 *   of a coordinated job): rows to delete by name in the same transaction.
 * @property {(clusters: string[]) => Promise<import('./pending.js').PendingWork>} loadPending
 *   The pending work of these clusters, oldest first: repositories stored in the meantime
 *   (e.g. by a run killed before it could save its pending rows) are left out.
 * @property {() => Promise<import('./pending.js').PendingCounts>} pendingCounts
 *   Pending repositories (stored ones left out) and searches, in total and per cluster.
 * @property {() => Promise<void>} close
 */

// incomplete: finished, with work pending for the next run (exit 3).
export const RUN_STATUSES = Object.freeze(['running', 'done', 'incomplete', 'failed', 'interrupted']);

/** Throws a TypeError unless `status` is one a run can end with. */
export function checkRunStatus(status) {
  if (!RUN_STATUSES.includes(status) || status === 'running') {
    throw new TypeError(`Expected done, incomplete, failed or interrupted for status but received ${JSON.stringify(status)}`);
  }
}

/** ETag entries with one per (repository, endpoint), the last one given winning. */
export function dedupeEtags(entries) {
  const byKey = new Map();
  for (const entry of entries) byKey.set(`${entry.repository_id}\u0000${entry.endpoint}`, entry);
  return [...byKey.values()];
}
