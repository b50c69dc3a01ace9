// A repository from the engine becomes a `repositories` row: the schema's fields as the
// engine delivers them, plus the enrichment columns.
import { enrich, rederiveStored } from '../enrich/index.js';

const ENGINE_FIELDS = [
  'id', 'node_id', 'full_name', 'owner', 'name', 'description', 'html_url', 'homepage', 'language',
  'languages', 'topics', 'license', 'stars', 'forks', 'watchers', 'open_issues', 'size_kb',
  'default_branch', 'is_fork', 'is_archived', 'created_at', 'pushed_at', 'updated_at',
];

/** The row for `repo`, found for `cluster` (the quota it counts towards). */
export function toRow(repo, cluster, now) {
  const row = {};
  for (const field of ENGINE_FIELDS) row[field] = repo[field];
  return { ...row, ...enrich({ ...repo, cluster, clusters_found: repo.clusters_found ?? [cluster] }, { now }) };
}

/** The stored columns a --refresh through GraphQL compares with GitHub's answer: the row's own, no details. */
export const COMPARED_COLUMNS = Object.freeze(ENGINE_FIELDS.filter((field) => field !== 'id' && field !== 'languages'));
const TIMESTAMPS = new Set(['created_at', 'pushed_at', 'updated_at']);

/**
 * `row` (COMPARED_COLUMNS as the database returns them) in the engine's terms: timestamps
 * as GitHub writes them ("2024-05-01T12:00:00Z"), whatever offset the database used.
 */
export function comparedColumns(row) {
  const out = {};
  for (const column of COMPARED_COLUMNS) {
    const value = row[column] ?? null;
    out[column] = TIMESTAMPS.has(column) && value !== null
      ? new Date(value).toISOString().replace(/\.000Z$/, 'Z')
      : value;
  }
  return out;
}

/** A stored row GitHub reports unchanged, with the rules that measure from `now` applied again. */
export function rederivedRow(row, now) {
  return { ...row, ...rederiveStored(row, { now }) };
}

/** ETags worth keeping for --refresh: the details fetched in this run. */
export function etagEntries(repo) {
  return Object.entries(repo.etags ?? {})
    .filter(([, etag]) => etag)
    .map(([endpoint, etag]) => ({ repository_id: repo.id, endpoint, etag }));
}
