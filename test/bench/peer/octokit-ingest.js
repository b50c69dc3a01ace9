#!/usr/bin/env node
// The peer of the benchmark: the same job as ingest-balanced-parallel.js, done the way
// users would write it today in plain JS. @octokit/rest with @octokit/plugin-throttling
// and @octokit/plugin-retry, one Octokit per token, each with its own throttle id (else
// every instance shares one Bottleneck queue), one worker per token (the engine's
// concurrency). It plans the clusters' limits like the product (js/plan/quotas.js),
// searches each cluster's queries with per_page=100 following the pages, deduplicates,
// fetches languages, the README (raw) and the community profile of each new repository,
// enriches it with the project's own rules (js/ingest/rows.js -> js/enrich) and writes
// batches of 100 through the same sink (js/storage), at most 4 batches pending.
//
// Searches are not split by created: ranges (a query's first 1,000 results are all it
// reaches); the benchmark's clusters are chosen so that every cluster still fills up,
// and the summary says if one ran dry.
//
//   GITHUB_TOKENS=... GITHUB_API_URL=... node test/bench/peer/octokit-ingest.js \
//     [--config=PATH] [--limit=N] [--db-dir=DIR] [--details=LIST|none] [--search-spacing-ms=N]
//     [--dry-run] [--json]
//
// --search-spacing-ms: the throttling plugin spaces a token's searches 2,000 ms apart
// (GitHub's 30 a minute); the benchmark compresses GitHub's windows, so it scales this
// spacing the same way (0 when the quota is unlimited).
import { parseArgs } from 'node:util';

import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import Bottleneck from 'bottleneck/light.js';

import { loadClusters, searchQueries, selectClusters } from '../../../js/config/clusters.js';
import { toRow } from '../../../js/ingest/rows.js';
import { planLimits } from '../../../js/plan/quotas.js';
import { openSink } from '../../../js/storage/index.js';

const BATCH_SIZE = 100;
const MAX_PENDING_BATCHES = 4;
const MAX_LIMIT_RETRIES = 4;
// Keep this many repositories waiting for details before searching more, so that the
// workers never idle while a search page is on its way.
const DETAILS_LOW_WATER = 200;

const { values } = parseArgs({
  options: {
    config: { type: 'string' },
    cluster: { type: 'string', default: 'all' },
    limit: { type: 'string' },
    'db-dir': { type: 'string', default: './data' },
    details: { type: 'string', default: 'languages,readme,community' },
    'search-spacing-ms': { type: 'string', default: '2000' },
    'dry-run': { type: 'boolean' },
    json: { type: 'boolean' },
  },
  strict: true,
});

const started = Date.now();
const tokens = (process.env.GITHUB_TOKENS ?? '').split(/[\s,]+/).filter(Boolean);
if (tokens.length === 0) throw new Error('GITHUB_TOKENS is empty');
const baseUrl = process.env.GITHUB_API_URL ?? 'https://api.github.com';
const details = new Set(values.details === 'none' ? [] : values.details.split(','));
const searchSpacingMs = Number(values['search-spacing-ms']);

const config = loadClusters(values.config);
const selected = selectClusters(config, values.cluster);
const sink = await openSink({}, { dbDir: values['db-dir'] });
await sink.check();
await sink.ensureSchema();
const stored = await sink.clusterCounts();
const quotas = Object.fromEntries(selected.map((name) => [name, config.clusters[name].quota]));
const wanted = planLimits({ quotas, stored, selected, limit: values.limit === undefined ? undefined : Number(values.limit) });
const seen = new Set(await sink.loadKnownIds());

if (values['dry-run']) {
  process.stdout.write(`${JSON.stringify({ dry_run: true, storage: sink.description, wanted })}\n`);
  await sink.close();
  process.exit(0);
}

// --- Octokit, one per token ------------------------------------------------------------

const counters = { search: 0, core: 0, rateLimited: 0, secondaryLimited: 0, failed: 0, gone: 0 };
const ThrottledOctokit = Octokit.plugin(throttling, retry);
const searchGroup = new Bottleneck.Group({ maxConcurrent: 1, minTime: searchSpacingMs });
const silent = { debug() {}, info() {}, warn() {}, error() {} };

