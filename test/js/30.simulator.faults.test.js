import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { cleanEnv, root } from '../support/helpers.js';
import { get } from '../simulator/client.js';
import { startSimulator } from '../simulator/index.js';

let sim;
let token;
let repoPath;
before(async () => {
  sim = await startSimulator({ seed: 5, repositories: 1500, tokens: 1 });
  token = sim.tokens[0];
  repoPath = `/repos/${sim.corpus.repositories[3].fullName}`;
});
after(() => sim.close());

describe('simulator: faults', () => {
  for (const status of [500, 502, 503]) {
    it(`answers ${status} for a queued fault, without spending the bucket, then recovers`, async () => {
      sim.setFaults({ next: [{ path: repoPath, kind: status, count: 2 }] });
      const before = Number((await get(`${sim.url}/rate_limit`, { token })).json().resources.core.remaining);
      assert.equal((await get(`${sim.url}${repoPath}`, { token })).status, status);
      assert.equal((await get(`${sim.url}${repoPath}`, { token })).status, status);
      const ok = await get(`${sim.url}${repoPath}`, { token });
      assert.equal(ok.status, 200);
      assert.equal(Number(ok.headers['x-ratelimit-remaining']), before - 1);
    });
  }

  it('drops the connection without a response', async () => {
    sim.setFaults({ next: [{ path: '/user', kind: 'drop' }] });
    await assert.rejects(get(`${sim.url}/user`, { token }), /socket hang up|ECONNRESET/);
    assert.equal((await get(`${sim.url}/user`, { token })).status, 200);
    assert.equal(sim.stats().dropped, 1);
  });

  it('truncates a body: Content-Length promises more than arrives', async () => {
    sim.setFaults({ next: [{ path: '/search/repositories', kind: 'truncate' }] });
    await assert.rejects(get(`${sim.url}/search/repositories?q=stars:>1`, { token }), /aborted|incomplete|ECONNRESET/);
    assert.equal(sim.stats().truncated, 1);
  });

  it('slows a reply down by the given delay', async () => {
    sim.setFaults({ next: [{ path: repoPath, kind: 'slow', ms: 150 }] });
    const started = Date.now();
    assert.equal((await get(`${sim.url}${repoPath}`, { token })).status, 200);
    assert.ok(Date.now() - started >= 140);
  });

  it('returns a short page with incomplete_results: true', async () => {
    sim.setFaults({ next: [{ path: '/search/repositories', kind: 'incomplete' }] });
    const url = `${sim.url}/search/repositories?q=stars:>=0&per_page=40`;
    const short = (await get(url, { token })).json();
    assert.equal(short.incomplete_results, true);
    assert.equal(short.items.length, 20);
    const full = (await get(url, { token })).json();
    assert.equal(full.incomplete_results, false);
    assert.equal(full.items.length, 40);
  });

  it('queues a secondary limit on a path', async () => {
    sim.setFaults({ next: [{ path: '/user', kind: 'secondary', retryAfter: 0 }] });
    const res = await get(`${sim.url}/user`, { token });
    assert.equal(res.status, 403);
    assert.match(res.json().message, /secondary rate limit/);
    assert.equal(res.headers['retry-after'], '0');
  });

  it('fails at configured rates, the same way on every run (deterministic from the seed)', async () => {
    const run = async () => {
      const other = await startSimulator({ seed: 9, repositories: 200, tokens: 1, faults: { http502: 0.2, http503: 0.1 } });
      const statuses = [];
      for (const repo of other.corpus.repositories.slice(0, 60)) {
        statuses.push((await get(`${other.url}/repos/${repo.fullName}`, { token: other.tokens[0] })).status);
      }
      await other.close();
      return statuses;
    };
    const first = await run();
    assert.deepEqual(await run(), first);
    assert.ok(first.filter((s) => s === 502).length > 3, String(first));
    assert.ok(first.filter((s) => s === 503).length > 0);
    assert.ok(first.filter((s) => s === 200).length > 30);
  });

  it('makes some repositories gone (404) or blocked (451) on detail endpoints', async () => {
    const other = await startSimulator({ seed: 9, repositories: 200, tokens: 1, faults: { gone: 0.3 } });
    const statuses = new Set();
    for (const repo of other.corpus.repositories.slice(0, 60)) {
      statuses.add((await get(`${other.url}/repos/${repo.fullName}/languages`, { token: other.tokens[0] })).status);
    }
    await other.close();
    assert.deepEqual([...statuses].sort(), [200, 404, 451]);
  });
});

describe('node test/simulator/cli.js', () => {
  it('prints one JSON line {url, tokens} and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [path.join(root, 'test/simulator/cli.js'), '--port=0', '--tokens=3', '--repos=300', '--seed=2', '--core-limit=7'],
      { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    const line = await new Promise((resolve, reject) => {
      child.stdout.on('data', (chunk) => {
        stdout += chunk;
        if (stdout.includes('\n')) resolve(stdout.split('\n')[0]);
      });
      child.once('exit', (code) => reject(new Error(`exited ${code} before printing`)));
    });
    const { url, tokens } = JSON.parse(line);
    assert.equal(tokens.length, 3);
    const res = await get(`${url}/user`, { token: tokens[0] });
    assert.equal(res.status, 200);
    assert.equal(res.headers['x-ratelimit-limit'], '7');
    const stats = (await get(`${url}/_simulator/stats`)).json();
    assert.equal(stats.requests, 1);
    const code = await new Promise((resolve) => {
      child.once('exit', (exitCode) => resolve(exitCode));
      child.kill('SIGTERM');
    });
    assert.equal(code, 0);
  });

  it('rejects a malformed option with exit 2', async () => {
    const child = spawn(process.execPath, [path.join(root, 'test/simulator/cli.js'), '--tokens=abc'], { env: cleanEnv(), stdio: 'ignore' });
    assert.equal(await new Promise((resolve) => child.once('exit', resolve)), 2);
  });
});
