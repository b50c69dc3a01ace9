// The jobs of the benchmark: which simulator, which clusters, how many repositories.
// One place, so the quick smoke version and the full one differ only in size.
import path from 'node:path';

import { DEFAULT_CLUSTERS_PATH, loadClusters } from '../../../js/config/clusters.js';
import { DEFAULT_WORK_BUDGET } from '../../simulator/graphql/work.js';
import { BENCH_DIR } from '../lib/paths.js';

const UNLIMITED = 1_000_000_000;
const TOKENS = 10;
const ALL_DETAILS = 'languages,readme,community';
// What the simulator builds for its whole corpus before the first run (test/simulator/
// warm.js), so that runs measure it serving documents, not generating them: search
// items, and the REST and GraphQL details for jobs with details. (The search-bound job
// warms search items only: GraphQL's files for 150,000 repositories would take 40 s
// and 3 GB, for a job that reads 20,000 of them.)
const WARM_DETAILS = 'search,rest,graphql';

/**
 * Quota efficiency: GitHub's limits with the same ratio between buckets, time
 * compressed. GitHub: core 5,000 per 3,600 s (1.39/s) and search 30 per 60 s (0.5/s) per
 * user. Here: core 250 per 30 s (8.33/s) and search 30 per 10 s (3/s): both rates x6,
 * the core window 120x shorter (so a few thousand repositories span several windows).
 */
export function quotaJob(quick) {
  // GraphQL: 5,000 points an hour on GitHub, like core: compressed alike.
  const limits = quick ? { core: 25, search: 30, graphql: 25 } : { core: 250, search: 30, graphql: 250 };
  const windows = quick ? { core: 3, search: 10, graphql: 3 } : { core: 30, search: 10, graphql: 30 };
  return {
    tokens: TOKENS, limits, windows,
    simulator: {
      tokens: TOKENS, repos: 20_000, seed: 1,
      'core-limit': limits.core, 'core-window': windows.core,
      'search-limit': limits.search, 'search-window': windows.search, 'graphql-limit': limits.graphql,
      warm: WARM_DETAILS,
    },
    // The throttling plugin spaces searches 2,000 ms apart (30 a minute): compressed alike.
    job: {
      config: DEFAULT_CLUSTERS_PATH, limit: quick ? 200 : 3000, details: ALL_DETAILS,
      searchSpacingMs: Math.round((windows.search * 1000) / limits.search),
    },
  };
}

/**
 * GraphQL against the bucket that binds it: search. With GraphQL the details cost one
 * point per query of up to 100 repositories, so at GitHub's ratios (the quota job) every
 * bucket fits in its first window and there is no bound to measure against. Here the
 * issue's multi-cluster run: every cluster of the default file to its quota (20,000
 * repositories; quick: 2,000) with full details on 10 tokens, and the search bucket
 * compressed harder than the others, 10 searches per user per 30 s window (GitHub: 30
 * per 60 s), so the searches span several windows (about 4 here). Core and GraphQL keep
 * the quota job's 250 per 30 s and never bind. The 150,000-repository corpus holds the
 * 20,000 (most queries pass 1,000 results there, so the engine splits them). Ours with
 * --api=graphql only: through REST the same 20,000 are 60,000 core requests, 24 of the
 * compressed 30 s windows (12 minutes), and the Octokit peer splits no query, so it
 * would run dry.
 */
export function searchBoundJob(quick) {
  const limits = quick ? { core: 25, search: 2, graphql: 25 } : { core: 250, search: 10, graphql: 250 };
  const windows = quick ? { core: 3, search: 3, graphql: 3 } : { core: 30, search: 30, graphql: 30 };
  return {
    tokens: TOKENS, limits, windows,
    // GitHub's own limits, to say what the same requests would need there.
    github: { limits: { core: 5000, search: 30, graphql: 5000 }, windows: { core: 3600, search: 60, graphql: 3600 } },
    simulator: {
      tokens: TOKENS, repos: quick ? 20_000 : 150_000, seed: 1,
      'core-limit': limits.core, 'core-window': windows.core,
      'search-limit': limits.search, 'search-window': windows.search, 'graphql-limit': limits.graphql,
      warm: 'search',
    },
    job: {
      config: DEFAULT_CLUSTERS_PATH, limit: quick ? 2000 : 20_000, details: ALL_DETAILS,
      searchSpacingMs: Math.round((windows.search * 1000) / limits.search),
    },
  };
}

