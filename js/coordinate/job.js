// One host's link to a coordinated job (--coordinate): the SQL of coordination.sql, one
// round trip per call, over its own small `pg` pool (the sink's pool stays for rows).
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';

import pg from 'pg';

const SQL = readFileSync(new URL('./coordination.sql', import.meta.url), 'utf8');
const SQL_MARKER = `gh-ingest coordination ${createHash('sha256').update(SQL).digest('hex').slice(0, 16)}`;
// Serialises hosts installing the functions at once (CREATE OR REPLACE FUNCTION racing
// itself fails with "tuple concurrently updated").
const INSTALL_LOCK_KEY = 0x67686a62; // "ghjb"

/**
 * What makes runs one job: the selected clusters as the clusters file defines them
 * (queries and quotas), the limit and how details are fetched. Two hosts started with the
 * same file and options join the same job; anything else is another job.
 */
export function jobKey({ config, selected, limit, api, details }) {
  const clusters = Object.fromEntries([...selected].sort().map((name) => [name, config.clusters[name]]));
  const canonical = JSON.stringify({ clusters, limit: limit ?? null, api: api ?? 'graphql', details: details ?? null });
  return createHash('sha256').update(canonical).digest('hex');
}

/** A host id no other process shares: the machine, the process, and a random part. */
export function newHostId() {
  return `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

export class CoordinatedJob {
  /**
   * @param {{connectionString: string, host?: string, ttlMs?: number}} options
   */
  constructor({ connectionString, host = newHostId(), ttlMs = 10_000 }) {
    this.host = host;
    this.ttlMs = ttlMs;
    this.statements = 0;
    this.pool = new pg.Pool({ connectionString, max: 3, connectionTimeoutMillis: 5000, idleTimeoutMillis: 10_000 });
    this.pool.on('error', () => {});
  }

  async call(text, params) {
    this.statements += 1;
    const { rows } = await this.pool.query(text, params);
    return rows[0] ? Object.values(rows[0])[0] : undefined;
  }

  // Runs coordination.sql unless the database has it already: its DDL locks the job's
  // tables, which would hold up (or deadlock with) the hosts already at work.
  async install() {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [INSTALL_LOCK_KEY]);
      const { rows } = await client.query("SELECT obj_description(to_regclass('coord_jobs'), 'pg_class') AS marker");
      if (rows[0]?.marker !== SQL_MARKER) {
        await client.query(SQL);
        await client.query(`COMMENT ON TABLE coord_jobs IS '${SQL_MARKER}'`);
      }
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  /**
   * `stored`: the clusters' stored counts now, kept by the job that opens here.
   * @returns {Promise<{job: number, new: boolean, createdUpper: number, wanted: Record<string, number>,
   *   storedAtStart: Record<string, number>}>}
   */
  join({ key, createdUpper, wanted, stored = {} }) {
    return this.call('SELECT coord_join($1, $2, $3, $4, $5, $6, $7)',
      [key, this.host, os.hostname(), this.ttlMs, createdUpper, JSON.stringify(wanted), JSON.stringify(stored)]);
  }

  /** How many hosts took part in the job so far. */
  hostCount() {
    return this.call('SELECT count(*)::int FROM coord_hosts WHERE job = (SELECT job FROM coord_hosts WHERE host = $1)', [this.host]);
  }

  beginCheck() {
    return this.call('SELECT coord_begin_check($1, $2)', [this.host, this.ttlMs]);
  }

  endCheck({ logins, masks, states }) {
    return this.call('SELECT coord_end_check($1, $2, $3, $4)', [this.host, logins, masks, JSON.stringify(states)]);
  }

  /** @returns {Promise<{grant: Record<string, object>, release: string[], lost: string[], check: boolean, hosts: number, idle: number}>} */
  sync(status) {
    return this.call('SELECT coord_sync($1, $2, $3)', [this.host, this.ttlMs, JSON.stringify(status)]);
  }

  /** @returns {Promise<{accepted: number[], offered: number[], full: string[]}>} */
  claim(items) {
    return this.call('SELECT coord_claim($1, $2)', [this.host, JSON.stringify(items)]);
  }

  /** @returns {Promise<number[]>} the ids now offered to the job's idle hosts */
  offer(items) {
    return this.call('SELECT coord_offer($1, $2)', [this.host, JSON.stringify(items.map(({ id, row }) => ({ id, row })))]);
  }

  unclaim(ids) {
    return this.call('SELECT coord_unclaim($1, $2)', [this.host, ids]);
  }

  takeQuery(query) {
    return this.call('SELECT coord_take_query($1, $2)', [this.host, query]);
  }

  queryDone(query, complete) {
    return this.call('SELECT coord_query_done($1, $2, $3)', [this.host, query, complete]);
  }

  /**
   * `queries`: every query of this host's clusters; those no host took are its now.
   * @returns {Promise<{queries: string[], owed: object[], wait: boolean}>}
   */
  adopt(queries = []) {
    return this.call('SELECT coord_adopt($1, $2)', [this.host, queries]);
  }

  /** @returns {Promise<{finished: boolean}>} */
  leave({ states = {}, progress = null, complete = false } = {}) {
    return this.call('SELECT coord_leave($1, $2, $3, $4)',
      [this.host, JSON.stringify(states), progress && JSON.stringify(progress), complete]);
  }

  close() {
    return this.pool.end();
  }
}
