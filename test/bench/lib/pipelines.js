// The measured pipelines, each run as its own process against a fresh simulator and a
// fresh copy of an empty embedded database (PGlite), so CPU, RSS, quotas and storage
// start equal for all of them.
//
//   ours-rest     node ingest-balanced-parallel.js --api=rest: details as three REST
//                 requests per repository (the bench's default column)
//   ours-graphql  the same with --api=graphql (the ingest's default): details of up to
//                 100 repositories per GraphQL query, paid in points from the graphql
//                 bucket (lib/figures.js counts its points). With --api=rest,graphql.
//   peer        test/bench/peer/octokit-ingest.js (Octokit + throttling + retry)
import fs from 'node:fs';
import path from 'node:path';

import { jsonSummary, pipelineEnv, runMeasured } from './measured-child.js';
import { BENCH_DIR, ROOT } from './paths.js';
import { simulatorFor } from './simulator.js';

const INGEST = path.join(ROOT, 'ingest-balanced-parallel.js');
const PEER = path.join(BENCH_DIR, 'peer', 'octokit-ingest.js');

/**
 * Our pipeline for one --api value; `options` (more ingest options, e.g.
 * ['--concurrency-per-user=3']) make a variant, named by `id` and `label`. A job
 * without a limit (null: --refresh with every quota met) passes none.
 */
export function ours(api, { options = [], id = `ours-${api}`, label = `gh-ingest --api=${api}` } = {}) {
  return {
    id,
    label,
    script: INGEST,
    args: ({ config, limit, details, dbDir }) => [
      `--api=${api}`, `--config=${config}`, ...(limit === null ? [] : [`--limit=${limit}`]), `--details=${details}`,
      `--db-dir=${dbDir}`, ...options, '--json',
    ],
    summary: (run) => {
      const s = jsonSummary(run, `gh-ingest --api=${api}`);
      return {
        repos: s.repos_written, rateLimited: s.requests?.rate_limited ?? null,
        // timeouts: GraphQL queries GitHub timed out; batchSize: the query size the run
        // found to answer in time (100 unless timeouts shrank it).
        graphql: s.requests?.graphql === undefined ? null : {
          queries: s.requests.graphql, points: s.requests.graphql_points,
          timeouts: s.requests.graphql_timeouts ?? null, batchSize: s.requests.graphql_batch_size ?? null,
        },
        // Search requests spent re-checking ranges that came back short of total_count.
        searchRechecks: s.requests?.search_rechecks ?? null,
        // --refresh: stored repositories by outcome (changed, unchanged, gone, failed).
        refresh: s.refresh ?? null,
        notModified: s.requests?.not_modified ?? null,
        secondaryLimited: s.requests?.secondary_limited ?? null,
        raw: s,
      };
    },
  };
}

export const PEER_PIPELINE = {
  id: 'peer',
  label: 'Octokit (throttling + retry)',
  script: PEER,
  args: ({ config, limit, details, dbDir, searchSpacingMs }) => [
    `--config=${config}`, `--limit=${limit}`, `--details=${details}`, `--db-dir=${dbDir}`,
    `--search-spacing-ms=${searchSpacingMs}`, '--json',
  ],
  summary: (run) => {
    const s = jsonSummary(run, 'the Octokit peer');
    const dry = Object.entries(s.clusters).filter(([, c]) => c.ran_dry).map(([name]) => name);
    return { repos: s.repos_written, rateLimited: s.requests.rate_limited, ranDry: dry, raw: s };
  },
};

/**
 * The sink's CPU cost alone: the rows stored in `dbDir` written again into a copy of
 * the template (lib/sink-cost.js, its own process). {rows, cpuS, wallS}.
 */
export async function sinkCost(dbDir, { scratch, template }) {
  const target = path.join(scratch, `sink-cost-${++runCounter}`);
  fs.cpSync(template, target, { recursive: true });
  try {
    const run = await runMeasured({
      script: path.join(BENCH_DIR, 'lib', 'sink-cost.js'), args: [`--from=${dbDir}`, `--to=${target}`],
      env: pipelineEnv({}), cwd: scratch,
    });
    if (run.exitCode !== 0) throw new Error(`sink-cost failed: ${run.stderr.trim().split('\n').pop()}`);
    return jsonSummary(run, 'sink-cost');
  } finally {
    fs.rmSync(target, { recursive: true, force: true });
  }
}

