// The clusters file (README.md, Clusters file): which GitHub searches feed each cluster
// and how many repositories each may hold. Every problem with the file is one line that
// names the file (exit 1); a cluster the command line asks for but the file does not
// define is a usage error (exit 2).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { CliError, UsageError } from '../cli/errors.js';

/** The clusters file shipped with gh-ingest, used when --config is not given. */
export const DEFAULT_CLUSTERS_PATH = fileURLToPath(new URL('./clusters.default.json', import.meta.url));

const NAME = /^[A-Za-z0-9_-]+$/;
// `--cluster=all` means every cluster, so no cluster may be called that.
const RESERVED_NAMES = new Set(['all']);

function fail(file, problem) {
  return new CliError(`clusters file ${file}: ${problem}`, { code: 'E_CLUSTERS_FILE' });
}

function shown(value) {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function isObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function readText(file) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    const reason = {
      ENOENT: 'no such file',
      EISDIR: 'is a directory, not a file',
      EACCES: 'permission denied',
    }[err.code] ?? String(err.message).split('\n')[0];
    throw fail(file, `cannot read it: ${reason}`);
  }
}

// Node 20's JSON.parse gives a character position; people look for a line and column.
function parseJson(file, text) {
  try {
    return JSON.parse(text);
  } catch (err) {
    let message = String(err.message).split('\n')[0];
    const position = /at position (\d+)/.exec(message);
    if (position && !/\(line \d+/.test(message)) {
      const before = text.slice(0, Number(position[1]));
      const line = before.split('\n').length;
      const column = before.length - before.lastIndexOf('\n');
      message = `${message} (line ${line} column ${column})`;
    }
    throw fail(file, `not valid JSON: ${message}`);
  }
}

function checkQueries(file, name, queries) {
  const where = `clusters.${name}.queries`;
  if (!Array.isArray(queries) || queries.length === 0) {
    throw fail(file, `${where} must be a non-empty list of GitHub search queries, got ${shown(queries)}`);
  }
  return queries.map((query, i) => {
    if (typeof query !== 'string' || query.trim() === '') {
      throw fail(file, `${where}[${i}] must be a non-empty string, got ${shown(query)}`);
    }
    return query.trim();
  });
}

function checkCluster(file, name, cluster) {
  if (!NAME.test(name)) {
    throw fail(file, `cluster name ${shown(name)} may only hold letters, digits, '_' and '-'`);
  }
  if (RESERVED_NAMES.has(name)) {
    throw fail(file, `cluster name ${shown(name)} is reserved (--cluster=all means every cluster)`);
  }
  if (!isObject(cluster)) {
    throw fail(file, `clusters.${name} must be an object with quota and queries, got ${shown(cluster)}`);
  }
  const { quota } = cluster;
  if (!Number.isSafeInteger(quota) || quota <= 0) {
    throw fail(file, `clusters.${name}.quota must be a positive whole number, got ${shown(quota)}`);
  }
  return { quota, queries: checkQueries(file, name, cluster.queries) };
}

/**
 * Reads and checks a clusters file. Keys other than min_stars and clusters (and, in a
 * cluster, other than quota and queries) are ignored, so a file may carry comments such
 * as "description".
 *
 * Note: JavaScript objects list integer-like keys first, so a cluster named "2024" comes
 * before the others whatever its place in the file.
 *
 * @param {string} [file=DEFAULT_CLUSTERS_PATH]
 * @returns {{path: string, minStars: number, clusters: Record<string, {quota: number, queries: string[]}>}}
 * @throws {CliError} one line naming the file and the problem (exit 1)
 */
export function loadClusters(file = DEFAULT_CLUSTERS_PATH) {
  const resolved = path.resolve(file);
  const text = readText(resolved).replace(/^\uFEFF/, '');
  const data = parseJson(resolved, text);
  if (!isObject(data)) throw fail(resolved, `expected a JSON object with "clusters", got ${shown(data)}`);

  const minStars = Object.hasOwn(data, 'min_stars') ? data.min_stars : 0;
  if (!Number.isSafeInteger(minStars) || minStars < 0) {
    throw fail(resolved, `min_stars must be a whole number (0 or more), got ${shown(data.min_stars)}`);
  }
  if (!isObject(data.clusters) || Object.keys(data.clusters).length === 0) {
    throw fail(resolved, `no clusters: expected "clusters": {"name": {"quota": N, "queries": [...]}, ...}`);
  }
  const clusters = {};
  for (const [name, cluster] of Object.entries(data.clusters)) {
    clusters[name] = checkCluster(resolved, name, cluster);
  }
  return { path: resolved, minStars, clusters };
}

/**
 * The clusters a run works on, in file order.
 * @param {{clusters: Record<string, object>}} config   from loadClusters()
 * @param {'all'|string[]} selection   'all', or cluster names (a comma-separated string is accepted too)
 * @returns {string[]}
 * @throws {UsageError} naming the clusters the file does not define (exit 2)
 */
export function selectClusters(config, selection) {
  const defined = Object.keys(config.clusters);
  const asked = typeof selection === 'string' ? selection.split(',') : [...selection];
  const names = asked.map((name) => String(name).trim()).filter(Boolean);
  if (names.length === 0) throw new UsageError(`no cluster selected: use --cluster=all or one of ${defined.join(', ')}`);
  if (names.includes('all')) return defined;
  const unknown = [...new Set(names.filter((name) => !Object.hasOwn(config.clusters, name)))];
  if (unknown.length > 0) {
    const what = unknown.length === 1 ? 'unknown cluster' : 'unknown clusters';
    throw new UsageError(`${what} ${unknown.join(', ')}: ${config.path ?? 'the clusters file'} defines ` +
      `${defined.join(', ')}`);
  }
  return defined.filter((name) => names.includes(name));
}

// A stars qualifier of the user's own, negated or not (GitHub qualifiers ignore case).
const STARS_QUALIFIER = /(?:^|\s)-?stars:/i;

/**
 * The GitHub search queries of a cluster, with the file's stars floor added to those
 * that do not set stars themselves. The user's qualifiers are passed through untouched.
 * @param {{minStars: number, clusters: Record<string, {queries: string[]}>}} config
 * @param {string} name
 * @returns {string[]}
 */
export function searchQueries(config, name) {
  const [known] = selectClusters(config, [name]);
  const { queries } = config.clusters[known];
  if (!(config.minStars > 0)) return [...queries];
  return queries.map((query) => (STARS_QUALIFIER.test(query) ? query : `${query} stars:>=${config.minStars}`));
}