// As the plugin's README shows: log, then retry (here up to MAX_LIMIT_RETRIES times).
function onLimit(counter) {
  return (retryAfter, options, octokit, retryCount) => {
    counters[counter]++;
    return retryCount < MAX_LIMIT_RETRIES;
  };
}

const octokits = tokens.map((token, index) => new ThrottledOctokit({
  auth: token,
  baseUrl,
  log: silent,
  throttle: {
    id: `token-${index + 1}`,
    search: searchGroup,
    onRateLimit: onLimit('rateLimited'),
    onSecondaryRateLimit: onLimit('secondaryLimited'),
  },
  retry: { retries: 3 },
}));

// --- Work: search pages feed a queue of repositories waiting for details -------------

const now = Date.now();
const clusters = new Map(selected.filter((name) => wanted[name] > 0).map((name) => [name, {
  name, limit: wanted[name], claimed: 0, queries: searchQueries(config, name), query: 0, page: 1,
  searching: false, done: false, ranDry: false, buffer: [],
}]));
const foundBy = new Map();  // repository id -> clusters whose searches found it
const waiting = [];         // {item, cluster}
let order = [...clusters.keys()];
let active = 0;             // jobs running
let written = 0;
const perToken = tokens.map(() => 0);
let wake = [];

function notify() {
  const resolvers = wake;
  wake = [];
  for (const resolve of resolvers) resolve();
}

function nextSearch() {
  // Round-robin over the clusters, one search in flight per cluster (pages in order).
  for (let i = 0; i < order.length; i++) {
    const cluster = clusters.get(order[i]);
    if (!cluster.done && !cluster.searching) {
      order = [...order.slice(i + 1), ...order.slice(0, i + 1)];
      return cluster;
    }
  }
  return null;
}

// A job is a function of the worker's Octokit and index.
function nextJob() {
  if (waiting.length < DETAILS_LOW_WATER) {
    const cluster = nextSearch();
    if (cluster) return (octokit, worker) => search(cluster, octokit, worker);
  }
  if (waiting.length) {
    const entry = waiting.shift();
    return (octokit, worker) => fetchDetails(entry, octokit, worker);
  }
  const cluster = nextSearch();
  return cluster ? (octokit, worker) => search(cluster, octokit, worker) : null;
}

function hasNext(link) {
  return /<[^>]*>;\s*rel="next"/.test(link ?? '');
}

async function search(cluster, octokit, worker) {
  cluster.searching = true;
  try {
    counters.search++;
    perToken[worker]++;
    const response = await octokit.rest.search.repos({ q: cluster.queries[cluster.query], per_page: 100, page: cluster.page });
    for (const item of response.data.items) {
      const finders = foundBy.get(item.id);
      if (finders) {
        finders.add(cluster.name);
        continue;
      }
      if (seen.has(item.id) || cluster.claimed >= cluster.limit) continue;
      seen.add(item.id);
      foundBy.set(item.id, new Set([cluster.name]));
      cluster.claimed++;
      waiting.push({ item, cluster });
    }
    if (hasNext(response.headers.link) && response.data.items.length) {
      cluster.page++;
    } else {
      cluster.query++;
      cluster.page = 1;
    }
  } catch (err) {
    counters.failed++;
    cluster.query++;  // a query GitHub refuses (422 past 1,000 results, ...) is skipped
    cluster.page = 1;
  } finally {
    cluster.searching = false;
    if (cluster.claimed >= cluster.limit) cluster.done = true;
    else if (cluster.query >= cluster.queries.length) {
      cluster.done = true;
      cluster.ranDry = true;
    }
  }
}

function isGone(err) {
  return err.status === 404 || err.status === 451;
}

