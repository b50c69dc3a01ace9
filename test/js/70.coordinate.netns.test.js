// The harness of the multi-host (--coordinate) tests: three hosts in network namespaces
// (test/support/netns.js), each running real processes that reach the PostgreSQL and the
// simulator of this (root) namespace through their own gateway, with their own address.
// Skips, with the reason, where namespaces cannot be made (not root, no iproute2).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import readline from 'node:readline';
import { after, before, describe, it } from 'node:test';

import { startSimulator } from '../simulator/index.js';
import { cleanEnv, root } from '../support/helpers.js';
import { createHosts, netnsAvailable } from '../support/netns.js';

const available = netnsAvailable();

// Connects with `pg` to URL and prints the address the server sees the client at.
const CLIENT_ADDRESS = `
const pg = require('pg');
const client = new pg.Client({ connectionString: process.env.URL, connectionTimeoutMillis: 5000 });
client.connect()
  .then(() => client.query('SELECT host(inet_client_addr()) AS address'))
  .then(({ rows }) => { console.log(rows[0].address); return client.end(); })
  .catch((err) => { console.error(err.message); process.exit(1); });
`;

// GETs URL with TOKEN and prints the status and the core limit.
const RATE_LIMIT = `
fetch(process.env.URL, { headers: { authorization: 'token ' + process.env.TOKEN } })
  .then(async (res) => console.log(JSON.stringify({ status: res.status, core: (await res.json()).resources?.core?.limit })))
  .catch((err) => { console.error(err.message); process.exit(1); });
`;

const ipText = (...args) => spawnSync('ip', args, { encoding: 'utf8' }).stdout;

describe('netns harness: hosts in network namespaces', { skip: available.ok ? false : available.reason, timeout: 60_000 }, () => {
  let sim;
  let hosts = [];

  before(async () => {
    sim = await startSimulator({ seed: 7, repositories: 50, tokens: 3, badTokens: 0, host: '0.0.0.0' });
    hosts = await createHosts(3);
  });

  after(async () => {
    for (const host of hosts) host.remove();
    await sim?.close();
  });

  const nodeIn = (host, script, env) => host.exec(process.execPath, ['-e', script], { cwd: root, env: cleanEnv(env), timeout: 20_000 });

  it('gives each host its own namespace, veth and subnet', () => {
    assert.equal(new Set(hosts.map((host) => host.address)).size, 3);
    for (const host of hosts) {
      assert.equal(host.address, `10.77.${host.index}.2`);
      assert.equal(host.gateway, `10.77.${host.index}.1`);
      assert.ok(host.veth.length <= 15, host.veth);
      assert.match(ipText('netns', 'list'), new RegExp(`^${host.name} `, 'm'));
      assert.match(ipText('-o', '-4', 'addr', 'show', 'dev', host.veth), new RegExp(`inet ${host.gateway.replaceAll('.', '\\.')}/24`));
    }
  });

  it('each host reaches PostgreSQL through its gateway and is seen at its own address', async () => {
    const results = await Promise.all(hosts.map((host) => nodeIn(host, CLIENT_ADDRESS, { URL: host.databaseUrl() })));
    results.forEach((result, i) => {
      assert.equal(result.status, 0, `host ${hosts[i].name}: ${result.stderr}`);
      assert.equal(result.stdout.trim(), hosts[i].address);
    });
  });

  it('each host fetches /rate_limit from the simulator listening on 0.0.0.0', async () => {
    const results = await Promise.all(hosts.map((host, i) =>
      nodeIn(host, RATE_LIMIT, { URL: host.url(`${sim.url}/rate_limit`), TOKEN: sim.tokens[i] })));
    results.forEach((result, i) => {
      assert.equal(result.status, 0, `host ${hosts[i].name}: ${result.stderr}`);
      assert.deepEqual(JSON.parse(result.stdout), { status: 200, core: 5000 });
    });
  });

  it('a host child is the real process: SIGKILL mid-sleep ends it with signal SIGKILL', async () => {
    const [host] = hosts;
    const child = host.spawn(process.execPath, ['-e', 'console.log(process.pid); setTimeout(() => {}, 60_000)'],
      { cwd: root, env: cleanEnv(), stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    const [line] = await readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]().next()
      .then(({ value }) => [value]);
    assert.equal(Number(line), child.pid, '`ip netns exec` execs the command: no process in between');
    assert.equal(ipText('netns', 'identify', String(child.pid)).trim(), host.name);
    child.kill('SIGKILL');
    assert.deepEqual(await exited, { code: null, signal: 'SIGKILL' });
    assert.equal(ipText('netns', 'pids', host.name).trim(), '', 'nothing left running in the namespace');
  });

  it('remove() leaves no namespace, veth or address behind', () => {
    for (const host of hosts) host.remove();
    const namespaces = ipText('netns', 'list');
    const links = ipText('-o', 'link');
    const addresses = ipText('-o', '-4', 'addr');
    for (const host of hosts) {
      assert.doesNotMatch(namespaces, new RegExp(`^${host.name} `, 'm'));
      assert.ok(!links.includes(`${host.veth}@`) && !links.includes(`${host.veth}:`), `${host.veth} still exists`);
      assert.ok(!addresses.includes(` ${host.gateway}/`), `${host.gateway} still assigned`);
    }
  });
});
