#!/usr/bin/env node
// `npm run test:asan`: the addon itself under ASan+UBSan, driven from node.
//
// Builds gh_ingest.node with SANITIZE=address (ASan+UBSan, see CMakeLists.txt) into
// build/asan/RelWithDebInfo (its own directory: build/Release, used by `npm test`, is
// left alone), then runs the JS tests that drive the engine through the addon:
//   test/js/3x.engine.*.test.js   the engine against the simulator, in the test process;
//   test/js/4x.ingest.*.test.js   node ingest-balanced-parallel.js end to end against the
//                                 simulator and PostgreSQL (TEST_DATABASE_URL, default
//                                 postgres://gh_ingest:gh_ingest@127.0.0.1:5432/gh_ingest_test,
//                                 see .ci/start-postgres.sh), in child processes.
// The other JS tests (simulator, enrichment, storage, configuration, CLI help, bench) do
// not run the engine: under ASan they would only cost CI time. About 70 s of tests after a
// 3-minute build on 2 cores.
//
// Exit status 0 only when every test passed and no sanitizer wrote a report, in the test
// processes or in any process they started.
//
//   node test/run-asan-addon.js [--no-build] [test files...]
//     --no-build    use the existing build/asan addon as it is
//     test files    run these instead of the default selection
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join('build', 'asan');
const config = 'RelWithDebInfo';  // optimised as shipped, with file:line in the reports
const addon = path.join(root, outDir, config, 'gh_ingest.node');

function fail(message) {
  process.stderr.write(`run-asan-addon: ${message}\n`);
  process.exit(2);
}

function heading(text) {
  process.stdout.write(`\n=== ${text}\n`);
}

function run(command, args, { env = process.env } = {}) {
  process.stdout.write(`$ ${[command, ...args].join(' ')}\n`);
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, env, stdio: 'inherit' });
    child.on('error', (err) => {
      process.stderr.write(`run-asan-addon: cannot run ${command}: ${err.message}\n`);
      resolve(127);
    });
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 + os.constants.signals[signal] : 1)));
  });
}

// A sanitizer report in the output: the test processes' own stderr (node --test shows it),
// and a child's stderr when a failing test prints it.
const REPORT_LINE = /runtime error:|ERROR: (AddressSanitizer|LeakSanitizer)|SUMMARY: (Address|UndefinedBehavior)Sanitizer/;
const WATCHDOG_MS = 5 * 60_000;  // a hung run must not hold CI: ~70 s is normal

// node --test on `tests`, its output shown as it comes and scanned for sanitizer reports.
function runTests(tests) {
  const args = ['--test', '--test-reporter=spec', ...tests];
  process.stdout.write(`$ ${[process.execPath, ...args].join(' ')}\n`);
  return new Promise((resolve) => {
    // detached: its own process group, so that the watchdog ends the test processes too.
    const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const sanitizerLines = [];
    const scan = (out) => {
      let rest = '';
      return (chunk) => {
        out.write(chunk);
        const lines = (rest + chunk).split('\n');
        rest = lines.pop();
        for (const line of lines) if (REPORT_LINE.test(line)) sanitizerLines.push(line.trim());
      };
    };
    // Ctrl-C and CI's stop reach this process only: pass them on to the group.
    for (const signal of ['SIGINT', 'SIGTERM']) {
      process.once(signal, () => {
        try { process.kill(-child.pid, signal); } catch { /* already gone */ }
      });
    }
    child.stdout.on('data', scan(process.stdout));
    child.stderr.on('data', scan(process.stderr));
    const watchdog = setTimeout(() => {
      process.stderr.write(`run-asan-addon: the tests ran for ${WATCHDOG_MS / 60_000} minutes: stopping them\n`);
      try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
    }, WATCHDOG_MS);
    child.on('error', (err) => {
      process.stderr.write(`run-asan-addon: cannot run node --test: ${err.message}\n`);
    });
    child.on('close', (code, signal) => {
      clearTimeout(watchdog);
      resolve({ status: code ?? (signal ? 128 + os.constants.signals[signal] : 1), sanitizerLines });
    });
  });
}

