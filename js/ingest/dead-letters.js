// Nothing is lost: a batch that cannot be stored after retries is appended, with its
// error, to ./data/dead-letters.ndjson (docs/running.md), and the next run
// stores those batches before it asks GitHub for anything.
import fs from 'node:fs';
import path from 'node:path';

export const DEAD_LETTERS_PATH = path.join('data', 'dead-letters.ndjson');

/** Appends one batch of rows and the reason it could not be stored. */
export function appendDeadLetter(file, { cluster, rows, error }) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const line = JSON.stringify({ at: new Date().toISOString(), cluster, error: String(error?.message ?? error), rows });
  fs.appendFileSync(file, `${line}\n`);
}

/**
 * Stores every dead-lettered batch with `store(rows)`. Batches that fail again stay in
 * the file; the others are removed. Returns {replayed, failed, error}.
 */
export async function replayDeadLetters(file, store) {
  if (!fs.existsSync(file)) return { replayed: 0, failed: 0, error: null };
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter((line) => line.trim());
  const kept = [];
  let replayed = 0;
  let lastError = null;
  for (const line of lines) {
    let letter;
    try {
      letter = JSON.parse(line);
    } catch {
      kept.push(line);  // a torn line (kill -9 mid-write) is kept for a person to look at
      continue;
    }
    try {
      await store(letter.rows);
      replayed += letter.rows.length;
    } catch (err) {
      lastError = err;
      kept.push(line);
    }
  }
  if (kept.length) {
    fs.writeFileSync(file, `${kept.join('\n')}\n`);
  } else {
    fs.rmSync(file);
  }
  return { replayed, failed: kept.length, error: lastError };
}
