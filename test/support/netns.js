// Hosts for multi-host tests: each host is a Linux network namespace with its own address,
// joined to the test's (root) namespace by a veth pair. Real processes run inside with
// host.spawn()/host.exec() and reach the services of the root namespace (the simulator,
// PostgreSQL) through their gateway address. Needs root and iproute2 (`ip netns`).
//
//   host i:  namespace `${prefix}-h${i}`, eth0 = 10.77.i.2/24, lo up, default via 10.77.i.1
//   root:    veth `${prefix}-v${i}` = 10.77.i.1/24 (the host's gateway)
//
// Services in the root namespace must listen where the hosts reach them: the simulator
// with startSimulator({host: '0.0.0.0'}), PostgreSQL with listen_addresses '*' and a
// pg_hba.conf line for 10.77.0.0/16 (both set by .ci/start-postgres.sh). host.url(url)
// and hostDatabaseUrl(i) turn a root-namespace URL into the one a host uses.
//
// Collisions: interface names are unique per test file through the prefix (default
// `gi<pid in base 36>`), and the subnet 10.77.i.0/24 is unique machine-wide through a
// claim: an abstract Unix socket `@gh-ingest-netns/10.77.i` that this process listens on
// while it holds host i. The kernel allows one listener per name and frees it when the
// process dies, even by SIGKILL, so two test files running in parallel never share a
// subnet (createHost(i) of a subnet in use fails with code 'ESUBNETINUSE'; createHosts(n)
// takes the first free ones). The claim file /run/gh-ingest-netns/<i> names the holder's
// prefix, so whoever claims i next removes what a crashed holder left behind.
//
// Cleanup: host.remove() (kills what still runs in the namespace, deletes the veth and
// the namespace), removeAllHosts(), and a hook on process 'exit' and on SIGINT/SIGTERM/
// SIGHUP so a failing or interrupted test leaves nothing behind. A SIGKILLed test leaves
// its hosts until their subnets are claimed again (or `ip netns del` by hand).
//
// API:
//   netnsAvailable() → {ok: true} | {ok: false, reason}     (cached; for `skip`)
//   await createHost(index, {prefix}) → host                  (index 0..255)
//   await createHosts(count, {prefix, first = 1}) → [host]    (first free subnets)
//   host = {index, name, veth, address, gateway, spawn(cmd, args, opts),
//           exec(cmd, args, opts), url(url), databaseUrl(url), remove()}
//   removeAllHosts()
//   hostDatabaseUrl(index, url = TEST_DATABASE_URL), viaGateway(url, index)
//   defaultPrefix()
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

import { TEST_DATABASE_URL } from './test-database.js';

const CLAIM_DIR = '/run/gh-ingest-netns';
const MAX_IFNAME = 15;  // IFNAMSIZ - 1
const live = new Set();  // hosts created by this process and not yet removed
let availability;
let hooked = false;

/** `gi` and this process's pid in base 36 (≤ 7 characters): unique per test file. */
export function defaultPrefix() {
  return `gi${process.pid.toString(36)}`;
}

/** The host's gateway (10.77.i.1) in place of the hostname of `url`. */
export function viaGateway(url, index) {
  const parsed = new URL(url);
  parsed.hostname = gatewayOf(index);
  return parsed.href;
}

/** The URL a host in namespace `index` uses for the test database (host 10.77.i.1). */
export function hostDatabaseUrl(index, url = TEST_DATABASE_URL) {
  return viaGateway(url, index);
}

/**
 * Whether hosts can be made here: root, `ip` on the PATH, and a probe namespace with a
 * veth pair can be created and entered. {ok: true} or {ok: false, reason}.
 */
export function netnsAvailable() {
  if (availability) return availability;
  availability = probe();
  return availability;
}

