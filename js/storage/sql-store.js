// The Sink methods in SQL, shared by the PostgreSQL and PGlite sinks: each of those only
// supplies a database handle (`query`, `transaction`) and its own check() and close().
//
// A batch is upserted by one statement over one jsonb parameter (jsonb_to_recordset):
// measured faster than a multi-row VALUES list (about 2x: 15,000+ bound parameters to
// parse and plan per batch of 500) and as fast as COPY into a staging table, while
// PGlite runs the very same statement. test/bench/storage-upsert.js has the numbers.
import { createHash } from 'node:crypto';

import { REPOSITORY_COLUMNS, REPOSITORY_COLUMN_NAMES, chunks, dedupeById, toRecord } from './columns.js';
import { pendingCountsFromRows, pendingFromJson, pendingSaveArguments } from './pending.js';
import { ADDED_COLUMNS, FUNCTIONS, TABLES, schemaSql } from './schema.js';
import { checkRunStatus, dedupeEtags } from './sink.js';

/** Rows per statement: a 500-row batch is about 0.5 MB of JSON and 20 ms of server time. */
export const SQL_BATCH_ROWS = 500;

const quoted = REPOSITORY_COLUMN_NAMES.map((name) => `"${name}"`);

// ingested_at is written on insert only; every other column follows the newest row.
const UPSERT_REPOSITORIES = `
INSERT INTO repositories (${quoted.join(', ')}, ingested_at, refreshed_at)
SELECT ${quoted.join(', ')}, now(), now()
FROM jsonb_to_recordset($1::jsonb) AS r(${REPOSITORY_COLUMNS.map((c) => `"${c.name}" ${c.type}`).join(', ')})
ON CONFLICT (id) DO UPDATE SET
  ${[...quoted.filter((name) => name !== '"id"'), 'refreshed_at'].map((name) => `${name} = EXCLUDED.${name}`).join(',\n  ')}`;

// A full_name now held by another id: the stored row's name is stale (renamed or
// transferred repository, name reused), and it would fail the whole batch on the
// unique constraint.
const DELETE_STALE_NAMES = `
DELETE FROM repositories AS stored
USING jsonb_to_recordset($1::jsonb) AS r(id bigint, full_name text)
WHERE stored.full_name = r.full_name AND stored.id <> r.id`;

const UPSERT_ETAGS = `
INSERT INTO repository_etags (repository_id, endpoint, etag, fetched_at)
SELECT repository_id, endpoint, etag, now()
FROM jsonb_to_recordset($1::jsonb) AS r(repository_id bigint, endpoint text, etag text)
ON CONFLICT (repository_id, endpoint) DO UPDATE SET etag = EXCLUDED.etag, fetched_at = EXCLUDED.fetched_at`;

// Concurrent first runs must not race in CREATE TABLE IF NOT EXISTS (it can fail with a
// duplicate key in pg_type): one transaction-level advisory lock serialises them.
const SCHEMA_LOCK_KEY = 0x6768696e; // "ghin"

/**
 * @typedef {object} SqlQueries
 * @property {(text: string, params?: unknown[]) => Promise<{rows: object[]}>} query
 * @property {(text: string) => Promise<void>} exec   several statements, no parameters
 *
 * @typedef {SqlQueries & {transaction: <T>(work: (tx: SqlQueries) => Promise<T>) => Promise<T>}} SqlHandle
 */

/** The SQL half of a Sink (see sink.js) over `handle`. */
export class SqlStore {
  /** @param {SqlHandle} handle */
  constructor(handle) {
    this.handle = handle;
  }

