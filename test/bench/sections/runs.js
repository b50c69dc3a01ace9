// The measured runs of each section, reduced to the figures the report shows.
import { countedRequests, quotaBound, requestsByResource, tokenEvenness, wastedRequests } from '../lib/figures.js';
import { measure, sinkCost } from '../lib/pipelines.js';
import { cpuJob, graphqlBudgetJob, memoryJobs, quotaJob, searchBoundJob } from './jobs.js';

function simulatorFigures(simulator) {
  return {
    cpuS: simulator.cpuS,
    meanUtil: simulator.meanUtil,
    peakUtil: simulator.peakUtil,
    activeS: simulator.activeS,
  };
}

export function common(run) {
  const stats = run.simulator.stats;
  const repos = run.summary.repos;
  const counted = countedRequests(stats);
  return {
    label: run.label,
    repos,
    wallS: run.wallS,
    activeS: run.simulator.activeS,
    cpuS: run.cpuS,
    maxRssMb: run.maxRssMb,
    requests: counted,
    requestsPerRepo: repos ? counted / repos : null,
    byResource: requestsByResource(stats),
    wasted: wastedRequests(stats),
    rateLimitedSeenByPipeline: run.summary.rateLimited,
    // GraphQL queries, points, timeouts and batch size as the pipeline counted them
    // (ours --api=graphql).
    graphqlSeenByPipeline: run.summary.graphql ?? null,
    searchRechecks: run.summary.searchRechecks ?? null,
    tokens: tokenEvenness(stats),
    ranDry: run.summary.ranDry ?? [],
    simulator: simulatorFigures(run.simulator),
  };
}

/**
 * One quota-limited run: its figures, the requests each bucket accepted, their bound,
 * and the simulator's statistics.
 */
export async function boundedRun(pipeline, context, { tokens, limits, windows, simulator, job }) {
  const run = await measure(pipeline, { ...context, simulatorArgs: simulator, job });
  const figures = common(run);
  const accepted = Object.fromEntries(Object.entries(figures.byResource).map(([r, v]) => [r, v.accepted]));
  return { figures, accepted, bound: quotaBound(accepted, { tokens, limits, windows }), stats: run.simulator.stats };
}

/** Section 1 (and the wall/wasted half of section 2): the quota-limited job. */
export async function quotaRuns(pipelines, context) {
  const { tokens, limits, windows, simulator, job } = quotaJob(context.quick);
  const results = {};
  for (const pipeline of pipelines) {
    const { figures, accepted, bound } = await boundedRun(pipeline, context, { tokens, limits, windows, simulator, job });
    results[pipeline.id] = {
      ...figures,
      bound,
      activeOverBound: bound.windowedS ? figures.activeS / bound.windowedS : null,
      wallOverBound: bound.windowedS ? figures.wallS / bound.windowedS : null,
      activeOverFluid: bound.fluidS ? figures.activeS / bound.fluidS : null,
    };
  }
  return { setup: { tokens, limits, windows, repos: job.limit, details: job.details, corpus: simulator.repos }, results };
}

const RESULTS_PER_PAGE = 100;

/**
 * Section 1, second job (with --api=graphql): GraphQL against its search-page bound
 * (sections/jobs.js, searchBoundJob). The bound is lib/figures.js quotaBound() on the
 * requests each bucket accepted, as in the quota job; search binds. Beside it: the
 * floor, the bound if the run had needed no more searches than pages of 100 for the
 * repositories it stored (its own searches over that floor are what a better search
 * plan could save), and the bound of the same requests on GitHub's own limits.
 */
export async function searchBoundRuns(pipelines, context) {
  const { tokens, limits, windows, github, simulator, job } = searchBoundJob(context.quick);
  const results = {};
  for (const pipeline of pipelines) {
    const { figures, accepted, bound } = await boundedRun(pipeline, context, { tokens, limits, windows, simulator, job });
    const pages = Math.ceil(figures.repos / RESULTS_PER_PAGE);
    const floor = quotaBound({ search: pages }, { tokens, limits, windows });
    const onGithub = quotaBound(accepted, { tokens, ...github });
    results[pipeline.id] = {
      ...figures,
      bound,
      floor: { pages, windowedS: floor.windowedS, windowsNeeded: floor.perResource.search?.windowsNeeded ?? 0 },
      onGithub,
      activeOverBound: bound.windowedS ? figures.activeS / bound.windowedS : null,
      wallOverBound: bound.windowedS ? figures.wallS / bound.windowedS : null,
      activeOverFluid: bound.fluidS ? figures.activeS / bound.fluidS : null,
    };
  }
  return { setup: { tokens, limits, windows, github, repos: job.limit, details: job.details, corpus: simulator.repos }, results };
}

