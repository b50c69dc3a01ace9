// npm run bench, smoke version: `node test/bench/run.js --quick --json` runs every
// section (a few hundred repositories; drift a few thousand) and prints one JSON report whose figures are all
// there and finite. No time, ratio or target is asserted: the bench reports them.
import assert from 'node:assert/strict';
import path from 'node:path';
import { before, describe, it } from 'node:test';

import { nodeAsync, root } from '../support/helpers.js';

const TIMEOUT_MS = 6 * 60_000;
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
    assert.deepEqual(report.shown, ['quota', 'peer', 'cpu', 'memory', 'drift']);
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
