// Section 8: GitHub's latencies (sections/jobs.js, latencyJobs). The same job with one
// lane per user (the default) and with --concurrency-per-user=3, against a simulator
// that enforces GitHub's serial rule, and the latter also against a lenient one: what
// the lane costs in repositories per minute, and what concurrency risks. Each run is
// stopped after the job's wall-time limit; the figure is what it stored in its time.
import { countedRequests } from '../lib/figures.js';
import { measure } from '../lib/pipelines.js';
import { serialFigures } from './lanes.js';
import { latencyJobs } from './jobs.js';

function latencyRun(run, job) {
  const { stats } = run.simulator;
  // Our ingest prints its summary when stopped; the peer, killed, prints none: its
  // stored count is then unknown (null).
  const repos = run.summary?.repos ?? null;
  return {
    label: run.label,
    limit: job.limit,
    finished: !run.stopped,
    repos,
    wallS: run.wallS,
    activeS: run.simulator.activeS,
    reposPerMin: repos !== null ? (60 * repos) / run.wallS : null,
    requests: countedRequests(stats),
    graphqlQueries: stats.graphql?.queries ?? 0,
    // Requests by kind (search, graphql, readme, user, ...), for the JSON report.
    byKind: Object.fromEntries(Object.entries(stats.byKind ?? {}).map(([kind, v]) => [kind, v.requests])),
    wasted: stats.wasted ?? 0,
    serial: serialFigures(stats),
    cpuS: run.cpuS ?? null,
    simulator: { cpuS: run.simulator.cpuS, meanUtil: run.simulator.meanUtil, peakUtil: run.simulator.peakUtil, activeS: run.simulator.activeS },
  };
}

/**
 * `variants`: [{pipeline, job: 'graphql'|'rest', simulator: 'strict'|'lenient'}], run in
 * order (each simulator is started once and reset between its runs).
 */
export async function latencyRuns(variants, context) {
  const jobs = latencyJobs(context.quick);
  const results = {};
  // The runs of one simulator together: a change of simulator restarts and re-warms it.
  const ordered = [...variants].sort((a, b) => (a.simulator === b.simulator ? 0 : a.simulator === 'strict' ? -1 : 1));
  for (const { pipeline, job, simulator } of ordered) {
    const spec = jobs[job];
    const run = await measure(pipeline, { ...context, simulatorArgs: jobs.simulators[simulator], job: spec });
    results[`${job}/${pipeline.id}/${simulator}`] = { ...latencyRun(run, spec), job, pipeline: pipeline.id, simulatorKind: simulator };
  }
  return {
    setup: { scale: jobs.scale, penalty: jobs.penalty, wallLimitS: jobs.wallLimitS, corpus: jobs.simulators.strict.repos, graphql: jobs.graphql.limit, rest: jobs.rest.limit, details: jobs.graphql.details },
    results,
  };
}
