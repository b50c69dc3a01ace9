// The GitHub simulator in its own process (test/simulator/cli.js), watched from outside:
// its CPU time from /proc (so it is never counted against a pipeline), its utilisation
// per interval (was it ever the bottleneck?), and its request statistics over HTTP,
// polled to find when the first and the last counted request happened.
//
// One simulator serves every run of a job: it is started with its corpus warmed (every
// document built before the first request, --warm) and reset between runs
// (POST /_simulator/reset: buckets, counters, faults, search results), so every
// pipeline meets the same fresh quotas and the same prebuilt corpus, and the warm-up is
// paid once per job.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';

import { track } from './children.js';
import { ROOT } from './paths.js';

const CLK_TCK = 100;  // Linux's USER_HZ: /proc reports CPU time in 1/100 s
const SAMPLE_MS = 250;
// Utilisation is judged over 1 s spans: shorter ones are mostly scheduler noise.
const SPAN_SAMPLES = 4;

const CLI = path.join(ROOT, 'test', 'simulator', 'cli.js');
/** The simulator with a control channel that changes repositories (the refresh section). */
export const SIMULATOR_WITH_UPDATES = path.join(ROOT, 'test', 'bench', 'lib', 'simulator-with-updates.js');

/**
 * CPU seconds (user + system) of a live process, or of its main thread alone with
 * `mainThread` (the thread whose id is the process id); null off Linux.
 */
