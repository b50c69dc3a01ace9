// openSink(): which sink the environment chooses, and check() failing fast with one
// clear line (no secret in it) when storage cannot be reached.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, it } from 'node:test';

import { tempDir } from '../support/helpers.js';
import { dedupeById } from '../../js/storage/columns.js';
import { StorageError, openSink } from '../../js/storage/index.js';

async function closedPort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function failure(promise) {
  return promise.then(() => assert.fail('expected a failure'), (err) => err);
}

describe('openSink(env, {dbDir})', () => {
  it('chooses Supabase, else DATABASE_URL, else the embedded database under <dbDir>/pglite', async () => {
    const both = { SUPABASE_URL: 'https://x.supabase.co', SUPABASE_SERVICE_ROLE_KEY: 'k', DATABASE_URL: 'postgres://a@b/c' };
    const sinks = [
      await openSink(both),
      await openSink({ DATABASE_URL: 'postgres://u:pw@127.0.0.1:1/db' }),
      await openSink({}, { dbDir: '/tmp/somewhere' }),
    ];
    assert.deepEqual(sinks.map((sink) => sink.kind), ['supabase', 'postgres', 'pglite']);
    assert.equal(sinks[2].dataDir, path.resolve('/tmp/somewhere/pglite'));
    assert.equal(sinks[1].description, 'PostgreSQL at postgres://u:***@127.0.0.1:1/db');
    for (const sink of sinks) await sink.close();
  });

  it('asks for the other Supabase variable when only one is set', async () => {
    const err = await failure(openSink({ SUPABASE_URL: 'https://x.supabase.co', DATABASE_URL: 'postgres://a@b/c' }));
    assert.ok(err instanceof StorageError);
    assert.match(err.message, /^SUPABASE_SERVICE_ROLE_KEY is not set/);
    assert.equal(err.exitCode, 1);
  });

  it('check() fails within seconds, in one line without the password, for a closed DATABASE_URL port', async () => {
    const port = await closedPort();
    const sink = await openSink({ DATABASE_URL: `postgres://gh_ingest:hunter2secret@127.0.0.1:${port}/nothing` });
    const started = Date.now();
    const err = await failure(sink.check());
    assert.ok(Date.now() - started < 5000, 'fails fast');
    assert.ok(err instanceof StorageError);
    assert.equal(err.code, 'E_STORAGE_UNREACHABLE');
    assert.equal(err.message,
      `storage unreachable: PostgreSQL at postgres://gh_ingest:***@127.0.0.1:${port}/nothing: connect ECONNREFUSED 127.0.0.1:${port}`);
    await sink.close();
  });

  it('check() fails within seconds, in one line without the key, for an unreachable SUPABASE_URL', async () => {
    const port = await closedPort();
    const key = 'eyJhbGciOiJIUzI1NiJ9.service-role-secret';
    const sink = await openSink({ SUPABASE_URL: `http://127.0.0.1:${port}`, SUPABASE_SERVICE_ROLE_KEY: key });
    const started = Date.now();
    const err = await failure(sink.check());
    assert.ok(Date.now() - started < 5000, 'fails fast (no retries)');
    assert.match(err.message, new RegExp(`^storage unreachable: Supabase at http://127\\.0\\.0\\.1:${port}/: .*ECONNREFUSED`));
    assert.doesNotMatch(err.message, /service-role-secret|\n/);
    await sink.close();
  });

  it('lets one process at a time open an embedded database', async () => {
    const dbDir = tempDir();
    const first = await openSink({}, { dbDir });
    await first.check();
    const second = await openSink({}, { dbDir });
    assert.equal((await failure(second.check())).code, 'E_STORAGE_BUSY');
    await second.close();
    await first.close();
    assert.equal(fs.existsSync(`${first.dataDir}.lock`), false, 'lock released');

    // A lock held by another live process (here: this test's parent) is respected;
    // one left by a dead process is taken over.
    const other = await openSink({}, { dbDir: tempDir() });
    fs.mkdirSync(path.dirname(other.dataDir), { recursive: true });
    fs.writeFileSync(`${other.dataDir}.lock`, String(process.ppid));
    const err = await failure(other.check());
    assert.equal(err.code, 'E_STORAGE_BUSY');
    assert.match(err.message, new RegExp(`is in use by process ${process.ppid} `));
    await other.close();
  });
});

describe('dedupeById(rows)', () => {
  it('keeps the last row of each id and of each full_name, sorted by id', () => {
    const rows = [
      { id: 10, full_name: 'a/x', v: 1 }, { id: 9, full_name: 'b/y', v: 2 }, { id: 10, full_name: 'a/x', v: 3 },
      { id: 100, full_name: 'c/z', v: 4 }, { id: 11, full_name: 'c/z', v: 5 },
    ];
    assert.deepEqual(dedupeById(rows).map((row) => row.v), [2, 3, 5]);
    assert.throws(() => dedupeById([{ full_name: 'no/id' }]), TypeError);
  });
});
