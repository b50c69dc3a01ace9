// Section 5: search drift (sections/jobs.js, driftJob). Each pipeline of ours runs the
// same job twice on the same seed, without drift and with it, and is judged on what the
// engine's range re-check costs and whether it works: search requests per 1,000 stored
// repositories in both runs, the share drift added, and the repositories the queries
// match that the run did not store.
import { loadClusters, searchQueries } from '../../../js/config/clusters.js';
import { Corpus } from '../../simulator/corpus.js';
import { compileQuery } from '../../simulator/search-query.js';
import { countedRequests, requestsByResource } from '../lib/figures.js';
import { measure, storedIds } from '../lib/pipelines.js';
import { closeSimulator } from '../lib/simulator.js';
import { driftJob } from './jobs.js';

// Drift changes stars and updated_at: a query that asks about either could match other
// repositories at the end than at the start, which the seed alone cannot tell.
const DRIFTING_QUALIFIER = /(^|\s)-?(stars|updated):/i;

/**
 * The ids of the corpus that the job's queries match (their union over every cluster),
 * as the simulator's search decides: the same corpus built from the same seed in this
 * process, the simulator's own query compiler, the queries as the ingest sends them.
 */
export function matchingIds(corpusOptions, config) {
  const queries = Object.keys(config.clusters).flatMap((name) => searchQueries(config, name));
  const drifting = queries.find((q) => DRIFTING_QUALIFIER.test(q));
  if (drifting) throw new Error(`the drift job's query '${drifting}' asks about stars or updated: what it matches moves with drift`);
  const predicates = queries.map((q) => compileQuery(q).match);
  const corpus = new Corpus(corpusOptions);
  return new Set(corpus.repositories.filter((repo) => predicates.some((match) => match(repo))).map((repo) => repo.id));
}

/** One run of the drift job: its requests, re-checks, drift, and what it missed. */
async function driftRun(pipeline, context, { simulator, job, matching }) {
  const run = await measure(pipeline, { ...context, simulatorArgs: simulator, job, afterRun: (dbDir) => storedIds(dbDir, context) });
  const { stats } = run.simulator;
  const stored = new Set(run.extra);
  const searches = requestsByResource(stats).search?.sent ?? 0;
  return {
    repos: run.summary.repos,
    storedIds: stored.size,
    wallS: run.wallS,
    requests: countedRequests(stats),
    searches,
    searchesPer1000: stored.size ? (1000 * searches) / stored.size : null,
    searchRechecks: run.summary.searchRechecks,
    drift: { events: stats.drift?.events ?? 0, moves: stats.drift?.moves ?? 0, repositories: stats.drift?.repositories ?? 0 },
    missed: [...matching].filter((id) => !stored.has(id)).length,
    // Stored but matched by no query: none unless search or this count is wrong.
    unmatched: [...stored].filter((id) => !matching.has(id)).length,
    simulator: { cpuS: run.simulator.cpuS, meanUtil: run.simulator.meanUtil, peakUtil: run.simulator.peakUtil, activeS: run.simulator.activeS },
  };
}

export async function driftRuns(pipelines, context) {
  const { corpus, drift, simulator, job } = driftJob(context.quick);
  const config = loadClusters(job.config);
  const matching = matchingIds(corpus, config);
  const plain = {};
  for (const pipeline of pipelines) plain[pipeline.id] = await driftRun(pipeline, context, { simulator, job, matching });
  const results = {};
  for (const pipeline of pipelines) {
    // Drift changes the simulator's corpus (stars) and a reset does not undo it, so each
    // run with drift meets a simulator of its own (the one kept is stopped, so the same
    // arguments start a new one): the corpus of the seed, as the run without drift met it.
    await closeSimulator();
    const drifted = await driftRun(pipeline, context, { simulator: { ...simulator, drift: JSON.stringify(drift) }, job, matching });
    const without = plain[pipeline.id];
    results[pipeline.id] = {
      plain: without,
      drifted,
      extraSearchShare: drifted.searchesPer1000 && without.searchesPer1000 ? drifted.searchesPer1000 / without.searchesPer1000 - 1 : null,
    };
  }
  return {
    setup: {
      corpus: corpus.repositories, seed: corpus.seed, drift, details: job.details, config: job.config,
      clusters: Object.keys(config.clusters).length,
      queries: Object.values(config.clusters).reduce((sum, c) => sum + c.queries.length, 0),
      matching: matching.size,
    },
    results,
  };
}