export function procCpuSeconds(pid, { mainThread = false } = {}) {
  try {
    const stat = fs.readFileSync(mainThread ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: count fields after its closing ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return null;
  }
}

/**
 * Starts the simulator with `args` (cli.js options without the leading dashes: {tokens:
 * 10, repos: 20000, 'core-limit': 250, ...}). Resolves once it prints its URL.
 */
export async function startSimulatorProcess(args, { script = CLI } = {}) {
  const argv = Object.entries(args).map(([name, value]) => `--${name}=${value}`);
  // --expose-gc: the simulator collects its warm-up's garbage before the first run.
  // stdin: the control channel of lib/simulator-with-updates.js (cli.js ignores it).
  const child = track(spawn(process.execPath, ['--expose-gc', script, ...argv], {
    stdio: [script === CLI ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  }));
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  const lines = readline.createInterface({ input: child.stdout });
  const info = await new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the simulator stopped (exit ${code}): ${stderr.trim()}`)));
    lines.once('line', (line) => resolve(JSON.parse(line)));
  });
  child.removeAllListeners('exit');
  return new SimulatorProcess(child, info, args, lines);
}

let current = null;  // {key, simulator: Promise<SimulatorProcess>}

/**
 * The simulator for `args`, reset for a new run: the running one when it was started
 * with the same arguments, else a new one (the previous one is stopped first: a warm
 * corpus holds up to ~1.5 GB).
 */
export async function simulatorFor(args, { script = CLI } = {}) {
  const key = JSON.stringify([script, args]);
  if (current?.key === key) {
    const simulator = await current.simulator;
    if (simulator.child.exitCode === null && simulator.child.signalCode === null) {
      await simulator.reset();
      return simulator;
    }
  }
  await closeSimulator();
  current = { key, simulator: startSimulatorProcess(args, { script }) };
  try {
    return await current.simulator;
  } catch (err) {
    current = null;
    throw err;
  }
}

/** Stops the simulator simulatorFor() keeps, if any. */
export async function closeSimulator() {
  const previous = current;
  current = null;
  if (previous) await (await previous.simulator.catch(() => null))?.close();
}

class SimulatorProcess {
  constructor(child, info, args, lines) {
    this.child = child;
    this.lines = lines;
    this.url = info.url;
    this.tokens = info.tokens;
    this.args = args;
    this.samples = [];  // [ms, cpu seconds, requests]
    this.timer = null;
  }

  /** The state of a fresh start (the corpus stays warm): before each run. */
  async reset() {
    const response = await fetch(`${this.url}/_simulator/reset`, { method: 'POST' });
    if (!response.ok) throw new Error(`the simulator refused a reset (HTTP ${response.status})`);
    await response.arrayBuffer();
  }

  /**
   * One command on the control channel of lib/simulator-with-updates.js (a JSON line),
   * resolved with its answer (the next line on stdout).
   */
  command(message) {
    return new Promise((resolve, reject) => {
      this.lines.once('line', (line) => resolve(JSON.parse(line)));
      this.child.stdin.write(`${JSON.stringify(message)}\n`, (err) => { if (err) reject(err); });
    });
  }

  async stats() {
    const response = await fetch(`${this.url}/_simulator/stats`);
    return response.json();
  }

  /** Starts sampling CPU and the request count; call before the pipeline starts. */
  watch() {
    this.samples = [];
    this.cpuAtWatch = procCpuSeconds(this.child.pid);
    this.sampling = null;
    this.sample = async () => {
      const at = performance.now();
      // Utilisation is the event loop's: the simulator serves every request on its main
      // thread, so that thread at 100% is what would hold a pipeline back. V8's
      // garbage-collection helpers run on other threads and other cores.
      const cpu = procCpuSeconds(this.child.pid, { mainThread: true });
      const requests = await this.stats().then((s) => s.requests, () => null);
      this.samples.push([at, cpu, requests]);
    };
    this.timer = setInterval(() => {
      this.sampling ??= this.sample().finally(() => { this.sampling = null; });
    }, SAMPLE_MS);
    return this.sample();
  }

  /**
   * Stops sampling. Returns what the pipeline's run looked like from the simulator:
   * the time between the first and the last counted request (±SAMPLE_MS), the
   * simulator's CPU seconds (all threads), the utilisation of its main thread (mean
   * over the active span, the highest 1 s span), and its statistics.
   */
  async finish() {
    clearInterval(this.timer);
    await this.sampling;
    // The pipeline has exited: this last sample holds every request it sent.
    await this.sample();
    const stats = await this.stats();
    const cpu = procCpuSeconds(this.child.pid);
    const s = this.samples;
    const last = s[s.length - 1][2] ?? stats.requests;
    const firstIndex = s.findIndex(([, , requests]) => requests > 0);
    const lastIndex = s.findIndex(([, , requests]) => requests === last);
    let activeS = null;
    let meanUtil = null;
    let peakUtil = null;
    if (firstIndex >= 0 && lastIndex >= 0) {
      // The first request happened between the sample before firstIndex and it: take the middle.
      const start = firstIndex > 0 ? (s[firstIndex - 1][0] + s[firstIndex][0]) / 2 : s[firstIndex][0];
      const end = lastIndex > 0 ? (s[lastIndex - 1][0] + s[lastIndex][0]) / 2 : s[lastIndex][0];
      activeS = Math.max(0, (end - start) / 1000);
      const from = Math.max(0, firstIndex - 1);
      if (s[lastIndex][1] !== null && s[from][1] !== null && s[lastIndex][0] > s[from][0]) {
        meanUtil = (s[lastIndex][1] - s[from][1]) / ((s[lastIndex][0] - s[from][0]) / 1000);
      }
      for (let i = from + SPAN_SAMPLES; i <= lastIndex; i++) {
        const [t1, c1] = s[i];
        const [t0, c0] = s[i - SPAN_SAMPLES];
        if (c1 !== null && c0 !== null) peakUtil = Math.max(peakUtil ?? 0, (c1 - c0) / ((t1 - t0) / 1000));
      }
    }
    return {
      activeS,
      cpuS: cpu !== null && this.cpuAtWatch !== null ? cpu - this.cpuAtWatch : null,
      meanUtil,
      peakUtil,
      stats,
    };
  }

  async close() {
    clearInterval(this.timer);
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}
