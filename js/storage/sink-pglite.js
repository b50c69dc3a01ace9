// The embedded sink (the default): PostgreSQL compiled to WebAssembly (PGlite), its files
// under <dbDir>/pglite. No server, no network; one process at a time (lock file).
import fs from 'node:fs';
import path from 'node:path';

import { PGlite } from '@electric-sql/pglite';

import { StorageError, firstLine } from './errors.js';
import { SqlStore, sqlSinkMethods } from './sql-store.js';

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

const lockedHere = new Set();

// Two PGlite instances on one directory corrupt it, so the directory is taken with a
// lock file holding our pid; a lock left by a dead process is taken over.
function lockDirectory(dataDir) {
  const lockPath = `${dataDir}.lock`;
  if (lockedHere.has(lockPath)) {
    throw new StorageError(`the embedded database ${dataDir} is already open in this process`, { code: 'E_STORAGE_BUSY' });
  }
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      fs.writeFileSync(lockPath, String(process.pid), { flag: 'wx' });
      lockedHere.add(lockPath);
      return () => {
        lockedHere.delete(lockPath);
        fs.rmSync(lockPath, { force: true });
      };
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      const holder = Number.parseInt(fs.readFileSync(lockPath, 'utf8'), 10);
      if (holder && holder !== process.pid && isAlive(holder)) {
        throw new StorageError(
          `the embedded database ${dataDir} is in use by process ${holder} (one process at a time; ` +
            'wait for it to finish, or point --db-dir elsewhere)', { code: 'E_STORAGE_BUSY' });
      }
      fs.rmSync(lockPath, { force: true });
    }
  }
  throw new StorageError(`cannot lock the embedded database ${dataDir}`, { code: 'E_STORAGE_BUSY' });
}

/**
 * @param {object} options
 * @param {string} [options.dbDir='./data']   the database lives in <dbDir>/pglite
 * @returns {import('./sink.js').Sink}
 */
export function openPgliteSink({ dbDir = './data' } = {}) {
  const dataDir = path.resolve(dbDir, 'pglite');
  let opening = null;
  let unlock = null;

  // Opened on first use (about 4 s the first time, when the database is created).
  function database() {
    opening ??= (async () => {
      try {
        fs.mkdirSync(dataDir, { recursive: true });
        unlock = lockDirectory(dataDir);
        const db = new PGlite(dataDir);
        await db.waitReady;
        return db;
      } catch (err) {
        if (unlock) unlock();
        unlock = null;
        if (err instanceof StorageError) throw err;
        throw new StorageError(`storage unavailable: embedded PostgreSQL at ${dataDir}: ${firstLine(err)}`,
          { code: 'E_STORAGE_UNREACHABLE', cause: err });
      }
    })();
    return opening;
  }

  const wrap = (q) => ({ query: (text, params) => q.query(text, params), exec: (text) => q.exec(text).then(() => {}) });
  const handle = {
    query: async (text, params) => (await database()).query(text, params),
    exec: async (text) => { await (await database()).exec(text); },
    transaction: async (work) => (await database()).transaction((tx) => work(wrap(tx))),
  };
  const store = new SqlStore(handle);

  return {
    kind: 'pglite',
    description: `embedded PostgreSQL at ${dataDir}`,
    dataDir,
    /** The PGlite instance, opened if need be: for tests and tools, not the ingest program. */
    database,
    async check() {
      const db = await database();
      try {
        await db.query('SELECT 1');
      } catch (err) {
        throw new StorageError(`storage unavailable: embedded PostgreSQL at ${dataDir}: ${firstLine(err)}`,
          { code: 'E_STORAGE_UNREACHABLE', cause: err });
      }
    },
    ...sqlSinkMethods(store),
    async close() {
      if (!opening) return;
      const pending = opening;
      opening = null;
      try {
        const db = await pending.catch(() => null);
        if (db) await db.close();
      } finally {
        if (unlock) unlock();
        unlock = null;
      }
    },
  };
}
