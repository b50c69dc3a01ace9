// Shared by the node:test files: paths, and child processes with a clean environment
// (no token of the machine running the tests leaks into them).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const TOKEN_VARIABLES = ['GITHUB_TOKENS', 'GITHUB_TOKEN', 'GITHUB_TOKENS_FILE', 'GH_INGEST_ADDON'];

/** process.env without the token variables and the addon override, plus `extra`. */
export function cleanEnv(extra = {}) {
  const env = { ...process.env };
  for (const name of TOKEN_VARIABLES) delete env[name];
  delete env.NODE_TEST_CONTEXT;  // else a child `node` thinks it runs under node:test
  return { ...env, ...extra };
}

/** Runs `node <args>` and returns {status, stdout, stderr}. */
export function node(args, { env = {}, cwd = root, timeout = 30_000 } = {}) {
  const result = spawnSync(process.execPath, args, { cwd, env: cleanEnv(env), encoding: 'utf8', timeout });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * Runs `node <args>` without blocking this process's event loop (needed when the child
 * talks to a server living in this process, such as the simulator). Past `timeout` the
 * child gets `killSignal`. Resolves to {status, stdout, stderr}.
 */
export function nodeAsync(args, { env = {}, cwd = root, timeout = 30_000, killSignal = 'SIGKILL' } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, env: cleanEnv(env) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => { stdout += chunk; });
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    const timer = setTimeout(() => child.kill(killSignal), timeout);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** A fresh temporary directory, removed when the process exits. */
export function tempDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-ingest-test-'));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}
