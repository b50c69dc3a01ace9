// Broken repositories (faults.broken): a pathological repository whose details GitHub
// cannot build within its 10 seconds, on either API, while search still lists it; and
// GitHub's two timeout answers as REST faults. Everything goes through the HTTP server.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { cleanEnv, root } from '../support/helpers.js';
import { get, post } from '../simulator/client.js';
import { Corpus, startSimulator } from '../simulator/index.js';

const REST_TIMEOUT = 'We couldn\'t respond to your request in time. Sorry about that. Please try resubmitting your request and contact us if the problem persists.';
const DETAIL_PATHS = ['', '/languages', '/readme', '/community/profile'];
const SMALL_QUERY = 'query($ids: [ID!]!) { nodes(ids: $ids) { ... on Repository { databaseId } } }';

let sim;
let token;
let broken;
let healthy;
before(async () => {
  sim = await startSimulator({ seed: 4, repositories: 1500, tokens: 1 });
  token = sim.tokens[0];
  // One with a README, so that /readme would otherwise answer 200.
  [broken, healthy] = sim.corpus.repositories.filter((repo) => repo.readme && !repo.fork).slice(10, 12);
});
after(() => sim.close());

const rest = (suffix) => get(`${sim.url}${suffix}`, { token });
const coreUsed = () => sim.rateLimit(token, 'core').used;
const graphqlNodes = (repos) => post(`${sim.url}/graphql`, { query: SMALL_QUERY, variables: { ids: repos.map((repo) => repo.node_id) } }, { token });

describe('simulator: broken repositories', () => {
  it('answers every REST detail endpoint of a broken repository 502 (JSON form), not charged, and the others 200', async () => {
    sim.setBroken({ ids: [broken.id], form: 'json' });
    const before = { used: coreUsed(), rest: sim.stats().broken.rest };
    for (const suffix of [...DETAIL_PATHS.map((p) => `/repos/${broken.fullName}${p}`), `/repositories/${broken.id}`]) {
      const res = await rest(suffix);
      assert.equal(res.status, 502, suffix);
      assert.match(res.headers['content-type'], /^application\/json/);
      assert.equal(res.json().message, REST_TIMEOUT);
      assert.match(res.headers['x-github-request-id'], /^[0-9A-F]{4}:[0-9A-F]{4}:[0-9A-F]{6}:[0-9A-F]{6}:[0-9A-F]{8}$/);
    }
    assert.equal(coreUsed(), before.used, 'timeouts of REST requests are not charged');
    assert.equal(sim.stats().broken.rest, before.rest + 5);
    for (const p of DETAIL_PATHS) assert.equal((await rest(`/repos/${healthy.fullName}${p}`)).status, 200, p);
  });

  it('answers 504 with nginx\'s page in the HTML form, after the delay', async () => {
    sim.setBroken({ ids: [broken.id], form: 'html', delayMs: 40 });
    const started = Date.now();
    const res = await rest(`/repos/${broken.fullName}/languages`);
    assert.ok(Date.now() - started >= 35);
    assert.equal(res.status, 504);
    assert.equal(res.headers['content-type'], 'text/html');
    assert.match(res.text(), /<title>504 Gateway Time-out<\/title>[\s\S]*<center>nginx<\/center>/);
  });

  it('still lists a broken repository in REST and GraphQL search', async () => {
    sim.setBroken([broken.id]);
    const found = (await rest(`/search/repositories?q=${encodeURIComponent(`repo:${broken.fullName}`)}`)).json();
    assert.equal(found.total_count, 1);
    assert.equal(found.items[0].id, broken.id);
    const listed = await post(`${sim.url}/graphql`, {
      query: `{ search(query: "repo:${broken.fullName}", type: REPOSITORY, first: 5) { repositoryCount nodes { ... on Repository { databaseId stargazerCount } } } }`,
    }, { token });
    assert.equal(listed.status, 200);
    assert.equal(listed.json().data.search.nodes[0].databaseId, broken.id);
  });

  it('times out any GraphQL query that reads it, however small, charged; a query without it answers', async () => {
    sim.setBroken({ ids: [broken.id], form: 'json' });
    const before = { used: sim.rateLimit(token, 'graphql').used, timeouts: sim.stats().graphqlTimeouts, broken: sim.stats().broken.graphql };
    const res = await graphqlNodes([healthy, broken]);
    assert.equal(res.status, 502);
    assert.equal(res.json().data, null);
    assert.match(res.json().errors[0].message, /^Something went wrong while executing your query\. This may be the result of a timeout/);
    const byName = await post(`${sim.url}/graphql`, { query: `{ r0: repository(owner: "${broken.owner.login}", name: "${broken.name}") { id } }` }, { token });
    assert.equal(byName.status, 502);
    assert.equal(sim.rateLimit(token, 'graphql').used, before.used + 2, 'charged like any timeout');
    const stats = sim.stats();
    assert.equal(stats.graphqlTimeouts, before.timeouts + 2);
    assert.equal(stats.broken.graphql, before.broken + 2);
    const ok = await graphqlNodes([healthy]);
    assert.equal(ok.status, 200);
    assert.equal(ok.json().data.nodes[0].databaseId, healthy.id);
  });

  it('picks a seeded share of the corpus with broken.rate, the same on every run', async () => {
    const brokenOf = async () => {
      const other = await startSimulator({ seed: 9, repositories: 200, tokens: 1, broken: { rate: 0.1, form: 'html' } });
      const statuses = [];
      for (const repo of other.corpus.repositories.slice(0, 60)) {
        statuses.push((await get(`${other.url}/repos/${repo.fullName}`, { token: other.tokens[0] })).status);
      }
      await other.close();
      return statuses;
    };
    const first = await brokenOf();
    assert.deepEqual(await brokenOf(), first);
    assert.ok(first.filter((s) => s === 504).length >= 2, String(first));
    assert.ok(first.filter((s) => s === 200).length >= 40, String(first));
  });

  it('is off by default and with setBroken(null)', async () => {
    sim.setBroken(null);
    assert.equal((await rest(`/repos/${broken.fullName}`)).status, 200);
    assert.equal((await graphqlNodes([broken])).status, 200);
  });
});

