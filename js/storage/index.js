// Storage: picks the sink from the environment (README.md, Storage). See sink.js
// for the interface every sink implements.
import path from 'node:path';

import { StorageError } from './errors.js';

/**
 * The sink the environment asks for: SUPABASE_URL + SUPABASE_SERVICE_ROLE_KEY ->
 * Supabase; else DATABASE_URL -> PostgreSQL; else the embedded PGlite under
 * <dbDir>/pglite. Opening connects to nothing: call check() (fails fast, one line), then
 * ensureSchema().
 * @param {Record<string, string|undefined>} [env=process.env]
 * @param {{dbDir?: string}} [options]
 * @returns {Promise<import('./sink.js').Sink>}
 */
export async function openSink(env = process.env, { dbDir = './data' } = {}) {
  const supabaseUrl = env.SUPABASE_URL?.trim();
  const serviceKey = env.SUPABASE_SERVICE_ROLE_KEY?.trim();
  if (supabaseUrl || serviceKey) {
    if (!supabaseUrl || !serviceKey) {
      const missing = supabaseUrl ? 'SUPABASE_SERVICE_ROLE_KEY' : 'SUPABASE_URL';
      throw new StorageError(`${missing} is not set: Supabase needs both SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY`,
        { code: 'E_STORAGE_CONFIG' });
    }
    const { openSupabaseSink } = await import('./sink-supabase.js');
    return openSupabaseSink({ url: supabaseUrl, serviceKey });
  }
  const databaseUrl = env.DATABASE_URL?.trim();
  if (databaseUrl) {
    const { openPostgresSink } = await import('./sink-postgres.js');
    return openPostgresSink({ connectionString: databaseUrl });
  }
  const { openPgliteSink } = await import('./sink-pglite.js');
  return openPgliteSink({ dbDir: path.resolve(dbDir) });
}

export { StorageError } from './errors.js';
export { SCHEMA_PATH } from './schema.js';
