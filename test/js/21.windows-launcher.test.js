// run-parallel-ingestion.bat run for real: Wine's cmd.exe with Node.js for Windows
// (test/support/wine.js; .ci/setup-wine.sh installs both), typed as at a Windows prompt
// from a caller's folder that is not the project's. The addon here is a Linux build that
// node.exe cannot load, so what needs the addon (the job itself, ./data, exit 3 and 130)
// is not run: 20.cli.entry-points checks those parts of the file statically.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { root, tempDir } from '../support/helpers.js';
import { createPrefix, winPath, wineAvailable } from '../support/wine.js';

const LAUNCHER = 'run-parallel-ingestion.bat';
const BUILD_DOCS = 'see README.md, "Building on Windows"';
const BUILDING = `run-parallel-ingestion: building the native addon first (${BUILD_DOCS})\n`;
const BUILD_FAILED = `run-parallel-ingestion: the build failed; ${BUILD_DOCS}\n`;
const USAGE = 'Usage: node ingest-balanced-parallel.js [options]\n';
// A clusters file that fails as no other does: which file node read shows in its error.
const BAD_CLUSTERS = JSON.stringify({ min_stars: -1, clusters: {} });
const BAD_CLUSTERS_ERROR = 'min_stars must be a whole number (0 or more), got -1';

const available = wineAvailable();
let scratch;  // this file's temporary folder, removed at exit

/** A new empty folder. */
function folder() {
  scratch ??= tempDir();
  return fs.mkdtempSync(path.join(scratch, 'f-'));
}

/** `"Z:\...\run-parallel-ingestion.bat"` of the project in `dir`, quoted as typed. */
function launcher(dir = root) {
  return `"${winPath(path.join(dir, LAUNCHER))}"`;
}

/**
 * A copy of the project without an addon, in a folder whose name has a space (as
 * C:\Users\First Last\ does): the launcher is copied, so that its own folder is the
 * copy's; the files `node` runs are links to the real ones. With `dependencies`,
 * node_modules too, as after `npm install --ignore-scripts`.
 */
function projectWithoutAddon({ dependencies }) {
  const dir = path.join(folder(), 'gh-ingest copy');
  fs.mkdirSync(dir);
  fs.copyFileSync(path.join(root, LAUNCHER), path.join(dir, LAUNCHER));
  const linked = ['ingest-balanced-parallel.js', 'package.json', 'js', 'binding'];
  for (const name of dependencies ? [...linked, 'node_modules'] : linked) {
    fs.symlinkSync(path.join(root, name), path.join(dir, name));
  }
  return dir;
}

/**
 * A folder with an npm.cmd that stands in for npm (Node.js for Windows comes without
 * it): it notes where and how it was called in calls.txt, then fails as a build without
 * a compiler does or, with `builds`, leaves an addon in build\Release and succeeds.
 */
function npmStandIn({ builds }) {
  const dir = folder();
  const lines = ['@echo off', '>>"%~dp0calls.txt" echo %CD%: npm %*'];
  if (builds) lines.push('md build\\Release', 'type nul > build\\Release\\gh_ingest.node', 'exit /b 0');
  else lines.push('exit /b 1');
  fs.writeFileSync(path.join(dir, 'npm.cmd'), `${lines.join('\r\n')}\r\n`);
  return dir;
}

function npmCalls(dir) {
  const file = path.join(dir, 'calls.txt');
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trimEnd().split(/\r?\n/) : [];
}

// The whole run, for the message of a failed assertion.
function shown(result) {
  return `exit ${result.status}${result.error ? ` (${result.error.message})` : ''}\n` +
    `stdout: ${result.stdout}\nstderr: ${result.stderr}`;
}

const title = available.ok
  ? `run-parallel-ingestion.bat under Wine's cmd.exe (Node.js ${available.nodeVersion} for Windows)`
  : 'run-parallel-ingestion.bat under Wine\'s cmd.exe';

