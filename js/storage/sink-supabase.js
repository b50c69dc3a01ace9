// The Supabase sink: supabase-js over Supabase's REST API (PostgREST), with the service
// role key. Each batch is one upsert request, i.e. one statement in one transaction.
import { createClient } from '@supabase/supabase-js';
import ws from 'ws';

import { chunks, dedupeById, toRecord } from './columns.js';
import { pendingCountsFromRows, pendingFromJson, pendingSaveArguments } from './pending.js';
import { ADDED_COLUMNS, SCHEMA_PATH, TABLES } from './schema.js';
import { StorageError, firstLine, maskUrl } from './errors.js';
import { checkRunStatus, dedupeEtags } from './sink.js';

/**
 * Rows per upsert request. A row is about 1 KB of JSON; 500 rows take some 20 ms of
 * database time (measured on PostgreSQL 15), far below the statement timeouts Supabase
 * sets (8 s for authenticated requests) and below request body limits, while keeping
 * the requests per 10,000 repositories at 20.
 */
export const SUPABASE_BATCH_ROWS = 500;
const PAGE_ROWS = 1000; // Supabase's default max-rows: a page never asks for more
const CHECK_TIMEOUT_MS = 5000;
const REQUEST_TIMEOUT_MS = 60_000;

function describe(error) {
  if (!error) return 'unknown error';
  // A failed fetch: the cause (ECONNREFUSED, ENOTFOUND, ...) is in `details`.
  const cause = /Caused by: ([^\n]*)/.exec(error.details || '')?.[1];
  const text = [error.message, cause, error.hint].filter(Boolean).join(': ');
  return text || `HTTP ${error.status ?? ''}`.trim();
}

// PostgreSQL's undefined_column, and PostgREST's name for a column its cache lacks.
function isMissingColumn(error) {
  return ['42703', 'PGRST204'].includes(error?.code);
}

function isMissingRelation(error) {
  return ['PGRST205', 'PGRST202', '42P01', '42883'].includes(error?.code);
}

/**
 * @param {object} options
 * @param {string} options.url          SUPABASE_URL
 * @param {string} options.serviceKey   SUPABASE_SERVICE_ROLE_KEY (never printed)
 * @returns {import('./sink.js').Sink}
 */
