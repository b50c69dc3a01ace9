// `npm run demo`: the whole product with no token and no server. It starts the project's
// GitHub simulator (ten tokens, a corpus made for the default clusters) in a child
// process, runs the main job against it into the embedded PostgreSQL under ./data, shows
// check-status, then what the same requests would cost on GitHub.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { runCommand } from './cli/run.js';
import { CliError, EXIT_INCOMPLETE, EXIT_OK, UsageError } from './cli/errors.js';
import { integerAtLeast } from './cli/values.js';
import { DEFAULT_CLUSTERS_PATH, loadClusters } from './config/clusters.js';
import { formatSummary } from './ingest/summary.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const TOKENS = 10;
const DEFAULT_LIMIT = 2000;
// The simulator's corpus, per repository the default clusters want. Its usual corpus is
// drawn for realism, not for our queries: 20,000 repositories hold only 4,592 that the
// default clusters' queries find (stars:>=10, no forks), so a run went dry at that. With
// --clusters, 85% of the corpus is made for the clusters' queries (by quota); about half
// of any corpus is under 10 stars or a fork. At 3 per wanted repository each cluster has
// 1.18 to 1.34 times its quota in repositories that no other cluster's queries find, so
// every cluster fills whatever order the run takes them in (at 2.5, two clusters had
// just under their quota in such repositories).
// The demo always uses this one corpus, so that runs into the same ./data add up.
const CORPUS_PER_WANTED = 3;
const WANTED = Object.values(loadClusters(DEFAULT_CLUSTERS_PATH).clusters).reduce((sum, c) => sum + c.quota, 0);
/** The demo's simulator (the test checks its corpus against the default clusters). */
export const SIMULATOR = {
  tokens: TOKENS, repositories: Math.ceil(WANTED * CORPUS_PER_WANTED), clusters: DEFAULT_CLUSTERS_PATH,
};

// GitHub's primary limits, per user (docs/token-pool.md); each resource drains on
// its own. The simulator enforces the same ones.
export const GITHUB_LIMITS = {
  search: { perWindow: 30, windowS: 60, rate: '30/min' },
  core: { perWindow: 5000, windowS: 3600, rate: '5,000/h' },
  graphql: { perWindow: 5000, windowS: 3600, rate: '5,000 points/h' },
};
// REST details, per new repository: languages, README and community profile (the
// ingest's default --details), one core request each.
const REST_REQUESTS_PER_REPOSITORY = 3;

const number = (n) => Math.round(n).toLocaleString('en-US');

/** Seconds as "42 s", "3.5 min" or "1.6 h". */
export function formatDuration(seconds) {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 90 * 60) return `${(seconds / 60).toFixed(1)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/**
 * What a run's requests (the ingest's JSON summary: `requests`, `repos_written`) cost on
 * GitHub with `tokens` tokens of as many users: per resource, the amount spent and the
 * time `tokens` users' quotas take to supply it at GitHub's rate. The job can go no
 * faster than its slowest resource (`bound`).
 */
export function githubCost(summary, { tokens = TOKENS } = {}) {
  const { requests } = summary;
  const spent = { search: requests.search, core: requests.core, graphql: requests.graphql_points };
  const resources = Object.fromEntries(Object.entries(GITHUB_LIMITS).map(([name, limit]) => {
    const seconds = (spent[name] / (limit.perWindow * tokens)) * limit.windowS;
    return [name, { spent: spent[name], seconds }];
  }));
  const [bound] = Object.entries(resources).sort(([, a], [, b]) => b.seconds - a.seconds)[0];
  // Over REST, the same repositories' details from the core bucket instead of GraphQL.
  const restCore = requests.core + summary.repos_written * REST_REQUESTS_PER_REPOSITORY;
  const { perWindow, windowS } = GITHUB_LIMITS.core;
  return {
    tokens, resources, bound, seconds: resources[bound].seconds, graphqlQueries: requests.graphql,
    rest: { core: restCore, seconds: (restCore / (perWindow * tokens)) * windowS },
  };
}

const RESOURCE_NAMES = { search: 'search', core: 'core', graphql: 'GraphQL' };

/** githubCost() as lines: a row per resource (amount, limit per user, quota time), the pace. */
export function costLines(cost) {
  const row = (name, amount) => `  ${RESOURCE_NAMES[name].padEnd(8)} ${amount.padEnd(28)} ` +
    `${GITHUB_LIMITS[name].rate.padEnd(15)} ${formatDuration(cost.resources[name].seconds)}`;
  const { search, core, graphql } = cost.resources;
  if (search.spent + core.spent + graphql.spent === 0) return ['On GitHub, this run would cost nothing: it sent no request.'];
  return [
    `On GitHub, with ${cost.tokens} tokens of ${cost.tokens} users (limits per user), ` +
      'these requests take this much of their quota:',
    row('search', `${number(search.spent)} requests`),
    row('core', `${number(core.spent)} requests`),
    row('graphql', `${number(graphql.spent)} points (${number(cost.graphqlQueries)} queries)`),
    // A sustained pace: the first window of each bucket is there at once.
    `  about ${formatDuration(cost.seconds)} at GitHub's limits: ${RESOURCE_NAMES[cost.bound]} sets the pace ` +
      '(each resource drains on its own)',
    `  details over REST instead (--api=rest): ${number(cost.rest.core)} core requests, ` +
      `${formatDuration(cost.rest.seconds)}`,
  ];
}

