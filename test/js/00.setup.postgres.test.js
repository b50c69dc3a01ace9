// The test database must be up: later tests store into it. This never skips: a missing
// database is a broken setup, reported with the command that fixes it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import pg from 'pg';

const DEFAULT_URL = 'postgres://gh_ingest:gh_ingest@127.0.0.1:5432/gh_ingest_test';
const url = process.env.TEST_DATABASE_URL || DEFAULT_URL;

function withoutPassword(connectionString) {
  try {
    const parsed = new URL(connectionString);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable TEST_DATABASE_URL)';
  }
}

describe('test database (TEST_DATABASE_URL)', () => {
  it('accepts a connection and answers a query', async () => {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
    try {
      await client.connect();
    } catch (err) {
      assert.fail(
        `cannot connect to the test database ${withoutPassword(url)}: ${err.message || err.code}. ` +
          'Start it with `bash .ci/start-postgres.sh` (or set TEST_DATABASE_URL to a database you own).',
      );
    }
    try {
      const { rows } = await client.query('SELECT current_database() AS db, 1 + 1 AS two');
      assert.equal(rows[0].two, 2);
      assert.ok(rows[0].db);
    } finally {
      await client.end();
    }
  });
});
