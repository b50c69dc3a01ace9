// Where things are: the repository root, and a scratch directory per bench run.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const BENCH_DIR = path.join(ROOT, 'test', 'bench');

/** A fresh scratch directory, removed by the returned function. */
export function scratchDirectory() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-ingest-bench-'));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
