// npm run bench, smoke version: `node test/bench/run.js --quick --json` runs every
// section (a few hundred repositories; drift and refresh a few thousand; latency at a
// tenth of GitHub's; hosts: 1 and 2 --coordinate hosts on a tiny job, or skipped with its
// reason without root or PostgreSQL) and prints one JSON report whose figures are all
// there and finite.
// No time, ratio or target is asserted: the bench reports them.
import assert from 'node:assert/strict';
import path from 'node:path';
import { before, describe, it } from 'node:test';

import { nodeAsync, root } from '../support/helpers.js';

const TIMEOUT_MS = 10 * 60_000;
let report;
let exit;

// SIGTERM on timeout, not SIGKILL: the bench then stops its simulator and pipelines.
function runBench(args) {
  return nodeAsync([path.join(root, 'test', 'bench', 'run.js'), ...args], { timeout: TIMEOUT_MS, killSignal: 'SIGTERM' });
}

function assertFinite(value, what) {
  assert.equal(typeof value, 'number', `${what} should be a number, got ${JSON.stringify(value)}`);
  assert.ok(Number.isFinite(value), `${what} should be finite, got ${value}`);
}

before(async () => {
  exit = await runBench(['--quick', '--json']);
  try {
    report = JSON.parse(exit.stdout.trim().split('\n').pop());
  } catch {
    report = null;
  }
}, { timeout: TIMEOUT_MS + 30_000 });