// GitHub ends a request it cannot process in 10 seconds (the GraphQL API's "Timeouts").
const GITHUB_TIMEOUT_MS = 10_000;

/**
 * GraphQL under a work budget: the search-bound job (above) against a simulator whose
 * GraphQL queries time out when their work passes the default budget (750: any 50
 * repositories of the engine's details query pass, a full query of 100 does not;
 * test/simulator/README.md, "GitHub misbehaviours"), the timeout answered after a delay
 * and charged its points. GitHub answers after 10 s. This job runs GitHub's time faster
 * by the ratio of its binding window, search, to GitHub's (30 s for 60 s: 2x; quick: 3 s,
 * 20x), so the delay is compressed alike: 5 s (quick: 0.5 s). Compressed like the core
 * and GraphQL windows instead (120x), a timeout would cost 83 ms, next to nothing.
 */
export function graphqlBudgetJob(quick) {
  const job = searchBoundJob(quick);
  const budget = {
    work: DEFAULT_WORK_BUDGET,
    delayMs: Math.round((GITHUB_TIMEOUT_MS * job.windows.search) / job.github.windows.search),
  };
  return { ...job, budget, simulator: { ...job.simulator, 'graphql-budget': JSON.stringify(budget) } };
}

// The unlimited jobs' simulator has no secondary caps, so ours does not pace below
// GitHub's (900 REST and 2,000 GraphQL points per user and minute by default: 5,000
// repositories through REST are 15,000 requests, 1,500 per user, and would wait a minute
// for the cap, not for the engine). The quota jobs keep the default; there it never
// binds (core 250 per 30 s is 500 a minute).
const NO_MINUTE_CAPS = { GITHUB_POINTS_PER_MINUTE: '0' };

/** Engine CPU: unlimited quotas on loopback, full details. */
export function cpuJob(quick) {
  return {
    simulator: {
      tokens: TOKENS, repos: quick ? 20_000 : 60_000, seed: 1,
      'core-limit': UNLIMITED, 'search-limit': UNLIMITED, 'graphql-limit': UNLIMITED, warm: WARM_DETAILS,
    },
    job: { config: DEFAULT_CLUSTERS_PATH, limit: quick ? 300 : 5000, details: ALL_DETAILS, searchSpacingMs: 0, env: NO_MINUTE_CAPS },
  };
}

/**
 * Memory: 10,000 then 100,000 repositories (quick: 500 and 2,000) from clusters that
 * cut the whole corpus by creation date, search fields only (--details=none): with
 * details, 100,000 repositories are 300,000 more requests, minutes on two cores.
 */
export function memoryJobs(quick) {
  const simulator = {
    tokens: TOKENS, repos: quick ? 20_000 : 150_000, seed: 1,
    'core-limit': UNLIMITED, 'search-limit': UNLIMITED, 'graphql-limit': UNLIMITED, warm: 'search',
  };
  const config = path.join(BENCH_DIR, 'clusters.memory.json');
  return (quick ? [500, 2000] : [10_000, 100_000]).map((limit) => ({
    simulator, job: { config, limit, details: 'none', searchSpacingMs: 0, env: NO_MINUTE_CAPS },
  }));
}

