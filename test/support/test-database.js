// The PostgreSQL test database (TEST_DATABASE_URL), and a schema of its own for each test
// file so that files running in parallel never see each other's tables.
import assert from 'node:assert/strict';

import pg from 'pg';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL
  || 'postgres://gh_ingest:gh_ingest@127.0.0.1:5432/gh_ingest_test';

/**
 * Creates schema `<prefix>_<pid>` (dropping a leftover first). Fails loudly when the
 * database is down. Returns {schema, query(sql, params), drop()}.
 */
export async function createTestSchema(prefix) {
  const schema = `${prefix}_${process.pid}`;
  const pool = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 2, connectionTimeoutMillis: 5000,
    options: `-c search_path=${pg.escapeIdentifier(schema)}` });
  pool.on('error', () => {});
  try {
    await pool.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
    await pool.query(`CREATE SCHEMA ${pg.escapeIdentifier(schema)}`);
  } catch (err) {
    await pool.end();
    assert.fail(`cannot use the test database (TEST_DATABASE_URL): ${err.message || err.code}. ` +
      'Start it with `bash .ci/start-postgres.sh`.');
  }
  return {
    schema,
    query: (text, params) => pool.query(text, params),
    async drop() {
      await pool.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
      await pool.end();
    },
  };
}

/** A DATABASE_URL for the test database whose search_path is `schema`. */
export function schemaDatabaseUrl(schema) {
  const url = new URL(TEST_DATABASE_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.href;
}

/** A repository row read straight from the table, or undefined. */
export async function readRepository(query, id) {
  const { rows } = await query('SELECT * FROM repositories WHERE id = $1', [id]);
  if (rows.length === 0) return undefined;
  return { ...rows[0], id: Number(rows[0].id), pushed_at: rows[0].pushed_at && rows[0].pushed_at.toISOString() };
}
