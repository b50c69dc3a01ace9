#!/usr/bin/env node
// `npm run bench`: gh-ingest side by side with an Octokit pipeline on the project's
// GitHub simulator (issue 5), as one table:
//
//   1. quota    quota efficiency: wall time against the bound the quotas allow,
//               requests per repository, wasted requests, token evenness; with
//               --api=graphql also GraphQL's 20,000-repository multi-cluster job
//               against its search-page bound (search is the bucket that binds it),
//               and the same job with GraphQL queries timing out past a work budget
//   2. peer     ours / Octokit: wall time, CPU per 1,000 repositories, peak RSS, waste
//   3. cpu      engine CPU with unlimited quotas: repositories/s, CPU per repository,
//               simdjson search-page parsing against JSON.parse
//   4. memory   peak RSS of our ingest at 10,000 and 100,000 repositories
//   5. drift    search results that move while the engine pages: the search requests
//               the range re-check adds, and the matching repositories missed
//   6. lanes    the quota jobs against GitHub's serial rule (one request of a user in
//               flight): bounds, secondary limits, requests during a penalty; ours and
//               the peer
//   7. refresh  20,000 stored repositories, 2% changed, refreshed through GraphQL and
//               through REST: points, queries, requests, 304s, seconds
//   8. latency  GitHub's latencies and limits: repositories per minute with one lane per
//               user against --concurrency-per-user=3, with and without the serial rule
//   9. hosts    one job on 1, 2 and 4 hosts with --coordinate (each a process in its own
//               network namespace, the same 10 tokens on every host) against one plain
//               process: wall time, bound, requests and database statements per 1,000
//               repositories, waste, serial rule; REST and GraphQL. Needs root and a
//               PostgreSQL (TEST_DATABASE_URL or DATABASE_URL), else skipped with its reason
//
//   npm run bench [-- --quick] [--section=quota,peer,cpu,memory,drift,lanes,refresh,latency,hosts] [--api=rest[,graphql]] [--json]
//
// Every pipeline runs in its own process (CPU and peak RSS per process) against its own
// simulator process (fresh quotas; its CPU is reported apart) and a fresh copy of an
// empty embedded database. Progress goes to stderr, the table (or --json) to stdout.
// Targets are reported, never asserted: the exit status is 0 unless a run failed.
import os from 'node:os';
import { parseArgs } from 'node:util';

import { formatVersion } from '../../binding/index.js';
import { stopAll } from './lib/children.js';
import { makeDatabaseTemplate, ours, PEER_PIPELINE } from './lib/pipelines.js';
import { scratchDirectory } from './lib/paths.js';
import { closeSimulator } from './lib/simulator.js';
import { evaluateTargets, formatReport } from './lib/report.js';
import { hostsTargets } from './lib/report-hosts.js';
import { lanesTargets } from './lib/report-lanes.js';
import { hostsRuns } from './sections/hosts.js';
import { driftRuns } from './sections/drift.js';
import { latencyRuns } from './sections/latency.js';
import { lanesRuns } from './sections/lanes.js';
import { parseSection } from './sections/parse.js';
import { refreshRuns } from './sections/refresh.js';
import { cpuRuns, graphqlBudgetRuns, memoryRuns, quotaRuns, searchBoundRuns } from './sections/runs.js';

const SECTIONS = ['quota', 'peer', 'cpu', 'memory', 'drift', 'lanes', 'refresh', 'latency', 'hosts'];
const APIS = ['rest', 'graphql'];
const USAGE = `Usage: npm run bench [-- options]

  --quick                 A smoke version: a few hundred repositories, about five minutes
  --section=LIST          Sections to run: ${SECTIONS.join(', ')} (default: all)
  --api=LIST              Our pipelines, each a column: rest (default), graphql, or rest,graphql
                          (details through REST or GraphQL; the first is the one the targets
                          and the memory section use; graphql adds to the quota section a
                          20,000-repository job bound by the search quota, and the same job
                          under a GraphQL work budget). The lanes, refresh and latency
                          sections run both APIs whatever this says (REST's quota job and
                          GraphQL's search-bound job; GraphQL and REST refreshes; GraphQL
                          and REST at GitHub's latencies). The hosts section runs its own
                          jobs (REST and GraphQL; quick: REST, 1 and 2 hosts) and needs root
                          (network namespaces) and a PostgreSQL (TEST_DATABASE_URL or
                          DATABASE_URL, default the CI's gh_ingest_test), else it is skipped
  --json                  One JSON object on stdout instead of the table
  --help                  Show this help
`;

function usageError(message) {
  process.stderr.write(`bench: ${message}\n${USAGE}`);
  process.exit(2);
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      quick: { type: 'boolean' }, section: { type: 'string' }, api: { type: 'string' },
      json: { type: 'boolean' }, help: { type: 'boolean' },
    },
    strict: true,
  }));
} catch (err) {
  usageError(err.message.split('. ')[0]);
}
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const sections = values.section ? values.section.split(',').map((s) => s.trim()) : SECTIONS;
for (const s of sections) if (!SECTIONS.includes(s)) usageError(`unknown section '${s}'`);
const apis = values.api ? values.api.split(',').map((s) => s.trim()) : ['rest'];
for (const a of apis) if (!APIS.includes(a)) usageError(`unknown api '${a}'`);

