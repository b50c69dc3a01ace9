// complexity: low / medium / high from points for code size, number of languages and
// the kind of project. Points, not a single measure: a 20 MB one-language codebase and a
// 2 MB five-language one are both hard to get into.
import { countWithShare, totalBytes } from './languages.js';

/** Code size points: below 50 KB 0, below 500 KB 1, below 5 MB 2, below 50 MB 3, else 4. */
export const SIZE_STEPS_BYTES = [50e3, 500e3, 5e6, 50e6];
/** A language counts when it holds at least this share of the bytes. */
export const LANGUAGE_MIN_SHARE = 0.02;
/** Language points: up to 2 languages 0, 3 or 4 give 1, 5 or more 2. */
export const LANGUAGE_STEPS = [3, 5];
/** Open issues (and pull requests) at or above this add a point: a large working surface. */
export const OPEN_ISSUES_POINT = 200;
/** Total points: up to LOW_MAX low, up to MEDIUM_MAX medium, above high. */
export const LOW_MAX = 1;
export const MEDIUM_MAX = 3;

// Topics of intrinsically involved software, and of collections and scaffolds whose
// size says little about how hard they are to work on.
const HARD_TOPICS = new Set([
  'compiler', 'interpreter', 'operating-system', 'kernel', 'database', 'database-engine', 'distributed-systems',
  'game-engine', 'emulator', 'virtual-machine', 'jit', 'hypervisor', 'browser-engine', 'query-engine',
  'consensus', 'storage-engine',
]);
const LIGHT_TOPICS = new Set([
  'awesome', 'awesome-list', 'list', 'dotfiles', 'tutorial', 'tutorials', 'cheatsheet', 'boilerplate',
  'template', 'starter', 'starter-kit', 'example', 'examples', 'demo', 'learning', 'course', 'books',
  'resources', 'interview', 'interview-questions', 'roadmap', 'notes',
]);

function steps(value, thresholds) {
  let points = 0;
  while (points < thresholds.length && value >= thresholds[points]) points++;
  return points;
}

/**
 * The points behind the level, for explanation and tests; null when the size is unknown
 * (neither languages nor size_kb).
 */
export function complexityPoints(repo) {
  const total = totalBytes(repo.languages);
  let codeBytes;
  let languages;
  if (total !== null) {
    codeBytes = total;
    languages = countWithShare(repo.languages, total, LANGUAGE_MIN_SHARE);
    if (languages === 0 && repo.language) languages = 1;
  } else if (typeof repo.size_kb === 'number' && repo.size_kb >= 0) {
    // The repository's size on disk stands in for its code when languages were not fetched.
    codeBytes = repo.size_kb * 1024;
    languages = repo.language ? 1 : 0;
  } else {
    return null;
  }
  let points = steps(codeBytes, SIZE_STEPS_BYTES) + steps(languages, LANGUAGE_STEPS);
  if (repo.open_issues >= OPEN_ISSUES_POINT) points++;
  let hard = false;
  let light = false;
  if (Array.isArray(repo.topics)) {
    for (const topic of repo.topics) {
      if (HARD_TOPICS.has(topic)) hard = true;
      else if (LIGHT_TOPICS.has(topic)) light = true;
    }
  }
  if (hard) points++;
  if (light) points--;
  return points;
}

/** @returns {'low'|'medium'|'high'|null} null when the size is unknown */
export function complexityOf(repo) {
  const points = complexityPoints(repo);
  if (points === null) return null;
  if (points <= LOW_MAX) return 'low';
  if (points <= MEDIUM_MAX) return 'medium';
  return 'high';
}