describe('npm run bench -- --quick --json', () => {
  it('should exit 0 with one JSON report on stdout', () => {
    assert.equal(exit.status, 0, exit.stderr.split('\n').slice(-8).join('\n'));
    assert.ok(report, `stdout is not JSON: ${exit.stdout.slice(0, 200)}`);
    assert.deepEqual(report.errors, []);
    assert.deepEqual(report.shown, ['quota', 'peer', 'cpu', 'memory', 'drift', 'lanes', 'refresh', 'latency', 'hosts']);
    assert.equal(report.quick, true);
  });

  it('should report quota efficiency for ours and the Octokit peer', () => {
    const { quota } = report.sections;
    for (const id of ['ours-rest', 'peer']) {
      const r = quota.results[id];
      assert.ok(r.repos > 0, `${id} stored nothing`);
      for (const key of ['wallS', 'activeS', 'cpuS', 'maxRssMb', 'requestsPerRepo', 'wasted', 'activeOverBound', 'activeOverFluid']) {
        assertFinite(r[key], `quota.${id}.${key}`);
      }
      assertFinite(r.bound.windowedS, `quota.${id}.bound.windowedS`);
      assertFinite(r.tokens.minOverMax, `quota.${id}.tokens.minOverMax`);
      assertFinite(r.tokens.cv, `quota.${id}.tokens.cv`);
      assertFinite(r.simulator.cpuS, `quota.${id}.simulator.cpuS`);
    }
  });

  it('should report engine CPU per repository, the sink share and parse throughput', () => {
    const { cpu } = report.sections;
    for (const id of ['ours-rest', 'peer']) {
      const r = cpu.results[id];
      for (const key of ['reposPerS', 'cpuMsPerRepo', 'cpuMsPerRepoWithStartup', 'cpuMsPerRepoWithoutSink', 'maxRssMb']) {
        assertFinite(r[key], `cpu.${id}.${key}`);
      }
    }
    assertFinite(cpu.sink.cpuMsPerRepo, 'cpu.sink.cpuMsPerRepo');
    assertFinite(cpu.parse.jsonParse.mbPerS, 'cpu.parse.jsonParse.mbPerS');
    // The simdjson figure needs a C++ compiler or the CMake target; when neither is
    // there the report says why instead.
    if (cpu.parse.simdjson) assertFinite(cpu.parse.simdjson.mbPerS, 'cpu.parse.simdjson.mbPerS');
    else assert.match(cpu.parse.simdjsonError, /\S/);
  });

  it('should report peak RSS at two sizes and its growth', () => {
    const { memory } = report.sections;
    assert.equal(memory.sizes.length, 2);
    for (const size of memory.sizes) assertFinite(size.maxRssMb, `memory ${size.limit}`);
    assert.ok(memory.sizes[1].repos > memory.sizes[0].repos);
    assertFinite(memory.growth, 'memory.growth');
  });

  it('should report search drift: searches per 1,000 repositories with and without, re-checks, repositories missed', () => {
    const { drift } = report.sections;
    assert.ok(drift.setup.matching > 0, 'the job\'s queries match nothing');
    const r = drift.results['ours-rest'];
    for (const run of ['plain', 'drifted']) {
      for (const key of ['searches', 'searchesPer1000', 'searchRechecks', 'missed', 'unmatched']) assertFinite(r[run][key], `drift.${run}.${key}`);
      assertFinite(r[run].drift.moves, `drift.${run}.drift.moves`);
    }
    assertFinite(r.extraSearchShare, 'drift.extraSearchShare');
  });

  it('should report the quota jobs under the serial rule: bounds, waste, secondary limits, requests during a penalty', () => {
    const { jobs } = report.sections.lanes;
    for (const [job, ids] of [['quota', ['ours-rest', 'peer']], ['searchBound', ['ours-graphql']]]) {
      for (const id of ids) {
        const r = jobs[job].results[id];
        assert.ok(r.repos > 0, `lanes ${job}/${id} stored nothing`);
        for (const key of ['activeS', 'activeOverBound', 'wasted']) assertFinite(r[key], `lanes.${job}.${id}.${key}`);
        for (const key of ['secondaryLimited', 'duringPenalty', 'penaltiesStarted', 'userConcurrencyPeak']) {
          assertFinite(r.serial[key], `lanes.${job}.${id}.serial.${key}`);
        }
      }
    }
  });

  it('should report a refresh of stored repositories through GraphQL and REST after some changed', () => {
    const { setup, results } = report.sections.refresh;
    assert.ok(setup.stored > 0 && setup.changed > 0, `stored ${setup.stored}, changed ${setup.changed}`);
    for (const run of ['ingest', 'restPrime', 'unchanged', 'graphql', 'rest']) {
      for (const key of ['wallS', 'graphqlPoints', 'graphqlQueries', 'core', 'notModified', 'search']) assertFinite(results[run][key], `refresh.${run}.${key}`);
    }
    for (const run of ['graphql', 'rest']) {
      for (const key of ['changed', 'unchanged']) assertFinite(results[run].refresh?.[key], `refresh.${run}.refresh.${key}`);
    }
  });

  it('should report repositories per minute at GitHub\'s latencies, one lane and three per user', () => {
    const { results } = report.sections.latency;
    const ours = Object.values(results).filter((r) => r.pipeline.startsWith('ours'));
    assert.ok(ours.some((r) => r.pipeline.endsWith('-c3') && r.simulatorKind === 'lenient'), 'no lenient run');
    for (const r of ours) {
      assertFinite(r.reposPerMin, `latency.${r.job}.${r.pipeline}.${r.simulatorKind}.reposPerMin`);
      assertFinite(r.serial.duringPenalty, `latency.${r.job}.${r.pipeline}.${r.simulatorKind}.serial.duringPenalty`);
    }
    for (const t of report.lanesTargets) {
      assert.equal(typeof t.met, 'boolean');
      assert.match(t.detail, /\S/);
    }
  });

  it('should report one job on 1 and 2 hosts and a plain process: the same repositories, 0 wasted (or why it was skipped)', () => {
    const { hosts } = report.sections;
    if (hosts.skipped) {
      assert.match(hosts.skipped, /\S/);
      return;
    }
    const { results } = hosts.jobs.rest;
    assert.deepEqual(Object.keys(results), ['plain', 'hosts-1', 'hosts-2']);
    for (const [id, r] of Object.entries(results)) {
      assert.ok(r.stored > 0, `hosts ${id} stored nothing`);
      assert.equal(r.stored, results['hosts-1'].stored, `hosts ${id}: stored differs from the 1-host run`);
      assert.equal(r.sameAsOneHost, true, `hosts ${id}: not the 1-host run's repositories`);
      assert.equal(r.wasted, 0, `hosts ${id}: requests on an empty bucket`);
      for (const key of ['wallS', 'requests', 'requestsPer1000']) assertFinite(r[key], `hosts.${id}.${key}`);
      assertFinite(r.bound.windowedS, `hosts.${id}.bound.windowedS`);
      assert.equal(r.perHost.length, Math.max(1, r.hosts));
      if (r.hosts) assertFinite(r.databaseStatementsPer1000, `hosts.${id}.databaseStatementsPer1000`);
    }
    for (const t of report.hostsTargets) assert.equal(typeof t.met, 'boolean');
  });

  it('should list the targets of issue 5 for the sections run, each met or missed', () => {
    // The GraphQL budget target needs --api=graphql (its job runs with it only).
    assert.deepEqual(report.targets.map((t) => t.id), ['quotaBound', 'zeroWaste', 'cpuVsPeer', 'memoryGrowth', 'drift']);
    for (const t of report.targets) {
      assert.equal(typeof t.met, 'boolean');
      assert.match(t.detail, /\S/);
    }
    assert.match(report.machine.node, /^v\d+/);
  });
});