const { values: opts, positionals } = parseArgs({
  options: { 'no-build': { type: 'boolean' } },
  allowPositionals: true,
});

// The engine and ingest tests, found by name so that new ones are picked up.
function defaultTests() {
  const dir = path.join(root, 'test', 'js');
  return fs.readdirSync(dir)
    .filter((name) => /^(3\d\.engine|4\d\.ingest)\..*\.test\.js$/.test(name))
    .sort()
    .map((name) => path.join('test', 'js', name));
}

// The sanitizer runtimes the addon was linked with, in LD_PRELOAD order (ASan first: it
// must come before every other library, and node is not built with it). ldd names the
// exact runtimes; the compiler's answer is the fallback.
function runtimes() {
  const found = {};
  const ldd = spawnSync('ldd', [addon], { encoding: 'utf8' });
  for (const line of (ldd.stdout ?? '').split('\n')) {
    const match = /^\s*(lib(asan|ubsan)\.so[^\s]*)\s+=>\s+(\S+)/.exec(line);
    if (match) found[match[2]] = match[3];
  }
  if (!found.asan) {
    const cxx = process.env.CXX || 'g++';
    for (const name of ['asan', 'ubsan']) {
      const file = spawnSync(cxx, [`-print-file-name=lib${name}.so`], { encoding: 'utf8' }).stdout?.trim();
      if (file && path.isAbsolute(file) && fs.existsSync(file)) found[name] = fs.realpathSync(file);
    }
  }
  if (!found.asan) fail(`cannot find the ASan runtime that ${addon} needs (ldd, ${process.env.CXX || 'g++'} -print-file-name=libasan.so)`);
  return [found.asan, found.ubsan].filter(Boolean);
}

if (!opts['no-build']) {
  heading(`Building the addon with SANITIZE=address (ASan+UBSan) into ${outDir}/${config}`);
  const cmakeJs = path.join(root, 'node_modules', 'cmake-js', 'bin', 'cmake-js');
  if (!fs.existsSync(cmakeJs)) fail('cmake-js is not installed: run `npm install` first');
  const status = await run(process.execPath, [cmakeJs, 'compile', '--out', outDir, '--config', config,
    '--CDSANITIZE=address', '--CDBUILD_TESTING=OFF']);
  if (status !== 0) fail(`the ASan build failed (exit ${status})`);
}
if (!fs.existsSync(addon)) fail(`${addon} does not exist: build it (drop --no-build)`);

const reports = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-ingest-asan-'));
// The tests' helpers start child processes without GH_INGEST_ADDON (so that no stray
// build leaks into them), and those children would load build/Release. This module,
// preloaded into every node process through NODE_OPTIONS (which the children inherit),
// points them back at the ASan build.
const preload = path.join(reports, 'use-asan-addon.mjs');
fs.writeFileSync(preload,
  'if (process.env.GH_INGEST_ASAN_ADDON) process.env.GH_INGEST_ADDON = process.env.GH_INGEST_ASAN_ADDON;\n');