export function openSupabaseSink({ url, serviceKey, requestTimeoutMs = REQUEST_TIMEOUT_MS }) {
  const where = `Supabase at ${maskUrl(url)}`;
  const secrets = [serviceKey];
  let client;
  try {
    client = createClient(url, serviceKey, {
      auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
      // Node 20 has no global WebSocket; supabase-js refuses to start without one, even
      // though this sink never opens a realtime channel.
      realtime: { transport: ws },
      global: {
        fetch: (input, init = {}) => fetch(input, { ...init, signal: init.signal ?? AbortSignal.timeout(requestTimeoutMs) }),
      },
    });
  } catch (err) {
    throw new StorageError(`storage misconfigured: SUPABASE_URL ${maskUrl(url)}: ${firstLine(err, secrets)}`,
      { code: 'E_STORAGE_CONFIG', cause: err });
  }

  // Every error leaving this sink names where, and never carries the key.
  function fail(action, error) {
    return new StorageError(`${where}: ${action}: ${firstLine(describe(error), secrets)}`, { code: 'E_STORAGE' });
  }

  async function run(action, request) {
    const { data, error } = await request;
    if (error) throw fail(action, error);
    return data;
  }

  async function upsertPart(records) {
    const refreshedAt = new Date().toISOString();
    // ingested_at is left out: the column default fills it on insert, and PostgREST only
    // updates the columns it is sent, so an update keeps it.
    const body = records.map((record) => ({ ...record, refreshed_at: refreshedAt }));
    const upsert = () => client.from('repositories').upsert(body, { onConflict: 'id' });
    let { error } = await upsert();
    if (error?.code === '23505' && /full_name/.test(`${error.message} ${error.details}`)) {
      // A stored row holds a name now used by another id: its name is stale (sink.js).
      for (const part of chunks(records, 100)) {
        await run('removing rows with stale names', client.from('repositories').delete()
          .in('full_name', part.map((r) => r.full_name))
          .not('id', 'in', `(${part.map((r) => r.id).join(',')})`));
      }
      ({ error } = await upsert());
    }
    if (error) throw fail(`upserting ${records.length} repositories`, error);
  }

  // Pages of `select` ordered by `order`, until an empty page (a server capping pages
  // below PAGE_ROWS still returns every row).
  async function readAll(table, columns, order, filter = (query) => query) {
    const rows = [];
    for (let from = 0; ;) {
      let query = filter(client.from(table).select(columns));
      for (const column of order) query = query.order(column, { ascending: true });
      const page = await run(`reading ${table}`, query.range(from, from + PAGE_ROWS - 1));
      if (page.length === 0) return rows;
      rows.push(...page);
      from += page.length;
    }
  }

  return {
    kind: 'supabase',
    description: where,
    async check() {
      const { error, status } = await client.from('repositories').select('id').limit(1)
        .retry(false).abortSignal(AbortSignal.timeout(CHECK_TIMEOUT_MS));
      if (!error || isMissingRelation(error)) return; // reachable; ensureSchema() handles tables
      const reason = status === 401 || status === 403
        ? `SUPABASE_SERVICE_ROLE_KEY was refused (HTTP ${status}): ${describe(error)}`
        : describe(error);
      throw new StorageError(`storage unreachable: ${where}: ${firstLine(reason, secrets)}`,
        { code: 'E_STORAGE_UNREACHABLE' });
    },
    async missingSchema() {
      const missing = [];
      for (const table of TABLES) {
        const { error } = await client.from(table).select('*').limit(1);
        if (isMissingRelation(error)) missing.push(table);
        else if (error) throw fail(`reading ${table}`, error);
      }
      for (const name of ADDED_COLUMNS) {
        const [table, column] = name.split('.');
        if (missing.includes(table)) continue;
        const { error } = await client.from(table).select(column).limit(1);
        if (isMissingColumn(error)) missing.push(name);
        else if (error) throw fail(`reading ${name}`, error);
      }
      // Each function called with arguments that change nothing.
      const probes = [
        ['repository_cluster_counts()', 'repository_cluster_counts', undefined],
        ['repository_add_clusters()', 'repository_add_clusters', { finders: [] }],
        ['pending_save()', 'pending_save', { cluster_names: [], repository_rows: [], search_rows: [] }],
        ['pending_load()', 'pending_load', { cluster_names: [] }],
        ['pending_counts()', 'pending_counts', undefined],
      ];
      for (const [name, fn, args] of probes) {
        const { error } = await client.rpc(fn, args);
        if (isMissingRelation(error)) missing.push(name);
        else if (error) throw fail(`calling ${name}`, error);
      }
      return missing;
    },
    async ensureSchema() {
      const missing = await this.missingSchema();
      if (missing.length > 0) {
        throw new StorageError(
          `${where} has no ${missing.join(', ')}: paste ${SCHEMA_PATH} into the SQL editor of your ` +
            'Supabase project and run it (supabase-js cannot create tables)', { code: 'E_STORAGE_SCHEMA' });
      }
    },
    async upsertRepositories(rows) {
      const records = dedupeById(rows).map(toRecord);
      for (const part of chunks(records, SUPABASE_BATCH_ROWS)) await upsertPart(part);
      return { written: records.length };
    },
    async addClusters(finders) {
      let changed = 0;
      for (const part of chunks(finders, SUPABASE_BATCH_ROWS)) {
        changed += Number(await run('adding clusters', client.rpc('repository_add_clusters', { finders: part })));
      }
      return { changed };
    },
    async saveEtags(entries) {
      const fetchedAt = new Date().toISOString();
      const body = dedupeEtags(entries).map(({ repository_id, endpoint, etag }) => ({
        repository_id: Number(repository_id), endpoint, etag, fetched_at: fetchedAt,
      }));
      for (const part of chunks(body, SUPABASE_BATCH_ROWS * 4)) {
        await run('saving ETags', client.from('repository_etags').upsert(part, { onConflict: 'repository_id,endpoint' }));
      }
    },
    async loadRefreshTargets(clusters, { columns = [] } = {}) {
      const wanted = [...new Set(['id', 'cluster', 'clusters', ...columns])];
      const stored = await readAll('repositories', wanted.join(','), ['id'], (query) => query.in('cluster', clusters));
      const etags = new Map();
      for (const { repository_id: id, etag } of await readAll('repository_etags', 'repository_id,etag',
        ['repository_id'], (query) => query.eq('endpoint', 'repository'))) {
        etags.set(Number(id), etag);
      }
      return stored.map((record) => ({
        id: Number(record.id), cluster: record.cluster, clusters: record.clusters, etag: etags.get(Number(record.id)) ?? null,
        ...(columns.length ? { row: Object.fromEntries(columns.map((name) => [name, record[name]])) } : {}),
      }));
    },
    async loadRepositories(ids) {
      const rows = [];
      for (const part of chunks(ids, SUPABASE_BATCH_ROWS)) {
        rows.push(...await run('reading repositories', client.from('repositories').select('*').in('id', part)));
      }
      return rows.map((row) => ({ ...row, id: Number(row.id) }));
    },
    async loadKnownIds() {
      const ids = new Set();
      // Keyset pages: each one an index range scan, however many rows are stored.
      for (let after = -1; ;) {
        const page = await run('reading repository ids', client.from('repositories').select('id')
          .gt('id', after).order('id', { ascending: true }).limit(PAGE_ROWS));
        if (page.length === 0) return ids;
        for (const { id } of page) ids.add(Number(id));
        after = page[page.length - 1].id;
      }
    },
    async loadEtags() {
      const etags = new Map();
      for (const { repository_id: id, endpoint, etag } of
        await readAll('repository_etags', 'repository_id,endpoint,etag', ['repository_id', 'endpoint'])) {
        const key = Number(id);
        if (!etags.has(key)) etags.set(key, {});
        etags.get(key)[endpoint] = etag;
      }
      return etags;
    },
    async recordRun(options = {}) {
      const row = await run('recording the run', client.from('runs')
        .insert({ status: 'running', options }).select('id').single());
      return Number(row.id);
    },
    async finishRun(id, { status, summary = null }) {
      checkRunStatus(status);
      await run('finishing the run', client.from('runs')
        .update({ finished_at: new Date().toISOString(), status, summary }).eq('id', id));
    },
    async lastRun() {
      const rows = await run('reading the last run', client.from('runs')
        .select('id,started_at,finished_at,status,options,summary')
        .order('started_at', { ascending: false }).order('id', { ascending: false }).limit(1));
      if (rows.length === 0) return null;
      const [run_] = rows;
      return {
        ...run_,
        id: Number(run_.id),
        started_at: new Date(run_.started_at).toISOString(),
        finished_at: run_.finished_at === null ? null : new Date(run_.finished_at).toISOString(),
      };
    },
    async clusterCounts() {
      const rows = await run('counting repositories per cluster', client.rpc('repository_cluster_counts'));
      const counts = {};
      for (const { cluster, stored } of [...rows].sort((a, b) => (a.cluster < b.cluster ? -1 : 1))) {
        counts[cluster] = Number(stored);
      }
      return counts;
    },
    // pending_save() is one statement, so one transaction, as on the SQL sinks.
    async savePending(work, { clusters, forget } = {}) {
      // Only a host of a coordinated job forgets by name, and --coordinate refuses this sink.
      if (forget) throw new TypeError('savePending: `forget` needs a SQL sink (DATABASE_URL)');
      await run('saving the pending work', client.rpc('pending_save', pendingSaveArguments(work, { clusters })));
    },
    async loadPending(clusters) {
      return pendingFromJson(await run('reading the pending work', client.rpc('pending_load', { cluster_names: clusters })));
    },
    async pendingCounts() {
      return pendingCountsFromRows(await run('counting the pending work', client.rpc('pending_counts')));
    },
    async close() {
      await client.removeAllChannels().catch(() => {});
    },
  };
}
