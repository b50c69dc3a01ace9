// Section 7: refresh (sections/jobs.js, refreshJob). One simulator that can change
// repositories (lib/simulator-with-updates.js) and two databases:
//
//   1. ingest      the job's repositories, through GraphQL, into database G
//   2. rest-prime  database R, a copy of G, refreshed once through REST before anything
//                  changed: R has no repository ETags yet (GraphQL has none to store),
//                  so this is what a first REST refresh costs, and it stores them
//   3. unchanged   G refreshed through GraphQL with nothing changed: the floor
//   4.             every 50th stored repository (2%) gains a star on the simulator
//   5. graphql     G refreshed through GraphQL: points, queries, REST requests, changed
//   6. rest        R refreshed through REST with its ETags: requests, 304s, changed
//
// Each refresh is `--refresh` with the cluster's quota already met, so it searches
// nothing: its requests are the re-check alone.
import fs from 'node:fs';
import path from 'node:path';

import { countedRequests, requestsByResource } from '../lib/figures.js';
import { measure, storedIds } from '../lib/pipelines.js';
import { closeSimulator, simulatorFor, SIMULATOR_WITH_UPDATES } from '../lib/simulator.js';
import { serialFigures } from './lanes.js';
import { refreshJob } from './jobs.js';

function kinds(stats) {
  return Object.fromEntries(Object.entries(stats.byKind ?? {}).map(([kind, v]) => [kind, v.requests]));
}

function figures(run) {
  const { stats } = run.simulator;
  const byResource = requestsByResource(stats);
  const byKind = kinds(stats);
  return {
    label: run.label,
    wallS: run.wallS,
    activeS: run.simulator.activeS,
    cpuS: run.cpuS,
    maxRssMb: run.maxRssMb,
    repos: run.summary.repos,
    refresh: run.summary.refresh,
    requests: countedRequests(stats),
    byKind,
    // REST requests the bucket counts (core), and which: GET /user is the start-up token check.
    core: byResource.core?.sent ?? 0,
    coreBeyondTokenCheck: (byResource.core?.sent ?? 0) - (byKind.user ?? 0),
    search: byResource.search?.sent ?? 0,
    graphqlQueries: stats.graphql?.queries ?? 0,
    graphqlPoints: stats.graphql?.points ?? 0,
    notModified: stats.notModified ?? 0,
    wasted: stats.wasted ?? 0,
    serial: serialFigures(stats),
    simulator: { cpuS: run.simulator.cpuS, meanUtil: run.simulator.meanUtil, peakUtil: run.simulator.peakUtil, activeS: run.simulator.activeS },
  };
}

export async function refreshRuns({ graphql, rest }, context) {
  const { repos, changedEvery, config, simulator, job } = refreshJob(context.quick);
  const dir = path.join(context.scratch, 'refresh');
  fs.mkdirSync(dir, { recursive: true });
  const configPath = path.join(dir, 'clusters.refresh.json');
  fs.writeFileSync(configPath, `${JSON.stringify(config, null, 2)}\n`);
  const dbG = path.join(dir, 'db-graphql');
  const dbR = path.join(dir, 'db-rest');
  fs.cpSync(context.template, dbG, { recursive: true });
  const run = (pipeline, db, limit = null) => measure(pipeline, {
    ...context, simulatorArgs: simulator, simulatorScript: SIMULATOR_WITH_UPDATES, db,
    job: { ...job, config: configPath, limit },
  });
  try {
    const results = {};
    results.ingest = figures(await run(graphql.ingest, dbG, repos));
    fs.cpSync(dbG, dbR, { recursive: true });
    results.restPrime = figures(await run(rest, dbR));
    results.unchanged = figures(await run(graphql.refresh, dbG));
    const ids = await storedIds(dbG, context);
    const changing = ids.filter((_, i) => i % changedEvery === 0);
    const sim = await simulatorFor(simulator, { script: SIMULATOR_WITH_UPDATES });
    const { updated } = await sim.command({ update: changing });
    context.log(`refresh: ${updated} of ${ids.length} stored repositories changed on the simulator`);
    results.graphql = figures(await run(graphql.refresh, dbG));
    results.rest = figures(await run(rest, dbR));
    return { setup: { repos, stored: ids.length, changed: updated, corpus: simulator.repos, details: job.details }, results };
  } finally {
    // The corpus changed: no later section may meet this simulator again.
    await closeSimulator();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
