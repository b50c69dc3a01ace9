// Section 9: hosts. One job run by 1, 2 and 4 hosts with --coordinate, each host a real
// ingest process in its own network namespace (test/support/netns.js), all with the
// same 10 tokens of 10 users, against one simulator (listening on 0.0.0.0, reached
// through each namespace's gateway) that enforces GitHub's serial rule, and one
// PostgreSQL (a fresh schema per configuration). Beside them, the baseline: one plain
// process (no --coordinate) on the same job, into PostgreSQL too.
//
// The job: three clusters whose queries run dry before their quotas and never match the
// same repository, so whichever host stores a repository, the table is the same; stored
// must be equal in every configuration. Per configuration: the job's wall time (first
// host started to last host exited), its bound (lib/figures.js quotaBound() on the
// requests each bucket accepted), requests and database statements per 1,000
// repositories, waste, secondary limits, requests during a penalty, and each host's part.
//
// REST (details: 3 core requests per repository) is core-bound; GraphQL (details: 1
// point per 100 repositories) is made search-bound by a search quota of 1 per user per
// window. Needs root (namespaces) and a PostgreSQL every namespace reaches
// (TEST_DATABASE_URL, else DATABASE_URL, else the CI's gh_ingest_test; listen_addresses
// '*' and a pg_hba.conf line for 10.77.0.0/16, as .ci/start-postgres.sh sets them):
// without either the section is skipped with its reason.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import pg from 'pg';

import { createHosts, netnsAvailable, removeAllHosts } from '../../support/netns.js';
import { track } from '../lib/children.js';
import { countedRequests, quotaBound, requestsByResource } from '../lib/figures.js';
import { jsonSummary, pipelineEnv } from '../lib/measured-child.js';
import { ROOT } from '../lib/paths.js';
import { simulatorFor } from '../lib/simulator.js';
import { serialFigures } from './lanes.js';

const INGEST = path.join(ROOT, 'ingest-balanced-parallel.js');
const TOKENS = 10;
const DETAILS = 'languages,readme,community';
const DEFAULT_DATABASE_URL = 'postgres://gh_ingest:gh_ingest@127.0.0.1:5432/gh_ingest_test';
// GitHub's serial rule, with a short penalty (compressed like the windows).
const SERIAL_RULE = { perUser: 1, retryAfter: 2, penalty: 2 };
// Heartbeat every 200 ms, a host dead 3 s after its last: the windows here are seconds,
// not GitHub's hour, so the leases move at the test's pace (test/js/72), not the
// default 1 s / 10 s. The heartbeat is most of the database statements: at the default
// tick they would be about a fifth.
const COORDINATION = { GH_INGEST_COORDINATE_TICK_MS: '200', GH_INGEST_COORDINATE_TTL_MS: '3000' };
// A configuration still running after this is stopped (SIGTERM) and reported as failed.
const runTimeoutMs = (quick) => (quick ? 25_000 : 75_000);
// GH_BENCH_HOSTS_LOGS=DIR keeps each host's stderr there (the scratch directory goes).
const LOGS = process.env.GH_BENCH_HOSTS_LOGS;
// GH_BENCH_HOSTS_JOBS=rest,graphql,rest-own-tokens runs only those jobs.
const ONLY = process.env.GH_BENCH_HOSTS_JOBS?.split(',').map((j) => j.trim());
// GH_BENCH_HOSTS_RUNS=0,2 runs only those configurations (0: the plain process).
const RUNS = process.env.GH_BENCH_HOSTS_RUNS?.split(',').map(Number);

// Queries that run dry long before the quotas (100,000), no repository in two clusters.
const FEW_CLUSTERS = {
  description: 'npm run bench, hosts section: three disjoint clusters whose queries run dry',
  min_stars: 0,
  clusters: {
    rust: { quota: 100_000, queries: ['language:Rust', 'language:Rust stars:>=10'] },
    go: { quota: 100_000, queries: ['language:Go'] },
    kotlin: { quota: 100_000, queries: ['language:Kotlin'] },
  },
};