describe(title, { skip: available.ok ? false : available.reason, timeout: 180_000 }, () => {
  let wine;
  // The prefix (Wine's C: drive and registry) takes seconds to create: once per file.
  before(() => { wine = createPrefix(available); });
  after(() => wine?.close());

  it('--help from another folder: the usage, exit 0', () => {
    const result = wine.run(`${launcher()} --help`, { cwd: folder() });
    assert.equal(result.status, 0, shown(result));
    assert.ok(result.stdout.startsWith(USAGE), shown(result));
    assert.equal(result.stderr, '');
  });

  it('a usage error is passed through: its one line, exit 2', () => {
    const result = wine.run(`${launcher()} --workers=abc`, { cwd: folder() });
    assert.equal(result.status, 2, shown(result));
    assert.equal(result.stdout, '');
    assert.equal(result.stderr, 'ingest-balanced-parallel: --workers expects a whole number of at least 1, got \'abc\'\n');
  });

  it('arguments with spaces reach node as typed, after the others', () => {
    const caller = folder();
    fs.mkdirSync(path.join(caller, 'my settings'));
    fs.writeFileSync(path.join(caller, 'my settings', 'clusters.json'), BAD_CLUSTERS);
    const result = wine.run(`${launcher()} --dry-run --json "--config=my settings\\clusters.json"`, { cwd: caller });
    assert.equal(result.status, 1, shown(result));
    assert.equal(result.stderr, `ingest-balanced-parallel: clusters file ${winPath(caller)}\\my settings\\clusters.json: ` +
      `${BAD_CLUSTERS_ERROR}\n`);
  });

  it('a relative --config is the caller\'s file, not the project\'s: its error, exit 1', () => {
    // Read before anything needs the addon or a token.
    const caller = folder();
    fs.writeFileSync(path.join(caller, 'clusters.json'), BAD_CLUSTERS);
    const result = wine.run(`${launcher()} --config=clusters.json`, { cwd: caller });
    assert.equal(result.status, 1, shown(result));
    assert.equal(result.stderr, `ingest-balanced-parallel: clusters file ${winPath(caller)}\\clusters.json: ` +
      `${BAD_CLUSTERS_ERROR}\n`);
  });

  it('without Node.js on PATH: says where to get it, exit 1', () => {
    // Wine 8's where.exe is a stub that succeeds whatever it is asked. On such a Wine it
    // is switched off, so `where node` fails as Windows' does when Node.js is missing.
    const whereIsStub = wine.run('where gh-ingest-no-such-program >nul 2>nul', { node: false }).status === 0;
    const result = wine.run(`${launcher()} --help`, {
      cwd: folder(), node: false, dllOverrides: whereIsStub ? 'where.exe=d' : '',
    });
    assert.equal(result.status, 1, shown(result));
    assert.equal(result.stdout, '');
    assert.equal(result.stderr, 'run-parallel-ingestion: Node.js was not found on PATH. ' +
      'Install Node.js 20.6 or newer from https://nodejs.org\n');
  });

  it('no addon on a fresh clone: npm install in the project\'s folder; when it fails, says so, exit 1', () => {
    const project = projectWithoutAddon({ dependencies: false });
    const npm = npmStandIn({ builds: false });
    const result = wine.run(`${launcher(project)} --help`, { cwd: folder(), path: [npm] });
    assert.equal(result.status, 1, shown(result));
    assert.equal(result.stdout, BUILDING);
    assert.equal(result.stderr, BUILD_FAILED);
    assert.deepEqual(npmCalls(npm), [`${winPath(project)}: npm install`]);
  });

  it('no addon, dependencies installed: npm run build; when it fails, says so, exit 1', () => {
    const project = projectWithoutAddon({ dependencies: true });
    const npm = npmStandIn({ builds: false });
    const result = wine.run(`${launcher(project)} --help`, { cwd: folder(), path: [npm] });
    assert.equal(result.status, 1, shown(result));
    assert.equal(result.stdout, BUILDING);
    assert.equal(result.stderr, BUILD_FAILED);
    assert.deepEqual(npmCalls(npm), [`${winPath(project)}: npm run build`]);
  });

  it('no addon, and the build works: builds it once, then runs with the arguments', () => {
    const project = projectWithoutAddon({ dependencies: true });
    const npm = npmStandIn({ builds: true });
    const caller = folder();
    const first = wine.run(`${launcher(project)} --help`, { cwd: caller, path: [npm] });
    assert.equal(first.status, 0, shown(first));
    assert.ok(first.stdout.startsWith(`${BUILDING}${USAGE}`), shown(first));
    assert.equal(first.stderr, '');
    assert.ok(fs.existsSync(path.join(project, 'build', 'Release', 'gh_ingest.node')), 'built in the project\'s folder');
    assert.ok(!fs.existsSync(path.join(caller, 'build')), 'nothing built in the caller\'s folder');

    const again = wine.run(`${launcher(project)} --workers=abc`, { cwd: caller, path: [npm] });
    assert.equal(again.status, 2, shown(again));
    assert.equal(again.stdout, '', 'no second build');
    assert.equal(npmCalls(npm).length, 1);
  });
});
