// tech_stack: the repository's main languages (from the byte counts), then the
// frameworks and tools of TECH_TABLE recognised from its topics and description.
import { totalBytes } from './languages.js';
import { TECH_TABLE } from './tech-stack-table.js';

/** A language is listed when it holds at least this share of the bytes... */
export const LANGUAGE_MIN_SHARE = 0.1;
/** ...and at most this many are listed, the largest first. */
export const MAX_LANGUAGES = 5;

// Compiled once: topic -> entry indexes, and one alternation per case mode whose match,
// looked up in a map, names the entry. A match must not touch an ASCII letter, digit or
// '_' on either side, nor a '.' or '-' before it: "Next.js,", "基于React的" and
// "Kubernetes-native" match; "unreactive", "nvidia-docker" and the ".NET" of "ASP.NET"
// do not.
const byTopic = new Map();
const byWord = new Map();
const byExact = new Map();

function claim(map, key, index, what) {
  const owner = map.get(key);
  if (owner !== undefined && owner !== index) {
    throw new Error(`tech-stack table: ${what} '${key}' is claimed by both ${TECH_TABLE[owner].name} and ${TECH_TABLE[index].name}`);
  }
  map.set(key, index);
}

TECH_TABLE.forEach((entry, index) => {
  Object.freeze(entry);
  for (const topic of entry.topics ?? []) {
    const list = byTopic.get(topic);
    if (list) list.push(index);
    else byTopic.set(topic, [index]);
  }
  for (const word of entry.words ?? []) claim(byWord, word.toLowerCase(), index, 'word');
  for (const word of entry.exact ?? []) claim(byExact, word, index, 'exact word');
});
Object.freeze(TECH_TABLE);

function escape(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function alternation(words, flags) {
  if (words.length === 0) return null;
  // Longest first, so "vue.js" wins over "vue" and "asp.net core" over "asp.net".
  const sorted = [...words].sort((a, b) => b.length - a.length).map(escape);
  return new RegExp(`(?<![A-Za-z0-9_.-])(?:${sorted.join('|')})(?![A-Za-z0-9_])`, flags);
}

const WORDS = alternation([...byWord.keys()], 'gi');
const EXACT = alternation([...byExact.keys()], 'g');

function collect(pattern, map, text, caseFold, hits) {
  if (pattern === null) return;
  pattern.lastIndex = 0;
  let match;
  while ((match = pattern.exec(text)) !== null) {
    const index = map.get(caseFold ? match[0].toLowerCase() : match[0]);
    if (index !== undefined && !hits.includes(index)) hits.push(index);
  }
}

/** The listed languages, largest first: those with LANGUAGE_MIN_SHARE of the bytes (the largest always). */
export function mainLanguages(languages, primary) {
  const total = totalBytes(languages);
  if (!total) return typeof primary === 'string' && primary !== '' ? [primary] : [];
  const floor = total * LANGUAGE_MIN_SHARE;
  const kept = [];
  let top = null;
  let topBytes = 0;
  for (const name in languages) {
    const bytes = languages[name];
    if (typeof bytes !== 'number' || bytes <= 0) continue;
    if (bytes > topBytes) {
      top = name;
      topBytes = bytes;
    }
    if (bytes >= floor) kept.push([name, bytes]);
  }
  if (kept.length === 0) kept.push([top, topBytes]);
  // Ties keep a stable, readable order: by name.
  kept.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const names = [];
  for (let i = 0; i < kept.length && i < MAX_LANGUAGES; i++) names.push(kept[i][0]);
  return names;
}

/** The TECH_TABLE names recognised from topics and description, in table order. */
export function recognisedTools(topics, description) {
  const hits = [];
  if (Array.isArray(topics)) {
    for (const topic of topics) {
      if (typeof topic !== 'string') continue;
      const indexes = byTopic.get(topic) ?? byTopic.get(topic.toLowerCase());
      if (indexes === undefined) continue;
      for (const index of indexes) if (!hits.includes(index)) hits.push(index);
    }
  }
  if (typeof description === 'string' && description !== '') {
    collect(WORDS, byWord, description, true, hits);
    collect(EXACT, byExact, description, false, hits);
  }
  hits.sort((a, b) => a - b);
  return hits.map((index) => TECH_TABLE[index].name);
}

/**
 * @param {{languages?: Record<string, number>|null, language?: string|null,
 *          topics?: string[]|null, description?: string|null}} repo
 * @returns {string[]} languages first, then frameworks and tools; no name twice
 */
export function techStackOf(repo) {
  const stack = mainLanguages(repo.languages, repo.language);
  for (const name of recognisedTools(repo.topics, repo.description)) {
    if (!stack.includes(name)) stack.push(name);
  }
  return stack;
}