const env = {
  ...process.env,
  LD_PRELOAD: [...runtimes(), process.env.LD_PRELOAD].filter(Boolean).join(':'),
  GH_INGEST_ADDON: addon,
  GH_INGEST_ASAN_ADDON: addon,
  NODE_OPTIONS: [process.env.NODE_OPTIONS, `--import=${pathToFileURL(preload).href}`].filter(Boolean).join(' '),
  // detect_leaks=0: node does not free its isolate, platform and module state at exit, by
  //   design; LeakSanitizer would report that in every process.
  // halt_on_error=1, abort_on_error=0: the first report ends the process with exit 1 (no
  //   core dump), so the test that started it fails.
  // log_path: every ASan report also lands in a file, <dir>/asan.<pid>: a report from a
  //   child process whose stderr a test swallows is still seen, and fails the run below.
  // Allocation and free stacks that go through libstdc++ (built without frame pointers)
  //   stop at its first frame. For the full stacks, run again with
  //   ASAN_OPTIONS=fast_unwind_on_malloc=0 (added after these, so it wins): the tests then
  //   take about four times as long, too long for every CI run.
  ASAN_OPTIONS: [
    'detect_leaks=0', 'halt_on_error=1', 'abort_on_error=0', 'strict_string_checks=1',
    'check_initialization_order=1', `log_path=${path.join(reports, 'asan')}`,
    process.env.ASAN_OPTIONS,
  ].filter(Boolean).join(':'),
  // The build has -fno-sanitize-recover=undefined: the first report ends the process.
  // GCC's UBSan runtime (libubsan, next to libasan) ignores log_path when ASan is in the
  // process too, so its reports go to stderr only: node --test shows the test processes'
  // stderr, and the output is scanned below; a child's report ends the child, which fails
  // the test that started it (and its stderr is usually in the failure message). The
  // log_path is set anyway, for a runtime that honours it.
  UBSAN_OPTIONS: [
    'halt_on_error=1', 'print_stacktrace=1', `log_path=${path.join(reports, 'ubsan')}`,
    process.env.UBSAN_OPTIONS,
  ].filter(Boolean).join(':'),
};

// Fails early, and clearly, if the sanitized addon does not load, or if a child process
// as the tests start it (without GH_INGEST_ADDON) would not get it.
heading('Checking that node loads the ASan addon, in a child process too');
{
  const childEnv = { ...env };
  delete childEnv.GH_INGEST_ADDON;
  const probe = spawnSync(process.execPath, ['--input-type=module', '-e', `
    import fs from 'node:fs';
    import { versions } from ${JSON.stringify(pathToFileURL(path.join(root, 'binding', 'index.js')).href)};
    const v = versions();
    const mapped = fs.readFileSync('/proc/self/maps', 'utf8').includes(${JSON.stringify(addon)});
    const asan = fs.readFileSync('/proc/self/maps', 'utf8').includes('libasan');
    console.log(JSON.stringify({ mapped, asan, versions: v }));
  `], { cwd: root, env: childEnv, encoding: 'utf8' });
  const result = (() => { try { return JSON.parse(probe.stdout.trim().split('\n').pop()); } catch { return null; } })();
  if (probe.status !== 0 || !result?.mapped || !result?.asan) {
    process.stderr.write(`${probe.stdout}${probe.stderr}`);
    fail(`a node process does not run ${addon} under ASan (LD_PRELOAD=${env.LD_PRELOAD})`);
  }
  process.stdout.write(`ok: ${addon} with ${env.LD_PRELOAD}\n`);
}

const tests = positionals.length ? positionals.map((file) => path.resolve(file)) : defaultTests();
heading(`JS tests against the ASan addon: ${tests.map((file) => path.basename(file)).join(' ')}`);
process.stdout.write(`TEST_DATABASE_URL=${process.env.TEST_DATABASE_URL || '(unset: the tests use postgres://gh_ingest:gh_ingest@127.0.0.1:5432/gh_ingest_test)'}\n`);
const started = Date.now();
const { status, sanitizerLines } = await runTests(tests);
const seconds = Math.round((Date.now() - started) / 1000);

const found = fs.readdirSync(reports).filter((name) => /^(asan|ubsan)\./.test(name)).sort();
for (const name of found) {
  process.stderr.write(`\n=== sanitizer report ${name}\n${fs.readFileSync(path.join(reports, name), 'utf8')}`);
}
fs.rmSync(reports, { recursive: true, force: true });

const problems = [];
if (status !== 0) problems.push(`node --test exited ${status}`);
if (found.length) problems.push(`${found.length} sanitizer report file${found.length > 1 ? 's' : ''} (above)`);
if (sanitizerLines.length) {
  problems.push(`${sanitizerLines.length} sanitizer report line${sanitizerLines.length > 1 ? 's' : ''} in the test output: ${sanitizerLines.slice(0, 3).join(' | ')}`);
}
process.stdout.write(`\nASan+UBSan addon, ${tests.length} test files in ${seconds}s: ${problems.length ? problems.join(', ') : 'passed, no sanitizer report'}\n`);
process.exitCode = problems.length ? 1 : 0;