/**
 * Section 1, third job (with --api=graphql): the search-bound job against a GitHub whose
 * GraphQL queries time out past a work budget (sections/jobs.js, graphqlBudgetJob). The
 * figure is the same as without it, active time over the search-page bound, and is
 * compared with the run without the budget (`unbudgeted`: searchBoundRuns' results): the
 * timeouts (each waited for, charged, then split in halves) and the smaller queries
 * found must not cost more than a fifth of it. The two bounds are equal when both runs'
 * searches need as many windows (the full job: 4, for anything from 301 to 400
 * searches); the quick job sits near a window's edge, so its ratio is noise.
 */
export async function graphqlBudgetRuns(pipelines, context, unbudgeted) {
  const { tokens, limits, windows, budget, simulator, job } = graphqlBudgetJob(context.quick);
  const results = {};
  for (const pipeline of pipelines) {
    const { figures, bound, stats } = await boundedRun(pipeline, context, { tokens, limits, windows, simulator, job });
    const activeOverBound = bound.windowedS ? figures.activeS / bound.windowedS : null;
    const without = unbudgeted?.results?.[pipeline.id]?.activeOverBound ?? null;
    results[pipeline.id] = {
      ...figures,
      bound,
      activeOverBound,
      unbudgetedActiveOverBound: without,
      unbudgetedActiveS: unbudgeted?.results?.[pipeline.id]?.activeS ?? null,
      overUnbudgeted: activeOverBound !== null && without ? activeOverBound / without : null,
      timeouts: { simulator: stats.graphqlTimeouts ?? null, pipeline: figures.graphqlSeenByPipeline?.timeouts ?? null },
      batchSize: figures.graphqlSeenByPipeline?.batchSize ?? null,
      maxWork: stats.graphqlMaxWork ?? null,
    };
  }
  return { setup: { tokens, limits, windows, budget, repos: job.limit, details: job.details, corpus: simulator.repos }, results };
}

/**
 * Section 3 (and the CPU/RSS half of section 2): unlimited quotas. Each pipeline also
 * runs with --dry-run (open the database, plan, exit): its startup cost, taken off so
 * that CPU per repository is what each more repository costs.
 */
export async function cpuRuns(pipelines, context) {
  const { simulator, job } = cpuJob(context.quick);
  const results = {};
  let sink = null;
  for (const pipeline of pipelines) {
    const dry = await measure(pipeline, { ...context, simulatorArgs: simulator, job, dryRun: true });
    // The first pipeline's stored rows, written again alone: what the shared sink costs.
    const afterRun = sink ? undefined : (dbDir) => sinkCost(dbDir, context);
    const run = await measure(pipeline, { ...context, simulatorArgs: simulator, job, afterRun });
    if (run.extra) sink = { rows: run.extra.rows, cpuMsPerRepo: (1000 * run.extra.cpuS) / run.extra.rows, wallS: run.extra.wallS };
    const figures = common(run);
    const workS = run.wallS - dry.wallS;
    const workCpuS = run.cpuS - dry.cpuS;
    results[pipeline.id] = {
      ...figures,
      startup: { wallS: dry.wallS, cpuS: dry.cpuS, maxRssMb: dry.maxRssMb },
      reposPerS: figures.repos / workS,
      cpuMsPerRepo: (1000 * workCpuS) / figures.repos,
      cpuMsPerRepoWithStartup: (1000 * run.cpuS) / figures.repos,
      cpuShare: workCpuS / workS,  // cores busy on average while working
    };
  }
  for (const r of Object.values(results)) r.cpuMsPerRepoWithoutSink = sink ? r.cpuMsPerRepo - sink.cpuMsPerRepo : null;
  return { setup: { repos: job.limit, details: job.details, corpus: simulator.repos }, sink, results };
}

/** Section 4: peak RSS of our ingest at two sizes, and at startup (--dry-run). */
export async function memoryRuns(pipeline, context) {
  const jobs = memoryJobs(context.quick);
  const dry = await measure(pipeline, { ...context, simulatorArgs: jobs[0].simulator, job: jobs[0].job, dryRun: true });
  const sizes = [];
  for (const { simulator, job } of jobs) {
    const run = await measure(pipeline, { ...context, simulatorArgs: simulator, job });
    sizes.push({ ...common(run), limit: job.limit, peaks: run.peaks });
  }
  const [small, large] = sizes;
  return {
    setup: { details: jobs[0].job.details, corpus: jobs[0].simulator.repos, sizes: jobs.map((j) => j.job.limit) },
    pipeline: pipeline.id,
    startupRssMb: dry.maxRssMb,
    sizes,
    growth: large.maxRssMb / small.maxRssMb - 1,
    heapGrowth: large.peaks.heapUsedMb / small.peaks.heapUsedMb - 1,
  };
}