/** "Quotas met: ..." or how far the clusters are, from the summary's clusters. */
export function quotaLine(summary) {
  const clusters = Object.values(summary.clusters);
  const stored = clusters.reduce((sum, c) => sum + Math.min(c.stored, c.quota), 0);
  const quota = clusters.reduce((sum, c) => sum + c.quota, 0);
  const met = clusters.filter((c) => c.stored >= c.quota).length;
  if (met === clusters.length) {
    return `Quotas met: all ${clusters.length} clusters are full (${number(stored)} of ${number(quota)}).`;
  }
  return `Quotas: ${met} of ${clusters.length} clusters full, ${number(stored)} of ${number(quota)} stored; ` +
    'run the demo again for more, or with --full for all of it.';
}

function startSimulator() {
  const child = spawn(process.execPath, [
    path.join(root, 'test', 'simulator', 'cli.js'), `--tokens=${SIMULATOR.tokens}`,
    `--repos=${SIMULATOR.repositories}`, `--clusters=${SIMULATOR.clusters}`,
  ], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new CliError(`the GitHub simulator stopped (exit ${code})`)));
    readline.createInterface({ input: child.stdout }).once('line', (line) => resolve({ child, ...JSON.parse(line) }));
  });
}

/** Runs a script of the project; `capture`: its stdout is returned instead of shown. */
function node(script, args, env, { capture = false } = {}) {
  const child = spawn(process.execPath, [path.join(root, script), ...args], {
    stdio: ['inherit', capture ? 'pipe' : 'inherit', 'inherit'], env,
  });
  let stdout = '';
  if (capture) child.stdout.on('data', (chunk) => { stdout += chunk; });
  // Ctrl-C reaches the whole process group: the child stops cleanly (the ingest stores
  // what it fetched and prints its summary), and the demo waits for it to show it.
  // SIGTERM is sent to the demo alone: pass it on.
  const onInt = () => {};
  const onTerm = () => child.kill('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return new Promise((resolve) => child.once('close', (code, signal) => {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
    // Killed by a signal before it could handle it: 128 + its number, as a shell says.
    resolve({ code: code ?? (signal ? 128 + (os.constants.signals[signal] ?? 0) : 1), stdout });
  }));
}

const demo = {
  name: 'demo.js',
  synopsis: 'npm run demo [-- --limit=N | --full]',
  description:
    'Run the ingest job against the built-in GitHub simulator (ten tokens), into the embedded\n' +
    'PostgreSQL under ./data, show check-status, then what the same requests would cost on\n' +
    'GitHub: the whole product, no token, no server. Each run adds to ./data.',
  options: {
    limit: {
      type: 'string', value: 'N', parse: integerAtLeast(1),
      description: `New repositories to fetch (default ${number(DEFAULT_LIMIT)})`,
    },
    full: {
      type: 'boolean',
      description: `No limit: fill every cluster to its quota (${number(WANTED)} repositories; a minute or two)`,
    },
  },
  notes: [
    'The simulator answers with GitHub\'s rate limits (search 30/min, core 5,000/h, GraphQL',
    '5,000 points/h per user), so a run over ~300 search requests waits for a search window.',
    `Its corpus (${number(SIMULATOR.repositories)} repositories, made for the default clusters) lets`,
    `every cluster reach its quota: --full, or --limit=${WANTED} on an empty ./data.`,
    '',
    'Exit status: the ingest\'s (0 done, 3 incomplete, 130 interrupted), else check-status\'s.',
  ],
  async run({ limit, full }) {
    if (full && limit !== undefined) throw new UsageError('--full and --limit cannot be combined (see --help)');
    const sim = await startSimulator();
    try {
      process.stderr.write(`GitHub simulator at ${sim.url} with ${sim.tokens.length} tokens\n`);
      const env = { ...process.env, GITHUB_TOKENS: sim.tokens.join(','), GITHUB_API_URL: sim.url };
      delete env.GITHUB_TOKEN;
      delete env.GITHUB_TOKENS_FILE;
      delete env.DATABASE_URL;
      delete env.SUPABASE_URL;
      delete env.SUPABASE_SERVICE_ROLE_KEY;
      // --json: the summary's counts feed the cost lines; its human form is printed here.
      const args = ['--cluster=all', '--json', ...(full ? [] : [`--limit=${limit ?? DEFAULT_LIMIT}`])];
      const ingest = await node('ingest-balanced-parallel.js', args, env, { capture: true });
      const summary = parseSummary(ingest.stdout);
      if (summary) process.stdout.write(formatSummary(summary));
      // Incomplete (exit 3): check-status shows what is pending; the exit status stays 3.
      if (ingest.code !== EXIT_OK && ingest.code !== EXIT_INCOMPLETE) return ingest.code;
      process.stdout.write('\n');
      const status = await node('check-status.js', [], env);
      if (summary) process.stdout.write(`\n${quotaLine(summary)}\n${costLines(githubCost(summary)).join('\n')}\n`);
      return status.code === EXIT_OK ? ingest.code : status.code;
    } finally {
      sim.child.kill('SIGTERM');
    }
  },
};

/** The ingest's JSON summary: the last line of its stdout (null when it printed none). */
function parseSummary(stdout) {
  const line = stdout.trim().split('\n').at(-1);
  try {
    return line ? JSON.parse(line) : null;
  } catch {
    return null;
  }
}

// Run only as a program: the test imports the cost functions.
if (process.argv[1] && import.meta.url === pathToFileURL(fs.realpathSync(process.argv[1])).href) {
  await runCommand(demo);
}