  async ensureSchema() {
    const sql = await schemaSql();
    const marker = `gh-ingest schema ${createHash('sha256').update(sql).digest('hex').slice(0, 16)}`;
    await this.handle.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(${SCHEMA_LOCK_KEY})`);
      // Already this schema.sql: no DDL. Several hosts of a job (--coordinate) start
      // while others write; the DDL's table locks (ALTER TABLE takes an exclusive one)
      // would make them wait on each other, or deadlock with a writer's transaction.
      const { rows } = await tx.query("SELECT obj_description(to_regclass('repositories'), 'pg_class') AS marker");
      if (rows[0]?.marker === marker) return;
      await tx.exec(sql);
      await tx.exec(`COMMENT ON TABLE repositories IS '${marker}'`);
    });
  }

  /** What schema.sql creates that this database lacks (in the search path). */
  async missingSchema() {
    const { rows } = await this.handle.query(`
      SELECT name FROM unnest($1::text[]) AS name WHERE to_regclass(name) IS NULL
      UNION ALL
      SELECT name FROM unnest($2::text[]) AS name WHERE to_regprocedure(name) IS NULL
      UNION ALL
      SELECT name FROM unnest($3::text[]) AS name
      WHERE to_regclass(split_part(name, '.', 1)) IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM pg_attribute
        WHERE attrelid = to_regclass(split_part(name, '.', 1))
          AND attname = split_part(name, '.', 2) AND NOT attisdropped)`,
    [TABLES, FUNCTIONS, ADDED_COLUMNS]);
    return rows.map((row) => row.name);
  }

  async upsertRepositories(rows) {
    const records = dedupeById(rows).map(toRecord);
    for (const part of chunks(records, SQL_BATCH_ROWS)) {
      const names = JSON.stringify(part.map(({ id, full_name }) => ({ id, full_name })));
      const json = JSON.stringify(part);
      // One transaction per call: the batch is stored whole or not at all.
      await this.handle.transaction(async (tx) => {
        await tx.query(DELETE_STALE_NAMES, [names]);
        await tx.query(UPSERT_REPOSITORIES, [json]);
      });
    }
    return { written: records.length };
  }

  async saveEtags(entries) {
    const unique = dedupeEtags(entries).map(({ repository_id, endpoint, etag }) => ({
      repository_id: String(repository_id), endpoint, etag,
    }));
    for (const part of chunks(unique, SQL_BATCH_ROWS * 4)) {
      await this.handle.query(UPSERT_ETAGS, [JSON.stringify(part)]);
    }
  }

  async addClusters(finders) {
    let changed = 0;
    for (const part of chunks(finders, SQL_BATCH_ROWS * 4)) {
      const { rows } = await this.handle.query('SELECT repository_add_clusters($1::jsonb) AS changed',
        [JSON.stringify(part)]);
      changed += Number(rows[0].changed);
    }
    return { changed };
  }

  async loadKnownIds() {
    const { rows } = await this.handle.query('SELECT id::text AS id FROM repositories');
    return new Set(rows.map((row) => Number(row.id)));
  }

  async loadRefreshTargets(clusters, { columns = [] } = {}) {
    const names = columns.map((name) => {
      if (!REPOSITORY_COLUMNS.some((column) => column.name === name)) throw new Error(`no column ${name}`);
      return `r."${name}"`;
    });
    // `columns`: the stored values a GraphQL refresh compares GitHub's answer with, as JSON
    // (timestamps as ISO strings).
    const row = names.length ? `, (SELECT row_to_json(x)::text FROM (SELECT ${names.join(', ')}) x) AS row` : '';
    const { rows } = await this.handle.query(`
      SELECT r.id::text AS id, r.cluster, r.clusters, e.etag${row}
      FROM repositories r
      LEFT JOIN repository_etags e ON e.repository_id = r.id AND e.endpoint = 'repository'
      WHERE r.cluster IN (SELECT jsonb_array_elements_text($1::jsonb))
      ORDER BY r.id`, [JSON.stringify(clusters)]);
    return rows.map(({ row: json, ...target }) => ({
      ...target, id: Number(target.id), ...(json ? { row: JSON.parse(json) } : {}),
    }));
  }

  async loadRepositories(ids) {
    const rows = [];
    for (const part of chunks(ids.map(String), SQL_BATCH_ROWS)) {
      // As JSON: timestamps come back as ISO strings, the way the engine delivers them.
      const result = await this.handle.query(`
        SELECT row_to_json(r)::text AS row FROM repositories r
        WHERE r.id IN (SELECT (jsonb_array_elements_text($1::jsonb))::bigint)`, [JSON.stringify(part)]);
      for (const { row } of result.rows) rows.push(JSON.parse(row));
    }
    return rows;
  }

  async loadEtags() {
    const { rows } = await this.handle.query(
      'SELECT repository_id::text AS id, endpoint, etag FROM repository_etags');
    const etags = new Map();
    for (const { id, endpoint, etag } of rows) {
      const key = Number(id);
      if (!etags.has(key)) etags.set(key, {});
      etags.get(key)[endpoint] = etag;
    }
    return etags;
  }

  async recordRun(options = {}) {
    const { rows } = await this.handle.query(
      "INSERT INTO runs (status, options) VALUES ('running', $1::jsonb) RETURNING id::text AS id",
      [JSON.stringify(options)]);
    return Number(rows[0].id);
  }

  async finishRun(id, { status, summary = null }) {
    checkRunStatus(status);
    await this.handle.query(
      'UPDATE runs SET finished_at = now(), status = $2, summary = $3::jsonb WHERE id = $1',
      [String(id), status, summary === null ? null : JSON.stringify(summary)]);
  }

  async lastRun() {
    const { rows } = await this.handle.query(`
      SELECT id::text AS id, started_at, finished_at, status, options, summary
      FROM runs ORDER BY started_at DESC, id DESC LIMIT 1`);
    if (rows.length === 0) return null;
    const run = rows[0];
    return {
      ...run,
      id: Number(run.id),
      started_at: new Date(run.started_at).toISOString(),
      finished_at: run.finished_at === null ? null : new Date(run.finished_at).toISOString(),
    };
  }

  async clusterCounts() {
    const { rows } = await this.handle.query(
      'SELECT cluster, stored::text AS stored FROM repository_cluster_counts() ORDER BY cluster');
    return Object.fromEntries(rows.map((row) => [row.cluster, Number(row.stored)]));
  }

  // One statement (pending_save in schema.sql): the replacement is atomic. `forget`
  // ({repositoryIds, searches}): earlier pending rows done since, deleted in the same
  // statement, for a host of a coordinated job, which replaces no cluster's pending work
  // (the job's other hosts record theirs) but must not leave what it did behind. They
  // must not be in `work` (one statement touches a row once).
  async savePending(work, { clusters, forget } = {}) {
    const args = pendingSaveArguments(work, { clusters });
    const params = [JSON.stringify(args.cluster_names), JSON.stringify(args.repository_rows), JSON.stringify(args.search_rows)];
    if (!forget) {
      await this.handle.query('SELECT pending_save($1::jsonb, $2::jsonb, $3::jsonb)', params);
      return;
    }
    await this.handle.query(`
      WITH saved AS (SELECT pending_save($1::jsonb, $2::jsonb, $3::jsonb) AS n),
      done_repositories AS (
        DELETE FROM pending WHERE id IN (SELECT jsonb_array_elements_text($4::jsonb)::bigint) RETURNING 1),
      done_searches AS (
        DELETE FROM pending_searches s USING jsonb_to_recordset($5::jsonb) AS g(cluster text, query text, range text)
         WHERE s.cluster = g.cluster AND s.query = g.query AND s.range = coalesce(g.range, '') RETURNING 1)
      SELECT (SELECT n FROM saved), (SELECT count(*) FROM done_repositories), (SELECT count(*) FROM done_searches)`,
    [...params, JSON.stringify((forget.repositoryIds ?? []).map(String)),
      JSON.stringify((forget.searches ?? []).map(({ cluster, query, range }) => ({ cluster, query, range: range ?? null })))]);
  }

  async loadPending(clusters) {
    const { rows } = await this.handle.query('SELECT pending_load($1::jsonb)::text AS work', [JSON.stringify(clusters)]);
    return pendingFromJson(rows[0].work);
  }

  async pendingCounts() {
    const { rows } = await this.handle.query(
      'SELECT cluster, repositories::text AS repositories, searches::text AS searches FROM pending_counts()');
    return pendingCountsFromRows(rows);
  }
}

/**
 * The Sink methods a SqlStore carries out, bound to it: both SQL sinks expose them as
 * they are and add only check() and close() of their own.
 * @param {SqlStore} store
 */
export function sqlSinkMethods(store) {
  return {
    ensureSchema: () => store.ensureSchema(),
    missingSchema: () => store.missingSchema(),
    upsertRepositories: (rows) => store.upsertRepositories(rows),
    saveEtags: (entries) => store.saveEtags(entries),
    addClusters: (finders) => store.addClusters(finders),
    loadKnownIds: () => store.loadKnownIds(),
    loadEtags: () => store.loadEtags(),
    loadRefreshTargets: (clusters, options) => store.loadRefreshTargets(clusters, options),
    loadRepositories: (ids) => store.loadRepositories(ids),
    recordRun: (options) => store.recordRun(options),
    finishRun: (id, result) => store.finishRun(id, result),
    lastRun: () => store.lastRun(),
    clusterCounts: () => store.clusterCounts(),
    savePending: (work, options) => store.savePending(work, options),
    loadPending: (clusters) => store.loadPending(clusters),
    pendingCounts: () => store.pendingCounts(),
  };
}
