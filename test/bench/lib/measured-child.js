// Runs one pipeline in its own process with lib/probe.js preloaded, so its CPU time and
// peak RSS are its own. Resolves to {exitCode, wallS, probe, stdout, stderr, timedOut}
// (timedOut: stopped with SIGTERM after `timeoutMs`).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { track } from './children.js';

const PROBE = pathToFileURL(path.join(path.dirname(new URL(import.meta.url).pathname), 'probe.js')).href;

/** The environment of a pipeline: no token, storage or proxy setting leaks in from ours. */
export function pipelineEnv(extra) {
  const env = { ...process.env, ...extra };
  for (const name of ['GITHUB_TOKEN', 'GITHUB_TOKENS_FILE', 'DATABASE_URL', 'SUPABASE_URL',
    'SUPABASE_SERVICE_ROLE_KEY', 'GITHUB_GRAPHQL_URL', 'GITHUB_POINTS_PER_MINUTE', 'HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy']) {
    if (!(name in extra)) delete env[name];
  }
  env.NO_PROXY = '127.0.0.1,localhost';
  return env;
}

export function runMeasured({ script, args, env, cwd, timeoutMs = 30 * 60_000 }) {
  const probeFile = path.join(cwd, `probe-${process.hrtime.bigint()}.json`);
  const started = performance.now();
  const child = track(spawn(process.execPath, [`--import=${PROBE}`, script, ...args], {
    cwd, env: { ...env, GH_BENCH_PROBE: probeFile }, stdio: ['ignore', 'pipe', 'pipe'],
  }));
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => { stdout += chunk; });
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  let timedOut = false;
  const timer = setTimeout(() => { timedOut = true; child.kill('SIGTERM'); }, timeoutMs);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const wallS = (performance.now() - started) / 1000;
      let probe = null;
      try { probe = JSON.parse(fs.readFileSync(probeFile, 'utf8')); } catch { /* killed before exit */ }
      resolve({ exitCode: code ?? signal, wallS, probe, stdout, stderr, timedOut });
    });
  });
}

/** The last line of stdout that parses as JSON (the pipeline's --json summary). */
export function jsonSummary(run, what) {
  const lines = run.stdout.trim().split('\n').reverse();
  for (const line of lines) {
    try { return JSON.parse(line); } catch { /* progress or noise */ }
  }
  const tail = run.stderr.trim().split('\n').slice(-5).join('\n');
  throw new Error(`${what} printed no JSON summary (exit ${run.exitCode}):\n${tail}`);
}
