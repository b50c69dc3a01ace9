// The simulator's warm-up (every document built before the first request) and reset
// (a fresh start for the next client of a long-lived simulator): what the benchmark
// relies on to measure pipelines, not the simulator's document building.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { get as getWith, post } from '../simulator/client.js';
import { startSimulator } from '../simulator/index.js';

const CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'simulator', 'cli.js');
const OPTIONS = { seed: 3, repositories: 600, tokens: 2 };
const RAW = { accept: 'application/vnd.github.raw+json', 'accept-encoding': 'gzip' };
const GZIP = { 'accept-encoding': 'gzip' };

/**
 * Every REST response the engine asks for, for a few repositories, and a search page.
 * Its own connections: the two simulators compared share a port.
 */
async function responses(sim) {
  const agent = new http.Agent({ keepAlive: false });
  const get = (url, options) => getWith(url, { ...options, agent });
  const token = sim.tokens[0];
  const out = [];
  const repos = sim.corpus.repositories.filter((repo, i) => i % 60 === 0 || repo.readme === null).slice(0, 14);
  for (const repo of repos) {
    for (const [suffix, headers] of [['', GZIP], ['/languages', GZIP], ['/readme', RAW], ['/readme', GZIP], ['/community/profile', GZIP]]) {
      const res = await get(`${sim.url}/repos/${repo.fullName}${suffix}`, { token, headers });
      out.push({ what: `${repo.fullName}${suffix} ${headers.accept ?? ''}`, status: res.status, etag: res.headers.etag, encoding: res.headers['content-encoding'], text: res.text() });
    }
    const byId = await get(`${sim.url}/repositories/${repo.id}`, { token, headers: GZIP });
    out.push({ what: `id ${repo.id}`, status: byId.status, etag: byId.headers.etag, text: byId.text() });
  }
  const search = await get(`${sim.url}/search/repositories?q=stars:>10&per_page=100&page=2`, { token, headers: GZIP });
  out.push({ what: 'search', status: search.status, text: search.text() });
  return out;
}

describe('simulator: warm-up', () => {
  it('serves the same bytes, ETags and gzip as a simulator that builds documents on use', async () => {
    const cold = await startSimulator(OPTIONS);
    const port = Number(new URL(cold.url).port);
    let expected;
    try {
      expected = await responses(cold);
    } finally {
      await cold.close();
    }
    // The same port: documents carry the API URL.
    const warm = await startSimulator({ ...OPTIONS, port, warm: ['search', 'rest', 'graphql'] });
    try {
      assert.deepEqual(warm.warmed.parts, ['search', 'rest', 'graphql']);
      assert.equal(warm.warmed.repositories, OPTIONS.repositories);
      assert.ok(warm.warmed.ms >= 0);
      const actual = await responses(warm);
      assert.equal(actual.length, expected.length);
      for (let i = 0; i < expected.length; i++) assert.deepEqual(actual[i], expected[i], expected[i].what);
      assert.ok(actual.some((r) => r.encoding === 'gzip'), 'documents of 1 KB or more are sent compressed');
      assert.ok(actual.some((r) => r.status === 404), 'a repository without README still answers 404');
      // A conditional request on a warmed document is still free.
      const repo = warm.corpus.repositories[0];
      const agent = new http.Agent({ keepAlive: false });
      const first = await getWith(`${warm.url}/repos/${repo.fullName}`, { token: warm.tokens[0], headers: GZIP, agent });
      const again = await getWith(`${warm.url}/repos/${repo.fullName}`, { token: warm.tokens[0], headers: { ...GZIP, 'if-none-match': first.headers.etag }, agent });
      assert.equal(again.status, 304);
    } finally {
      await warm.close();
    }
  });

  it('rejects an unknown part', async () => {
    await assert.rejects(startSimulator({ ...OPTIONS, warm: ['search', 'everything'] }), /unknown warm part 'everything'/);
  });

  it('is offered by the CLI: --warm=PARTS, reported on the first line; a bad part exits 2', () => {
    const bad = spawnSync(process.execPath, [CLI, '--repos=50', '--warm=nope'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^simulator: unknown warm part 'nope'/);
  });
});

describe('simulator: reset', () => {
  it('gives the next client a fresh start: buckets, counters, faults and search results', async () => {
    const sim = await startSimulator({ ...OPTIONS, limits: { search: 3 }, faults: { http502: 0 }, warm: ['search'] });
    try {
      const token = sim.tokens[0];
      const search = (q) => getWith(`${sim.url}/search/repositories?q=${encodeURIComponent(q)}&per_page=5`, { token });
      const before = (await search('stars:>5')).json();
      await search('stars:>6');
      await search('stars:>7');
      assert.equal((await search('stars:>8')).status, 403, 'the search bucket is empty');
      sim.setFaults({ http502: 1 });
      assert.ok(sim.stats().requests >= 4);

      const res = await post(`${sim.url}/_simulator/reset`, '');
      assert.equal(res.status, 200);
      assert.deepEqual(res.json(), { ok: true });
      assert.equal(sim.stats().requests, 0);
      assert.equal(sim.stats().wasted, 0);
      assert.equal(sim.rateLimit(token, 'search').remaining, 3);
      const after = await search('stars:>5');
      assert.equal(after.status, 200, 'the initial faults (no 502) are back');
      assert.deepEqual(after.json(), before);
      assert.equal(sim.stats().requests, 1);
    } finally {
      await sim.close();
    }
  });

  it('sees the corpus as it is now: a changed repository stays changed', async () => {
    const sim = await startSimulator({ ...OPTIONS, warm: ['rest'] });
    try {
      const token = sim.tokens[0];
      const repo = sim.corpus.repositories[5];
      const url = `${sim.url}/repos/${repo.fullName}`;
      const before = await getWith(url, { token, headers: GZIP });
      sim.corpus.update(repo.fullName, { stars: repo.stars + 1000 });
      sim.reset();
      const after = await getWith(url, { token, headers: GZIP });
      assert.notEqual(after.headers.etag, before.headers.etag);
      assert.equal(after.json().stargazers_count, repo.stars);
    } finally {
      await sim.close();
    }
  });
});