function probe() {
  if (process.platform !== 'linux') return { ok: false, reason: `network namespaces need Linux (this is ${process.platform})` };
  if (process.getuid?.() !== 0) return { ok: false, reason: 'network namespaces need root (the tests run as uid ' + process.getuid?.() + ')' };
  const version = spawnSync('ip', ['-V'], { encoding: 'utf8' });
  if (version.error || version.status !== 0) return { ok: false, reason: 'the `ip` command (iproute2) is not installed' };
  const name = `${defaultPrefix()}-probe`;
  const veth = `${defaultPrefix()}-vp`;
  removeNames(name, veth);
  try {
    for (const args of [['netns', 'add', name], ['link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', name],
      ['netns', 'exec', name, 'true']]) {
      const result = ip(args);
      if (result.status !== 0) return { ok: false, reason: `\`ip ${args.join(' ')}\` failed: ${result.stderr.trim() || result.error?.message}` };
    }
    return { ok: true };
  } finally {
    removeNames(name, veth);
  }
}

/**
 * Creates host `index` (0..255): claims subnet 10.77.index.0/24, removes a stale
 * namespace/veth of the same names (or left by a crashed holder of the subnet), then
 * makes the namespace, the veth pair, addresses, links and the default route.
 */
export async function createHost(index, { prefix = defaultPrefix() } = {}) {
  if (!Number.isInteger(index) || index < 0 || index > 255) throw new RangeError(`host index must be 0..255, got ${index}`);
  const name = `${prefix}-h${index}`;
  const veth = `${prefix}-v${index}`;
  if (!/^[A-Za-z0-9_.]+$/.test(prefix) || veth.length > MAX_IFNAME) {
    throw new RangeError(`prefix '${prefix}' makes interface name '${veth}'; it must be [A-Za-z0-9_.] and ≤ ${MAX_IFNAME} characters`);
  }
  const claim = await claimSubnet(index);
  hookExit();
  const host = {
    index, name, veth, address: `10.77.${index}.2`, gateway: gatewayOf(index),
    children: new Set(),
    /** child_process.spawn of `ip netns exec <name> cmd ...args`: the child's pid is cmd's. */
    spawn(cmd, args = [], opts = {}) {
      const child = spawn('ip', ['netns', 'exec', name, cmd, ...args], opts);
      host.children.add(child);
      child.once('exit', () => host.children.delete(child));
      return child;
    },
    /**
     * Runs cmd in the host to its end: {status, signal, stdout, stderr, timedOut}. Past
     * `timeout` ms (30 s) the child gets SIGKILL. opts: env, cwd, input, timeout.
     */
    exec(cmd, args = [], { timeout = 30_000, input, ...opts } = {}) {
      return new Promise((resolve, reject) => {
        const child = host.spawn(cmd, args, { ...opts, stdio: ['pipe', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        let timedOut = false;
        child.stdout.setEncoding('utf8').on('data', (chunk) => { stdout += chunk; });
        child.stderr.setEncoding('utf8').on('data', (chunk) => { stderr += chunk; });
        child.stdin.end(input);
        const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeout);
        child.once('error', (err) => { clearTimeout(timer); reject(err); });
        child.once('close', (status, signal) => {
          clearTimeout(timer);
          resolve({ status, signal, stdout, stderr, timedOut });
        });
      });
    },
    /** `url` of a service of the root namespace as this host reaches it (via its gateway). */
    url: (url) => viaGateway(url, index),
    /** The test database (or `url`) as this host reaches it. */
    databaseUrl: (url = TEST_DATABASE_URL) => hostDatabaseUrl(index, url),
    /** Kills what still runs in the namespace, deletes veth and namespace, frees the subnet. Idempotent. */
    remove() {
      if (!live.delete(host)) return;
      for (const child of host.children) child.kill('SIGKILL');
      removeNames(name, veth);
      claim.release();
    },
  };
  try {
    claim.takeOver(prefix);
    removeNames(name, veth);
    const commands = [
      ['netns', 'add', name],
      ['link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', name],
      ['addr', 'add', `${host.gateway}/24`, 'dev', veth],
      ['link', 'set', veth, 'up'],
      ['-n', name, 'link', 'set', 'lo', 'up'],
      ['-n', name, 'addr', 'add', `${host.address}/24`, 'dev', 'eth0'],
      ['-n', name, 'link', 'set', 'eth0', 'up'],
      ['-n', name, 'route', 'add', 'default', 'via', host.gateway],
    ];
    for (const args of commands) {
      const result = ip(args);
      if (result.status !== 0) throw new Error(`createHost(${index}): \`ip ${args.join(' ')}\` failed: ${result.stderr.trim() || result.error?.message}`);
    }
  } catch (err) {
    removeNames(name, veth);
    claim.release();
    throw err;
  }
  live.add(host);
  return host;
}

/** Creates `count` hosts on the first free subnets from 10.77.`first`.0/24 on. */
export async function createHosts(count, { prefix = defaultPrefix(), first = 1 } = {}) {
  const hosts = [];
  try {
    for (let index = first; hosts.length < count; index += 1) {
      if (index > 255) throw new Error(`createHosts(${count}): no ${count} free subnets from 10.77.${first}.0/24 on`);
      try {
        hosts.push(await createHost(index, { prefix }));
      } catch (err) {
        if (err.code !== 'ESUBNETINUSE') throw err;
      }
    }
  } catch (err) {
    for (const host of hosts) host.remove();
    throw err;
  }
  return hosts;
}

/** Removes every host this process created and has not removed. Synchronous. */
export function removeAllHosts() {
  for (const host of [...live]) host.remove();
}

function gatewayOf(index) {
  return `10.77.${index}.1`;
}

function ip(args) {
  return spawnSync('ip', args, { encoding: 'utf8', timeout: 10_000 });
}

// Deletes namespace `name` (after SIGKILLing the processes still in it) and the veth
// `veth` of the root namespace (which takes its peer along); missing ones are fine.
function removeNames(name, veth) {
  const pids = ip(['netns', 'pids', name]);
  if (pids.status === 0) {
    for (const pid of pids.stdout.split(/\s+/).filter(Boolean)) {
      try { process.kill(Number(pid), 'SIGKILL'); } catch { /* already gone */ }
    }
  }
  ip(['link', 'del', veth]);
  ip(['netns', 'del', name]);
}

// Holds subnet `index` for this process: listening on an abstract Unix socket, which the
// kernel frees when the process dies. Rejects with code ESUBNETINUSE when another live
// process holds it.
async function claimSubnet(index) {
  const server = net.createServer();
  await new Promise((resolve, reject) => {
    server.once('error', (err) => {
      if (err.code === 'EADDRINUSE') {
        const holder = readClaimFile(index);
        const error = new Error(`subnet 10.77.${index}.0/24 is in use by another process${holder ? ` (${holder})` : ''}`);
        error.code = 'ESUBNETINUSE';
        reject(error);
      } else reject(err);
    });
    server.listen({ path: `\0gh-ingest-netns/10.77.${index}` }, resolve);
  });
  server.unref();
  const file = path.join(CLAIM_DIR, String(index));
  return {
    // Removes what the previous holder left (it is dead: we hold the socket), records us.
    takeOver(prefix) {
      const previous = readClaimFile(index);
      const previousPrefix = previous?.split(' ')[0];
      if (previousPrefix && previousPrefix !== prefix) removeNames(`${previousPrefix}-h${index}`, `${previousPrefix}-v${index}`);
      fs.mkdirSync(CLAIM_DIR, { recursive: true });
      fs.writeFileSync(file, `${prefix} pid ${process.pid}\n`);
    },
    release() {
      try { fs.unlinkSync(file); } catch { /* not written, or gone */ }
      server.close();
    },
  };
}

function readClaimFile(index) {
  try {
    return fs.readFileSync(path.join(CLAIM_DIR, String(index)), 'utf8').trim();
  } catch {
    return undefined;
  }
}

// On exit (normal, uncaught exception, process.exit) and on SIGINT/SIGTERM/SIGHUP: remove
// the hosts left. A signal is raised again afterwards when nobody else handles it, so the
// process still ends the way the signal asks.
function hookExit() {
  if (hooked) return;
  hooked = true;
  process.on('exit', removeAllHosts);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(signal, function onSignal() {
      removeAllHosts();
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  }
}
