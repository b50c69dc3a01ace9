// Section 6: lanes. The quota jobs against a simulator that enforces GitHub's serial
// rule (sections/jobs.js, lanesJobs): REST's quota job (ours and the Octokit peer as it
// is) against its fixed-window bound, GraphQL's search-bound job against its search-page
// bound, each with the secondary limits the rule raised and the requests sent during a
// penalty. The ratios compare with sections 1 and 1b, run without the rule.
import { boundedRun } from './runs.js';
import { lanesJobs } from './jobs.js';

// Issue 14: REST within 7% of its bound, GraphQL within 10% of its search-page bound.
export const LANES_ALLOWANCE = { quota: 1.07, searchBound: 1.10 };

/** What the serial rule saw of one run: secondary limits, refusals during a penalty, the peak in flight per user. */
export function serialFigures(stats) {
  const users = Object.values(stats.users ?? {});
  return {
    // Every secondary-limit answer; those during a penalty are refusals of a user already
    // penalised, the others started a penalty.
    secondaryLimited: stats.secondaryLimited ?? 0,
    duringPenalty: stats.duringPenalty ?? 0,
    penaltiesStarted: (stats.secondaryLimited ?? 0) - (stats.duringPenalty ?? 0),
    userConcurrencyPeak: users.length ? Math.max(...users.map((u) => u.concurrencyPeak ?? 0)) : null,
  };
}

async function lanesRun(pipeline, context, spec) {
  const { figures, bound, stats } = await boundedRun(pipeline, context, spec);
  return {
    ...figures,
    bound,
    activeOverBound: bound.windowedS ? figures.activeS / bound.windowedS : null,
    serial: serialFigures(stats),
  };
}

/** `pipelines`: {rest: [ours-rest, peer], graphql: [ours-graphql]}. */
export async function lanesRuns(pipelines, context) {
  const jobs = lanesJobs(context.quick);
  const out = {};
  for (const [name, job, list] of [['quota', jobs.quota, pipelines.rest], ['searchBound', jobs.searchBound, pipelines.graphql]]) {
    const results = {};
    for (const pipeline of list) results[pipeline.id] = await lanesRun(pipeline, context, job);
    out[name] = {
      setup: {
        tokens: job.tokens, limits: job.limits, windows: job.windows, repos: job.job.limit, details: job.job.details,
        corpus: job.simulator.repos, penalty: job.penalty, allowance: LANES_ALLOWANCE[name],
      },
      results,
    };
  }
  // One `results` for the report's simulator verdicts: every run, by job and pipeline.
  const results = {};
  for (const [name, job] of Object.entries(out)) for (const [id, r] of Object.entries(job.results)) results[`${name}/${id}`] = r;
  return { jobs: out, results };
}