/** The ids of the repositories stored in `dbDir` (lib/stored-ids.js, its own process), ascending. */
export async function storedIds(dbDir, { scratch }) {
  const run = await runMeasured({
    script: path.join(BENCH_DIR, 'lib', 'stored-ids.js'), args: [dbDir], env: pipelineEnv({}), cwd: scratch,
  });
  if (run.exitCode !== 0) throw new Error(`stored-ids failed: ${run.stderr.trim().split('\n').pop()}`);
  return jsonSummary(run, 'stored-ids');
}

/**
 * An empty embedded database with the schema (lib/make-template.js); every run gets a
 * copy, so that PGlite's initdb (seconds of CPU, ~1 GB peak RSS) is paid by neither
 * pipeline.
 */
export async function makeDatabaseTemplate(scratch) {
  const dbDir = path.join(scratch, 'template-db');
  const run = await runMeasured({
    script: path.join(BENCH_DIR, 'lib', 'make-template.js'), args: [dbDir], env: pipelineEnv({}), cwd: scratch,
  });
  if (run.exitCode !== 0) throw new Error(`could not create the template database: ${run.stderr.trim()}`);
  return dbDir;
}

let runCounter = 0;

/**
 * One measured run: the job's simulator (`simulatorArgs`) reset to a fresh state, a
 * copy of the template database, the pipeline as a child process. Returns the
 * pipeline's own figures (wall, CPU, peak RSS, summary) and the simulator's (active
 * span, CPU, utilisation, stats). With `dryRun`, the same command with --dry-run: the
 * fixed cost of starting up.
 */
export async function measure(pipeline, { scratch, template, simulatorArgs, simulatorScript, job, dryRun = false, log, afterRun, db }) {
  const sim = await simulatorFor(simulatorArgs, simulatorScript ? { script: simulatorScript } : {});
  const runDir = path.join(scratch, `run-${++runCounter}-${pipeline.id}${dryRun ? '-dry' : ''}`);
  fs.mkdirSync(runDir);
  // `db`: a database directory of the caller's, used as it is and kept (the refresh
  // section ingests into it, then refreshes it); else a copy of the empty template.
  const dbDir = db ?? path.join(runDir, 'db');
  if (!db) fs.cpSync(template, dbDir, { recursive: true });
  try {
    await sim.watch();
    const args = pipeline.args({ ...job, dbDir });
    if (dryRun) args.push('--dry-run');
    log?.(`${pipeline.label}${dryRun ? ' --dry-run' : ''}: ${job.limit ?? 'no'} limit, details ${job.details}` +
      `${job.wallLimitS ? `, stopped after ${job.wallLimitS} s` : ''}`);
    const run = await runMeasured({
      script: pipeline.script,
      args,
      env: pipelineEnv({ GITHUB_TOKENS: sim.tokens.join(','), GITHUB_API_URL: sim.url, ...job.env }),
      cwd: runDir,
      ...(job.wallLimitS ? { timeoutMs: job.wallLimitS * 1000 } : {}),
    });
    const simulator = await sim.finish();
    // A job with a wall-time limit (`wallLimitS`) is stopped by SIGTERM when it runs
    // past it: our ingest then stores what it fetched and exits 130 with its summary,
    // which is the figure (repositories in the time); a peer killed there has none.
    const stopped = Boolean(run.timedOut);
    if (run.exitCode !== 0 && !(stopped && [130, 'SIGTERM'].includes(run.exitCode))) {
      throw new Error(`${pipeline.label} failed (exit ${run.exitCode}): ${run.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    }
    if (!run.probe && !stopped) throw new Error(`${pipeline.label}: no CPU/RSS probe output`);
    let summary = null;
    if (!dryRun) {
      try {
        summary = pipeline.summary(run);
      } catch (err) {
        if (!stopped) throw err;
      }
    }
    const extra = afterRun ? await afterRun(dbDir) : undefined;
    return { pipeline: pipeline.id, label: pipeline.label, wallS: run.wallS, ...run.probe, summary, simulator, extra, stopped };
  } finally {
    fs.rmSync(runDir, { recursive: true, force: true });
  }
}