// The job for tokens per host: more queries (each host takes whole queries), the same
// disjoint clusters, so that there is work for four hosts' tokens.
const LANGUAGES = ['Rust', 'Go', 'Kotlin', 'Swift', 'C', 'Dart', 'Solidity', 'C#'];
const WIDE_CLUSTERS = {
  description: 'npm run bench, hosts section: eight disjoint clusters for tokens per host',
  min_stars: 0,
  clusters: Object.fromEntries(LANGUAGES.map((language) => [
    language.toLowerCase().replace('#', 'sharp'),
    { quota: 100_000, queries: [`language:${language} stars:>=10`, `language:${language}`] },
  ])),
};

/**
 * The jobs: REST core-bound and GraphQL search-bound with the same tokens on every host;
 * REST core-bound with each host's own tokens. Quick: the first only, a tiny corpus, 1
 * and 2 hosts.
 */
export function hostsJobs(quick) {
  const rest = {
    id: 'rest',
    api: 'rest',
    tokens: 'shared',
    clusters: FEW_CLUSTERS,
    limits: quick ? { core: 100, search: 10, graphql: 5000 } : { core: 200, search: 10, graphql: 5000 },
    windows: quick ? { core: 3, search: 3, graphql: 3600 } : { core: 10, search: 6, graphql: 3600 },
    repos: quick ? 1500 : 10_000,
  };
  const graphql = {
    id: 'graphql',
    api: 'graphql',
    tokens: 'shared',
    clusters: FEW_CLUSTERS,
    limits: { core: 200, search: 1, graphql: 5000 },
    windows: { core: 10, search: 6, graphql: 3600 },
    repos: 10_000,
  };
  const ownTokens = {
    id: 'rest-own-tokens',
    api: 'rest',
    tokens: 'per-host',
    clusters: WIDE_CLUSTERS,
    // The same rate as the shared jobs in shorter windows: four hosts' part spans several
    // windows, so a window's edge is not most of the measure.
    limits: { core: 100, search: 10, graphql: 5000 },
    windows: { core: 5, search: 6, graphql: 3600 },
    repos: 10_000,
  };
  const hosts = quick ? [1, 2] : [1, 2, 4];
  const simulator = (job) => ({
    host: '0.0.0.0', tokens: job.tokens === 'per-host' ? TOKENS * Math.max(...hosts) : TOKENS, repos: job.repos, seed: 9,
    'core-limit': job.limits.core, 'core-window': job.windows.core,
    'search-limit': job.limits.search, 'search-window': job.windows.search,
    'graphql-limit': job.limits.graphql,
    warm: job.api === 'rest' ? 'search,rest' : 'search,graphql',
    concurrency: JSON.stringify(SERIAL_RULE),
  });
  const jobs = quick ? [rest] : [rest, graphql, ownTokens];
  return {
    hosts,
    jobs: jobs.map((job) => ({ ...job, simulator: simulator(job) })),
  };
}

/** The PostgreSQL to use and whether it answers: {url} or {skip: reason}. */
async function database() {
  const url = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
  const pool = new pg.Pool({ connectionString: url, max: 1, connectionTimeoutMillis: 5000 });
  pool.on('error', () => {});
  try {
    await pool.query('SELECT 1');
    return { url, pool };
  } catch (err) {
    await pool.end().catch(() => {});
    return { skip: `needs a PostgreSQL for --coordinate (TEST_DATABASE_URL, DATABASE_URL or ${DEFAULT_DATABASE_URL}): ${err.message || err.code}` };
  }
}

const masked = (url) => { const u = new URL(url); if (u.password) u.password = '***'; u.search = ''; return u.href; };

function schemaUrl(url, schema) {
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.href;
}

// One ingest process to its end, in a namespace (`host`) or here (null).
function runIngest(host, args, env, cwd, timeoutMs) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const opts = { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] };
    const child = track(host ? host.spawn(process.execPath, [INGEST, ...args], opts) : spawn(process.execPath, [INGEST, ...args], opts));
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => { stdout += chunk; });
    child.stderr.setEncoding('utf8').on('data', (chunk) => { stderr += chunk; });
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGTERM'); }, timeoutMs);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ exitCode: code ?? signal, startedAt: started, endedAt: performance.now(), stdout, stderr, timedOut });
    });
  });
}

/**
 * `context`: {scratch, quick, log}. Returns {skipped: reason} when namespaces or
 * PostgreSQL are missing, else {setup, jobs: {rest|graphql: {setup, results}}, results}.
 */
