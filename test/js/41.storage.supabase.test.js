// The Supabase sink (supabase-js) against a PostgREST-compatible endpoint over the real
// test database (test/support/postgrest.js), in a schema of its own.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { startPostgrest } from '../support/postgrest.js';
import { makeRepositories } from '../support/repositories.js';
import { sinkContract } from '../support/sink-contract.js';
import { TEST_DATABASE_URL, createTestSchema, readRepository } from '../support/test-database.js';
import { schemaSql } from '../../js/storage/schema.js';
import { openSupabaseSink } from '../../js/storage/sink-supabase.js';

let database;
let endpoint;

sinkContract('Supabase sink (supabase-js)', {
  async open() {
    database = await createTestSchema('t41_supabase');
    // Supabase users paste schema.sql into the SQL editor; here it is run the same way.
    await database.query(await schemaSql());
    endpoint = await startPostgrest({ connectionString: TEST_DATABASE_URL, schema: database.schema });
    return openSupabaseSink({ url: endpoint.url, serviceKey: endpoint.key });
  },
  readRepository: (id) => readRepository(database.query, id),
  async cleanup() {
    await endpoint?.close();
    await database?.drop();
  },
});

describe('Supabase sink: requests', () => {
  let db;
  let server;
  before(async () => {
    db = await createTestSchema('t41_supabase_requests');
    server = await startPostgrest({ connectionString: TEST_DATABASE_URL, schema: db.schema });
  });
  after(async () => {
    await server?.close();
    await db?.drop();
  });

  it('says to paste schema.sql when the tables are missing', async () => {
    const sink = openSupabaseSink({ url: server.url, serviceKey: server.key });
    await sink.check();
    await assert.rejects(sink.ensureSchema(),
      new RegExp('has no repositories, runs, repository_etags, pending, pending_searches, repository_cluster_counts\\(\\), ' +
        'repository_add_clusters\\(\\), pending_save\\(\\), pending_load\\(\\), pending_counts\\(\\): ' +
        'paste .*schema\\.sql into the SQL editor'));
    await sink.close();
  });

  it('names what an earlier schema lacks (the pending work), so that schema.sql is pasted again', async () => {
    const sql = await schemaSql();
    await db.query(sql);
    await db.query('DROP TABLE pending, pending_searches CASCADE; DROP FUNCTION pending_save, pending_load, pending_counts');
    const sink = openSupabaseSink({ url: server.url, serviceKey: server.key });
    assert.deepEqual(await sink.missingSchema(),
      ['pending', 'pending_searches', 'pending_save()', 'pending_load()', 'pending_counts()']);
    await assert.rejects(sink.ensureSchema(), /has no pending, pending_searches, pending_save\(\), .*: paste .*schema\.sql/);
    await db.query(sql);   // pasted again: nothing else changes
    assert.deepEqual(await sink.missingSchema(), []);
    await sink.close();
  });

  it('upserts with on_conflict=id and merge-duplicates, in batches of 500, without ingested_at', async () => {
    await db.query(await schemaSql());
    const sink = openSupabaseSink({ url: server.url, serviceKey: server.key });
    await sink.ensureSchema();
    server.requests.length = 0;
    await sink.upsertRepositories(makeRepositories(1200));
    const posts = server.requests.filter((r) => r.method === 'POST');
    assert.equal(posts.length, 3);
    for (const post of posts) {
      assert.match(post.path, /^\/rest\/v1\/repositories\?/);
      const url = new URL(post.path, 'http://x');
      assert.equal(url.searchParams.get('on_conflict'), 'id');
      assert.doesNotMatch(url.searchParams.get('columns'), /ingested_at/);
      assert.match(url.searchParams.get('columns'), /"refreshed_at"/);
      assert.match(post.prefer, /resolution=merge-duplicates/);
    }
    await sink.close();
  });

  it('refuses a wrong key with one line that does not show the key', async () => {
    const secret = 'sb-secret-not-this-one';
    const sink = openSupabaseSink({ url: server.url, serviceKey: secret });
    const err = await sink.check().then(() => null, (e) => e);
    assert.ok(err, 'check() failed');
    assert.match(err.message, /^storage unreachable: Supabase at http:\/\/127\.0\.0\.1:\d+\/: SUPABASE_SERVICE_ROLE_KEY was refused \(HTTP 401\)/);
    assert.doesNotMatch(err.message, new RegExp(secret));
    assert.doesNotMatch(err.message, /\n/);
    await sink.close();
  });
});
