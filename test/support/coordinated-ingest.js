// Shared by the --coordinate tests: the ingest run as a real process in a host (a network
// namespace, netns.js), and a job's table in a form that compares across runs.
import { cleanEnv } from './helpers.js';

// Columns that differ between any two runs: when a row was written.
const VOLATILE = ['ingested_at', 'refreshed_at'];

/**
 * Starts `node <args>` in `host` with a clean environment plus `env`: {child, stderr(),
 * done}. `done` resolves to {status, signal, stdout, stderr, summary}, `summary` being the
 * last stdout line as JSON (--json), or null.
 */
export function ingestInHost(host, { args, cwd, env }) {
  const child = host.spawn(process.execPath, args, { cwd, env: cleanEnv(env) });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => { stdout += chunk; });
  child.stderr.setEncoding('utf8').on('data', (chunk) => { stderr += chunk; });
  const done = new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (status, signal) => {
      let summary = null;
      try { summary = JSON.parse(stdout.trim().split('\n').pop()); } catch { /* the caller reports it */ }
      resolve({ status, signal, stdout, stderr, summary });
    });
  });
  return { child, done, stderr: () => stderr };
}

/** The repositories table without the write times, clusters sorted: equal for equal jobs. */
export async function storedTable(db) {
  const { rows } = await db.query('SELECT * FROM repositories ORDER BY id');
  return rows.map((row) => {
    const copy = { ...row };
    for (const column of VOLATILE) delete copy[column];
    copy.clusters = [...copy.clusters].sort();
    return copy;
  });
}