describe('simulator: 502json and 504html faults on REST', () => {
  it('answers a queued 502json with GitHub\'s REST timeout JSON and a 504html with nginx\'s page, not charged', async () => {
    const repoPath = `/repos/${healthy.fullName}`;
    sim.setFaults({ next: [{ path: repoPath, kind: '502json' }, { path: repoPath, kind: '504html' }] });
    const before = coreUsed();
    const json = await rest(repoPath);
    assert.equal(json.status, 502);
    assert.equal(json.json().message, REST_TIMEOUT);
    const html = await rest(repoPath);
    assert.equal(html.status, 504);
    assert.equal(html.headers['content-type'], 'text/html');
    assert.equal(coreUsed(), before);
    assert.equal((await rest(repoPath)).status, 200);
    sim.setFaults({});
  });

  it('rejects an unknown fault kind', () => {
    assert.throws(() => sim.queueFault({ path: '/user', kind: '504json' }), /unknown fault kind/);
  });
});

describe('node test/simulator/cli.js misbehaviour flags', () => {
  it('turns on --graphql-budget, --broken and --drift', async () => {
    const victim = new Corpus({ seed: 4, repositories: 400 }).repositories[3];
    const cli = spawn(process.execPath, [path.join(root, 'test/simulator/cli.js'), '--port=0', '--tokens=1', '--repos=400', '--seed=4',
      '--graphql-budget={"work":5,"form":"json"}', `--broken=${victim.id}`, '--drift=on'], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const line = await new Promise((resolve, reject) => {
        let stdout = '';
        cli.stdout.on('data', (chunk) => {
          stdout += chunk;
          if (stdout.includes('\n')) resolve(stdout.split('\n')[0]);
        });
        cli.once('exit', (code) => reject(new Error(`exited ${code} before printing`)));
      });
      const { url, tokens } = JSON.parse(line);
      const send = (query) => post(`${url}/graphql`, { query }, { token: tokens[0] });
      assert.equal((await get(`${url}/repos/${victim.fullName}`, { token: tokens[0] })).status, 502, 'broken');
      const healthy = new Corpus({ seed: 4, repositories: 400 }).repositories[4];
      const fields = 'id databaseId object(expression: "HEAD:") { ... on Tree { entries { name } } }';
      assert.equal((await send(`{ r0: repository(owner: "${healthy.owner.login}", name: "${healthy.name}") { ${fields} } }`)).status, 502, 'over a budget of 5');
      assert.equal((await send('{ viewer { login } }')).status, 200, 'within it');
      assert.equal((await get(`${url}/search/repositories?q=stars:>=1&sort=stars&per_page=10`, { token: tokens[0] })).status, 200);
      const stats = (await get(`${url}/_simulator/stats`)).json();
      assert.equal(stats.broken.rest, 1);
      assert.equal(stats.graphqlTimeouts, 1);
      assert.equal(stats.drift.events, 1, 'one search page served, one drift event');
    } finally {
      cli.kill('SIGTERM');
      await new Promise((resolve) => cli.once('exit', resolve));
    }
  });

  it('rejects a malformed flag with exit 2', async () => {
    for (const flag of ['--graphql-budget={"form":"xml"}', '--broken=abc', '--drift={"every":0}']) {
      const child = spawn(process.execPath, [path.join(root, 'test/simulator/cli.js'), '--repos=100', flag], { env: cleanEnv(), stdio: 'ignore' });
      assert.equal(await new Promise((resolve) => child.once('exit', resolve)), 2, flag);
    }
  });
});