/**
 * Search drift: results that move while a client pages (the simulator's --drift: after
 * every `every`-th served search page, `count` repositories of that page's query gain
 * stars; each one, a "climber", jumps from the next two pages onto a page already
 * served, so a client that reads pages in order misses it and sees another twice).
 * The clusters want every repository their queries match, so "missed" is measurable:
 * clusters.drift.json holds the default clusters' 32 queries with quotas above anything
 * they match and no stars floor (min_stars 0). Without a floor drift only reorders
 * results and never adds a match (a "riser" is lifted over a floor), so the set the
 * queries match is the same before and after the run, computed from the seed; a
 * repository lifted into a query after its range was checked is not owed by design
 * (README, "When GitHub misbehaves"), which would make "missed" ambiguous.
 *
 * Intensity: every 20th search page served, one repository moves onto a page already
 * read (7-9 moves in the full job's ~175 searches, each a repository a client without
 * a re-check misses). Every simulated move lands on a page already read, the worst
 * case: on GitHub a star moves a repository past the ones with as many stars only. The
 * engine's re-check costs about one search request per range a move shortened, so the
 * extra share is about moves / searches: a move after every page (the simulator's
 * default, --drift=on) costs ~18% more searches here. test/bench/RESULTS.md has the curve.
 * Unlimited quotas: drift counts pages, not seconds, and the figures are requests.
 * Details: languages only (REST: one core request per repository; GraphQL: one query
 * per 100), enough for each --api to interleave its details with its searches as it does.
 */
export function driftJob(quick) {
  const config = path.join(BENCH_DIR, 'clusters.drift.json');
  const { clusters } = loadClusters(config);
  const repos = quick ? 3_000 : 20_000;
  return {
    corpus: { seed: 1, repositories: repos },
    drift: { every: 20, count: 1 },
    simulator: {
      tokens: TOKENS, repos, seed: 1,
      'core-limit': UNLIMITED, 'search-limit': UNLIMITED, 'graphql-limit': UNLIMITED,
    },
    job: {
      config, limit: Object.values(clusters).reduce((sum, c) => sum + c.quota, 0),
      details: 'languages', searchSpacingMs: 0, env: NO_MINUTE_CAPS,
    },
  };
}

// GitHub's penalty after a secondary limit when it sends no retry-after: "wait for at
// least one minute" (Best practices for using the REST API). The simulator's default.
const GITHUB_PENALTY_S = 60;

/**
 * Lanes: the quota jobs (REST's quota job, GraphQL's search-bound job) against a
 * simulator that enforces GitHub's serial rule (test/simulator/README.md, "One request
 * at a time per user"): a user's request that arrives while another of its requests is
 * in flight is a secondary limit, answered with a retry-after, and starts a penalty
 * during which every request of that user is refused. The penalty (GitHub: at least a
 * minute) is compressed like each job's search window, the window that sets its pace:
 * 10 s for the quota job (search 10 s for GitHub's 60 s), 30 s for the search-bound job
 * (30 s for 60 s); quick: 2 s and 3 s. Everything else is the job as sections 1 and 1b
 * run it, so the bound and the figures compare with theirs.
 */
export function lanesJobs(quick) {
  const serial = (penalty) => JSON.stringify({ perUser: 1, retryAfter: penalty, penalty });
  const quota = quotaJob(quick);
  const searchBound = searchBoundJob(quick);
  const quotaPenalty = quick ? 2 : Math.round((GITHUB_PENALTY_S * quota.windows.search) / 60);
  const searchPenalty = quick ? 3 : Math.round((GITHUB_PENALTY_S * searchBound.windows.search) / searchBound.github.windows.search);
  return {
    quota: { ...quota, penalty: quotaPenalty, simulator: { ...quota.simulator, concurrency: serial(quotaPenalty) } },
    searchBound: { ...searchBound, penalty: searchPenalty, simulator: { ...searchBound.simulator, concurrency: serial(searchPenalty) } },
  };
}