const started = performance.now();
const log = (message) => process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}\n`);

const ourPipelines = apis.map(ours);
const primary = ourPipelines[0].id;
const compared = [...ourPipelines, PEER_PIPELINE];
const wants = (name) => sections.includes(name);
const runQuota = wants('quota') || wants('peer');
const runCpu = wants('cpu') || wants('peer');

const { dir: scratch, remove } = scratchDirectory();
const results = {};
const errors = [];
let interrupted = false;
function interrupt(signal) {
  interrupted = true;
  log(`${signal}: stopping the simulator and pipeline processes`);
  stopAll();
}
process.once('SIGINT', interrupt);
process.once('SIGTERM', interrupt);

async function section(name, work) {
  if (interrupted) return;
  try {
    results[name] = await work();
  } catch (err) {
    errors.push({ section: name, message: String(err.message ?? err).split('\n')[0] });
    log(`${name} failed: ${err.message}`);
  }
}

try {
  log(`scratch directory ${scratch}`);
  const template = await makeDatabaseTemplate(scratch);
  const context = { scratch, template, quick: Boolean(values.quick), log };
  if (runQuota) await section('quota', () => quotaRuns(compared, context));
  // GraphQL against its search-page bound (a second quota job, --api=graphql only).
  const graphqlPipelines = ourPipelines.filter((p) => p.id === 'ours-graphql');
  if (wants('quota') && graphqlPipelines.length) {
    await section('searchBound', () => searchBoundRuns(graphqlPipelines, context));
    // The same job with GraphQL timing out past a work budget, against the figure above.
    await section('graphqlBudget', () => graphqlBudgetRuns(graphqlPipelines, context, results.searchBound));
  }
  if (runCpu) {
    await section('cpu', async () => {
      const runs = await cpuRuns(compared, context);
      runs.parse = wants('cpu') ? await parseSection(context) : null;
      return runs;
    });
  }
  if (wants('memory')) await section('memory', () => memoryRuns(ourPipelines[0], context));
  if (wants('drift')) await section('drift', () => driftRuns(ourPipelines, context));
  const oursRest = ours('rest');
  const oursGraphql = ours('graphql');
  if (wants('lanes')) await section('lanes', () => lanesRuns({ rest: [oursRest, PEER_PIPELINE], graphql: [oursGraphql] }, context));
  if (wants('refresh')) {
    await section('refresh', () => refreshRuns({
      graphql: { ingest: oursGraphql, refresh: ours('graphql', { options: ['--refresh'], id: 'ours-graphql-refresh', label: 'gh-ingest --refresh' }) },
      rest: ours('rest', { options: ['--refresh'], id: 'ours-rest-refresh', label: 'gh-ingest --refresh --api=rest' }),
    }, context));
  }
  if (wants('latency')) {
    // Three requests per user in flight need three workers per token: the default is one
    // per token (at most 10), which never puts two requests of a user in flight.
    const three = (api) => ours(api, {
      options: ['--concurrency-per-user=3', '--workers=30'], id: `ours-${api}-c3`,
      label: `gh-ingest --api=${api} --concurrency-per-user=3 --workers=30`,
    });
    await section('latency', () => latencyRuns([
      { pipeline: oursGraphql, job: 'graphql', simulator: 'strict' },
      { pipeline: three('graphql'), job: 'graphql', simulator: 'strict' },
      { pipeline: three('graphql'), job: 'graphql', simulator: 'lenient' },
      { pipeline: oursRest, job: 'rest', simulator: 'strict' },
      { pipeline: three('rest'), job: 'rest', simulator: 'strict' },
      { pipeline: three('rest'), job: 'rest', simulator: 'lenient' },
      { pipeline: PEER_PIPELINE, job: 'rest', simulator: 'strict' },
    ], context));
  }
  if (wants('hosts')) await section('hosts', () => hostsRuns(context));
} finally {
  await closeSimulator();
  remove();
}

const report = {
  // Results of every run; `shown` lists the sections of the table (the peer section
  // is made of the quota and cpu runs).
  shown: SECTIONS.filter((name) => wants(name) && (name === 'peer' ? results.quota || results.cpu
    : name === 'quota' ? results.quota || results.searchBound || results.graphqlBudget : results[name])),
  sections: results,
  columns: compared.map((p) => ({ id: p.id, label: p.label })),
  primary,
  targets: evaluateTargets(results, primary),
  // The same targets for our other pipelines (--api=rest,graphql: the graphql one).
  otherTargets: Object.fromEntries(ourPipelines.slice(1).map((p) => [p.id, evaluateTargets(results, p.id, { memory: false })])),
  // Issue 14's targets (lanes, refresh, latency), reported with their sections.
  lanesTargets: lanesTargets(results),
  // One job on several hosts (--coordinate), reported with its section.
  hostsTargets: hostsTargets(results),
  errors,
  machine: {
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGb: os.totalmem() / 2 ** 30,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    addon: formatVersion(),
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
  },
  quick: Boolean(values.quick),
  elapsedS: (performance.now() - started) / 1000,
};

if (values.json) {
  process.stdout.write(`${JSON.stringify(report)}\n`);
} else {
  process.stdout.write(formatReport(report));
}
process.exitCode = errors.length || interrupted ? 1 : 0;