export async function hostsRuns(context) {
  const { log } = context;
  const available = netnsAvailable();
  if (!available.ok) {
    log(`hosts: skipped: needs network namespaces: ${available.reason}`);
    return { skipped: `needs network namespaces: ${available.reason}` };
  }
  const db = await database();
  if (db.skip) {
    log(`hosts: skipped: ${db.skip}`);
    return { skipped: db.skip };
  }
  const { hosts: counts, jobs: all } = hostsJobs(context.quick);
  const jobs = ONLY ? all.filter((job) => ONLY.includes(job.id)) : all;
  const dir = path.join(context.scratch, 'hosts');
  fs.mkdirSync(dir, { recursive: true });
  const schemas = [];
  const out = {};
  try {
    const hosts = await createHosts(Math.max(...counts));
    for (const job of jobs) {
      const config = path.join(dir, `clusters.${job.id}.json`);
      fs.writeFileSync(config, `${JSON.stringify(job.clusters, null, 2)}\n`);
      const sim = await simulatorFor(job.simulator);
      const results = {};
      let reference = null;  // the 1-host run's stored ids
      const storedIds = {};
      for (const n of RUNS ?? [0, ...counts]) {
        const id = n === 0 ? 'plain' : `hosts-${n}`;
        const schema = `bench_hosts_${job.id.replaceAll('-', '_')}_${n}_${process.pid}`;
        schemas.push(schema);
        await db.pool.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
        await db.pool.query(`CREATE SCHEMA ${pg.escapeIdentifier(schema)}`);
        const url = schemaUrl(db.url, schema);
        await sim.reset();
        await sim.watch();
        const args = [`--api=${job.api}`, `--config=${config}`, `--details=${DETAILS}`, '--json', ...(n ? ['--coordinate'] : [])];
        const simUrl = sim.url.replace('0.0.0.0', '127.0.0.1');
        log(`hosts: ${job.id}, ${n ? `${n} host${n > 1 ? 's' : ''} with --coordinate` : 'one plain process'}`);
        // Shared: every host the same 10 tokens; per host: host i its own 10 (10 users).
        const tokensOf = (i) => (job.tokens === 'per-host' ? sim.tokens.slice(i * TOKENS, (i + 1) * TOKENS) : sim.tokens.slice(0, TOKENS));
        const runs = await Promise.all((n ? hosts.slice(0, n) : [null]).map((host, i) => {
          const env = pipelineEnv({
            GITHUB_TOKENS: tokensOf(i).join(','),
            GITHUB_API_URL: host ? host.url(simUrl) : simUrl,
            DATABASE_URL: host ? host.databaseUrl(url) : url,
            ...(n ? COORDINATION : {}),
          });
          if (host) env.NO_PROXY = `${env.NO_PROXY},${host.gateway}`;
          return runIngest(host, args, env, dir, runTimeoutMs(context.quick));
        }));
        if (LOGS) {
          fs.mkdirSync(LOGS, { recursive: true });
          for (const [i, run] of runs.entries()) fs.writeFileSync(path.join(LOGS, `${job.id}-${n}-host${i + 1}.log`), `${run.stderr}\n--- stdout\n${run.stdout}`);
        }
        const simulator = await sim.finish();
        const label = n ? `${n} host${n > 1 ? 's' : ''} --coordinate` : 'plain (no --coordinate)';
        // A host that had to be stopped (exit 130 after SIGTERM: it prints its summary) is
        // reported as such, with its figures; any other failure ends the section.
        const stopped = runs.map((run) => run.timedOut);
        for (const [i, run] of runs.entries()) {
          if (run.exitCode !== 0 && !(run.timedOut && run.exitCode === 130)) {
            throw new Error(`${job.id} ${label}, host ${i + 1} failed (exit ${run.exitCode}): ${run.stderr.trim().split('\n').slice(-3).join(' | ')}`);
          }
        }
        const summaries = runs.map((run, i) => jsonSummary(run, `${job.id} ${label} host ${i + 1}`));
        const { rows } = await db.pool.query(`SELECT id FROM ${pg.escapeIdentifier(schema)}.repositories ORDER BY id`);
        const ids = rows.map((r) => String(r.id));
        if (n === 1) reference = ids;
        storedIds[id] = ids;
        const { stats } = simulator;
        const byResource = requestsByResource(stats);
        const accepted = Object.fromEntries(Object.entries(byResource).map(([r, v]) => [r, v.accepted]));
        const tokens = job.tokens === 'per-host' ? TOKENS * Math.max(n, 1) : TOKENS;
        const bound = quotaBound(accepted, { tokens, limits: job.limits, windows: job.windows });
        const first = Math.min(...runs.map((r) => r.startedAt));
        const last = Math.max(...runs.map((r) => r.endedAt));
        const wallS = (last - first) / 1000;
        const requests = countedRequests(stats);
        const statements = n ? summaries.reduce((sum, s) => sum + (s.coordinate?.part?.database_statements ?? 0), 0) : null;
        const per1000 = (v) => (v === null || !ids.length ? null : (1000 * v) / ids.length);
        results[id] = {
          label,
          hosts: n,
          // Hosts that did not exit by themselves within the limit (stopped by SIGTERM).
          stoppedHosts: stopped.filter(Boolean).length,
          timeoutS: runTimeoutMs(context.quick) / 1000,
          stored: ids.length,
          sameAsOneHost: null,
          wallS,
          activeS: simulator.activeS,
          bound,
          wallOverBound: bound.windowedS ? wallS / bound.windowedS : null,
          requests,
          requestsPer1000: per1000(requests),
          byResource,
          databaseStatements: statements,
          databaseStatementsPer1000: per1000(statements),
          wasted: stats.wasted ?? 0,
          serial: serialFigures(stats),
          perHost: runs.map((run, i) => ({
            wallS: (run.endedAt - run.startedAt) / 1000,
            stopped: run.timedOut,
            elapsedS: summaries[i].elapsed_s ?? null,
            written: summaries[i].repos_written ?? null,
            added: summaries[i].coordinate?.part?.added ?? null,
            claimed: summaries[i].coordinate?.part?.claimed ?? null,
            queries: summaries[i].coordinate?.part?.queries ?? null,
            adoptedQueries: summaries[i].coordinate?.part?.adopted_queries ?? null,
            databaseStatements: summaries[i].coordinate?.part?.database_statements ?? null,
            requests: summaries[i].requests?.total ?? null,
          })),
          jobHosts: summaries[0].coordinate?.hosts ?? null,
          simulator: { cpuS: simulator.cpuS, meanUtil: simulator.meanUtil, peakUtil: simulator.peakUtil, activeS: simulator.activeS },
        };
        if (stopped.some(Boolean)) log(`hosts: ${job.id} ${label}: ${stopped.filter(Boolean).length} of ${runs.length} hosts still running after ${runTimeoutMs(context.quick) / 1000} s, stopped`);
        log(`hosts: ${job.id} ${label}: ${ids.length} stored in ${wallS.toFixed(1)} s (bound ${bound.windowedS} s, ${bound.binding}); ` +
          `${requests} requests, ${stats.wasted ?? 0} wasted, ${stats.secondaryLimited ?? 0} secondary limits`);
        await db.pool.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
      }
      // Every configuration's stored ids against the 1-host run's (the plain run comes first).
      for (const [id, r] of Object.entries(results)) {
        r.wallOverPlain = results.plain ? r.wallS / results.plain.wallS : null;
        // Tokens per host: the share of linear scaling reached (1: n hosts take 1/n the time).
        r.scaling = results.plain && r.hosts ? results.plain.wallS / r.wallS / r.hosts : null;
        const ids = storedIds[id];
        r.sameAsOneHost = reference ? ids.length === reference.length && ids.every((v, i) => v === reference[i]) : null;
      }
      out[job.id] = {
        setup: {
          api: job.api, tokensPerHost: job.tokens === 'per-host', tokens: TOKENS, users: TOKENS, limits: job.limits, windows: job.windows, corpus: job.repos, details: DETAILS,
          serialRule: SERIAL_RULE, coordination: COORDINATION, hosts: counts, database: masked(db.url),
        },
        results,
      };
    }
  } finally {
    removeAllHosts();
    for (const schema of schemas) await db.pool.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`).catch(() => {});
    await db.pool.end().catch(() => {});
  }
  // One flat `results` for the report's simulator verdicts.
  const results = {};
  for (const [api, job] of Object.entries(out)) for (const [id, r] of Object.entries(job.results)) results[`${api}/${id}`] = r;
  return { jobs: out, results };
}
