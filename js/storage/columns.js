// The columns of `repositories` (js/storage/schema.sql) and how a repository row from the
// ingest program becomes a record every sink writes the same way.

/**
 * Written by the ingest program, in schema order, with their PostgreSQL types. The two
 * timestamps of the write itself (ingested_at, refreshed_at) are the sink's job.
 */
export const REPOSITORY_COLUMNS = Object.freeze([
  ['id', 'bigint'],
  ['node_id', 'text'],
  ['full_name', 'text'],
  ['owner', 'text'],
  ['name', 'text'],
  ['description', 'text'],
  ['html_url', 'text'],
  ['homepage', 'text'],
  ['language', 'text'],
  ['languages', 'jsonb'],
  ['topics', 'text[]'],
  ['license', 'text'],
  ['stars', 'integer'],
  ['forks', 'integer'],
  ['watchers', 'integer'],
  ['open_issues', 'integer'],
  ['size_kb', 'integer'],
  ['default_branch', 'text'],
  ['is_fork', 'boolean'],
  ['is_archived', 'boolean'],
  ['created_at', 'timestamptz'],
  ['pushed_at', 'timestamptz'],
  ['updated_at', 'timestamptz'],
  ['cluster', 'text'],
  ['clusters', 'text[]'],
  ['tech_stack', 'text[]'],
  ['complexity', 'text'],
  ['activity', 'text'],
  ['health_score', 'integer'],
  ['badges', 'text[]'],
  ['is_gem', 'boolean'],
].map(([name, type]) => Object.freeze({ name, type })));

export const REPOSITORY_COLUMN_NAMES = Object.freeze(REPOSITORY_COLUMNS.map((column) => column.name));

// PostgreSQL text cannot hold U+0000 (nor can jsonb): one stray NUL in a description
// would fail the whole batch, so it is dropped.
function cleanText(value) {
  return value.includes('\u0000') ? value.replaceAll('\u0000', '') : value;
}

function cleanJson(value) {
  if (typeof value === 'string') return cleanText(value);
  if (Array.isArray(value)) return value.map(cleanJson);
  if (value && typeof value === 'object') {
    const out = {};
    for (const [key, item] of Object.entries(value)) out[cleanText(key)] = cleanJson(item);
    return out;
  }
  return value;
}

function toValue(value, type, name, id) {
  if (value === undefined || value === null) return null;
  switch (type) {
    case 'text':
      return cleanText(String(value));
    case 'text[]':
      if (!Array.isArray(value)) throw new TypeError(`Expected an array for ${name} of repository ${id}`);
      return value.map((item) => cleanText(String(item)));
    case 'jsonb':
      return cleanJson(value);
    case 'timestamptz':
      return value instanceof Date ? value.toISOString() : String(value);
    case 'boolean':
      return Boolean(value);
    case 'bigint':
    case 'integer':
      return typeof value === 'bigint' ? value.toString() : value;
    default:
      return value;
  }
}

/**
 * A repository row as plain JSON values keyed by column name: strings for text and
 * timestamps (ISO 8601), arrays of strings for text[], plain objects for jsonb, null
 * for missing values. Unknown keys are ignored; a missing NOT NULL value is left for the
 * database to reject with its own message.
 * @param {Record<string, unknown>} row
 */
export function toRecord(row) {
  const record = {};
  for (const { name, type } of REPOSITORY_COLUMNS) record[name] = toValue(row[name], type, name, row.id);
  return record;
}

/**
 * The rows of one batch with one row per id and one per full_name, the last one given
 * winning (PostgreSQL refuses an upsert that touches a row twice, and full_name is
 * unique), sorted by id so that concurrent writers lock rows in the same order and
 * cannot deadlock.
 * @template {{id: unknown, full_name?: unknown}} T
 * @param {T[]} rows
 * @returns {T[]}
 */
export function dedupeById(rows) {
  const ids = new Set();
  const names = new Set();
  const kept = [];
  for (let i = rows.length - 1; i >= 0; i -= 1) {
    const row = rows[i];
    if (row?.id === undefined || row.id === null) throw new TypeError('Expected every repository row to have an id');
    const id = String(row.id);
    const name = row.full_name ?? null;
    if (ids.has(id) || (name !== null && names.has(name))) continue;
    ids.add(id);
    if (name !== null) names.add(name);
    kept.push([id, row]);
  }
  return kept
    .sort(([a], [b]) => (a.length - b.length) || (a < b ? -1 : a > b ? 1 : 0))
    .map(([, row]) => row);
}

/** Splits `items` into arrays of at most `size`. */
export function chunks(items, size) {
  const out = [];
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size));
  return out;
}