/**
 * Refresh: 20,000 stored repositories (quick: 1,000) re-checked after a known share of
 * them changed on GitHub. One cluster whose quota is the job's size, one query over the
 * whole corpus (split by created: ranges), no stars floor, full details, so that the
 * ingest stores exactly that many and a --refresh run wants nothing new and sends no
 * search: what it costs is the re-check alone. The corpus (25,000; quick 2,000) holds
 * more than that, forks aside. Between the ingest and the refreshes the simulator gives
 * `changedShare` of the stored repositories (every 50th by id: 2%) one star more, as a
 * push or a star would (updated_at moves, ETags change). Unlimited quotas (the figures
 * are requests and points; seconds are loopback seconds), no per-minute caps, and the
 * serial rule on with a short penalty (a lane broken shows, and costs little).
 */
export function refreshJob(quick) {
  const repos = quick ? 1000 : 20_000;
  return {
    repos,
    changedEvery: 50,
    config: {
      description: 'npm run bench, refresh section: one cluster over the whole corpus, its quota the job size',
      min_stars: 0,
      clusters: { everything: { quota: repos, queries: ['created:2000-01-01..2030-12-31'] } },
    },
    simulator: {
      tokens: TOKENS, repos: quick ? 2000 : 25_000, seed: 1,
      'core-limit': UNLIMITED, 'search-limit': UNLIMITED, 'graphql-limit': UNLIMITED,
      warm: WARM_DETAILS, concurrency: JSON.stringify({ perUser: 1, retryAfter: 5, penalty: 5 }),
    },
    job: { limit: null, details: ALL_DETAILS, searchSpacingMs: 0, env: NO_MINUTE_CAPS },
  };
}

/**
 * Latency: GitHub's own limits (core and GraphQL 5,000 an hour, search 30 a minute, per
 * user; no compression) and GitHub's latencies (the simulator's `latency: true`: search
 * pages 300-700 ms, REST documents 100-300 ms, GraphQL 200-400 ms plus 2.5 ms per unit of
 * work, ~2.7 s for the engine's 100-repository details query). At these latencies a
 * user's lane is busy waiting for answers, so serial requests per user cost throughput:
 * the figure is repositories per minute with one lane per user (the default) against
 * --concurrency-per-user=3, each against a simulator that enforces GitHub's serial rule as
 * GitHub documents it (no retry-after: the client waits at least a minute; the penalty
 * lasts 60 s) and, for 3, also against a lenient one (no serial rule: what the lanes
 * cost when GitHub tolerates the concurrency). Each run is stopped after `wallLimitS`
 * (our ingest then stores what it has and prints its summary). GraphQL (the default):
 * 12,000 repositories of the default clusters, full details (~216 search pages: under 30
 * per user, so the search quota's first window holds them and latency, not search,
 * sets the pace). REST, and the Octokit peer (REST only) beside it: 1,000 repositories.
 * Quick: the same shapes at a tenth of the latency and a few hundred repositories.
 */
export function latencyJobs(quick) {
  const scale = quick ? 0.1 : 1;
  const penalty = Math.round(GITHUB_PENALTY_S * scale);
  const simulator = {
    tokens: TOKENS, repos: quick ? 20_000 : 150_000, seed: 1,
    'core-limit': 5000, 'core-window': 3600, 'search-limit': 30, 'search-window': 60, 'graphql-limit': 5000,
    warm: 'search', latency: JSON.stringify({ scale }),
  };
  const strict = { ...simulator, concurrency: JSON.stringify({ perUser: 1, penalty }) };
  // Quick: long enough for a rate, short enough for CI (the smoke test checks shapes only).
  const wallLimitS = quick ? 15 : 150;
  // The throttling plugin's search spacing (2,000 ms: 30 a minute), at GitHub's own pace.
  const job = (limit) => ({ config: DEFAULT_CLUSTERS_PATH, limit, details: ALL_DETAILS, searchSpacingMs: 2000, wallLimitS });
  return {
    scale, penalty, wallLimitS,
    simulators: { strict, lenient: simulator },
    graphql: job(quick ? 300 : 12_000),
    rest: job(quick ? 100 : 1000),
  };
}
