// The PostgreSQL sink (DATABASE_URL, also a Supabase connection string), over `pg`.
import pg from 'pg';

import { StorageError, firstLine, maskUrl } from './errors.js';
import { SqlStore, sqlSinkMethods } from './sql-store.js';

const CONNECT_TIMEOUT_MS = 5000;

/**
 * @param {object} options
 * @param {string} options.connectionString
 * @param {string} [options.schema]   a schema to work in (search_path); default: the server's
 * @param {number} [options.connectTimeoutMs=5000]
 * @returns {import('./sink.js').Sink}
 */
export function openPostgresSink({ connectionString, schema, connectTimeoutMs = CONNECT_TIMEOUT_MS }) {
  const where = `PostgreSQL at ${maskUrl(connectionString)}`;
  const pool = new pg.Pool({
    connectionString,
    max: 4,
    connectionTimeoutMillis: connectTimeoutMs,
    idleTimeoutMillis: 10_000,
    ...(schema ? { options: `-c search_path=${pg.escapeIdentifier(schema)}` } : {}),
  });
  // An idle connection dropped by the server must not crash the process: the next query
  // gets a new one, or fails and is reported there.
  pool.on('error', () => {});

  const handle = {
    query: (text, params) => pool.query(text, params),
    exec: (text) => pool.query(text).then(() => {}),
    async transaction(work) {
      const client = await pool.connect();
      // A connection lost while checked out (the server or the network went away) is an
      // 'error' event on the client, which would end the process without a listener; the
      // statement in flight fails on its own and is reported from there.
      const ignore = () => {};
      client.on('error', ignore);
      let failure;
      try {
        await client.query('BEGIN');
        const result = await work({
          query: (text, params) => client.query(text, params),
          exec: (text) => client.query(text).then(() => {}),
        });
        await client.query('COMMIT');
        return result;
      } catch (err) {
        failure = err;
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        client.off('error', ignore);
        // After a failure the connection may be broken: the pool discards it.
        client.release(failure);
      }
    },
  };
  const store = new SqlStore(handle);

  return {
    kind: 'postgres',
    description: where,
    async check() {
      try {
        await pool.query('SELECT 1');
      } catch (err) {
        throw new StorageError(`storage unreachable: ${where}: ${firstLine(err, [connectionString])}`,
          { code: 'E_STORAGE_UNREACHABLE', cause: err });
      }
    },
    ...sqlSinkMethods(store),
    close: () => pool.end(),
  };
}