async function fetchDetails({ item, cluster }, octokit, worker) {
  const owner = item.owner.login;
  const repo = item.name;
  const call = async (request) => {
    counters.core++;
    perToken[worker]++;
    return (await request).data;
  };
  let languages = null;
  let readme = null;
  let community = null;
  try {
    // Languages first: the cheapest answer, and a 404 there means the repository is gone.
    if (details.has('languages')) languages = await call(octokit.rest.repos.listLanguages({ owner, repo }));
    if (details.has('readme')) {
      readme = await call(octokit.rest.repos.getReadme({ owner, repo, mediaType: { format: 'raw' } }))
        .catch((err) => { if (err.status === 404) return null; throw err; });
    }
    if (details.has('community')) community = await call(octokit.rest.repos.getCommunityProfileMetrics({ owner, repo }));
  } catch (err) {
    if (isGone(err)) counters.gone++;
    else counters.failed++;
    return;
  }
  const files = community?.files ?? {};
  const repository = {
    id: item.id,
    node_id: item.node_id,
    full_name: item.full_name,
    owner,
    name: repo,
    description: item.description,
    html_url: item.html_url,
    homepage: item.homepage || null,
    language: item.language,
    languages,
    topics: item.topics ?? [],
    license: item.license?.spdx_id ?? null,
    stars: item.stargazers_count,
    forks: item.forks_count,
    watchers: null,  // search results repeat the stars as watchers_count
    open_issues: item.open_issues_count,
    size_kb: item.size,
    default_branch: item.default_branch,
    is_fork: item.fork,
    is_archived: item.archived,
    created_at: item.created_at,
    pushed_at: item.pushed_at,
    updated_at: item.updated_at,
    readme: typeof readme === 'string' ? readme : null,
    community: community && {
      health_percentage: community.health_percentage ?? null,
      code_of_conduct: Boolean(files.code_of_conduct || files.code_of_conduct_file),
      contributing: Boolean(files.contributing),
      issue_template: Boolean(files.issue_template),
      pull_request_template: Boolean(files.pull_request_template),
      license: Boolean(files.license),
      readme: Boolean(files.readme),
    },
    clusters_found: [...foundBy.get(item.id)],
  };
  cluster.buffer.push(toRow(repository, cluster.name, now));
  if (cluster.buffer.length >= BATCH_SIZE) await flush(cluster);
}

// One writer, batches in order; workers wait when too many batches are pending.
let writing = Promise.resolve();
let pending = 0;
let writeError = null;

async function flush(cluster) {
  if (!cluster.buffer.length) return;
  const rows = cluster.buffer;
  cluster.buffer = [];
  pending++;
  writing = writing.then(async () => {
    try {
      await sink.upsertRepositories(rows);
      written += rows.length;
    } catch (err) {
      writeError ??= err;
    } finally {
      pending--;
    }
  });
  if (pending >= MAX_PENDING_BATCHES) await writing;
}

async function worker(index) {
  const octokit = octokits[index];
  for (;;) {
    if (writeError) return;
    const job = nextJob();
    if (job) {
      active++;
      try {
        await job(octokit, index);
      } finally {
        active--;
        notify();
      }
      continue;
    }
    if (active === 0) return notify();
    await new Promise((resolve) => wake.push(resolve));
  }
}

await Promise.all(tokens.map((_, index) => worker(index)));
for (const cluster of clusters.values()) await flush(cluster);
await writing;
await sink.close();

const summary = {
  repos_written: written,
  clusters: Object.fromEntries([...clusters.values()].map((c) => [c.name, { limit: c.limit, claimed: c.claimed, ran_dry: c.ranDry }])),
  requests: {
    total: counters.search + counters.core, search: counters.search, core: counters.core,
    rate_limited: counters.rateLimited, secondary_limited: counters.secondaryLimited,
    failed: counters.failed, gone: counters.gone,
  },
  tokens: perToken.map((requests, i) => ({ id: `Token #${i + 1}`, requests })),
  elapsed_s: Math.round((Date.now() - started) / 100) / 10,
};
if (writeError) {
  process.stderr.write(`octokit-ingest: storage failed: ${writeError.message}\n`);
  process.exitCode = 1;
}
process.stdout.write(values.json ? `${JSON.stringify(summary)}\n` : `${JSON.stringify(summary, null, 2)}\n`);
