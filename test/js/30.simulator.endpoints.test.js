import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import zlib from 'node:zlib';

import { get } from '../simulator/client.js';
import { Corpus, startSimulator } from '../simulator/index.js';

let sim;
let token;
before(async () => {
  sim = await startSimulator({ seed: 11, repositories: 2000, tokens: 1 });
  token = sim.tokens[0];
});
after(() => sim.close());

const withReadme = () => sim.corpus.repositories.find((repo) => repo.readme === 'README.md' && repo.language === 'Python');

describe('simulator: corpus', () => {
  it('is deterministic from the seed and realistic in spread', () => {
    const a = new Corpus({ seed: 5, repositories: 500 });
    const b = new Corpus({ seed: 5, repositories: 500 });
    const c = new Corpus({ seed: 6, repositories: 500 });
    const names = (corpus) => corpus.repositories.map((repo) => repo.fullName);
    assert.deepEqual(names(a), names(b));
    assert.notDeepEqual(names(a), names(c));
    const repos = sim.corpus.repositories;
    const years = new Set(repos.map((repo) => new Date(repo.createdAt).getUTCFullYear()));
    for (let year = 2008; year <= 2025; year++) assert.ok(years.has(year), String(year));
    assert.ok(repos.some((repo) => repo.description === null));
    assert.ok(repos.some((repo) => /[\u{1F300}-\u{1FAFF}]/u.test(repo.description ?? '')));
    assert.ok(repos.some((repo) => (repo.description ?? '').includes('\\')));
    assert.ok(repos.some((repo) => repo.license === null) && repos.some((repo) => repo.license?.spdx_id === 'MIT'));
    assert.ok(repos.some((repo) => repo.topics.length >= 13));
    assert.ok(repos.some((repo) => repo.stars > 10_000) && repos.filter((repo) => repo.stars < 10).length > 200);
    const ids = repos.map((repo) => repo.id);
    assert.equal(new Set(ids).size, ids.length);
  });
});

describe('simulator: repository endpoints', () => {
  it('GET /repos/{owner}/{repo} returns the full repository, case-insensitively; unknown is 404', async () => {
    const repo = sim.corpus.repositories[10];
    const res = await get(`${sim.url}/repos/${repo.fullName.toUpperCase()}`, { token });
    assert.equal(res.status, 200);
    const body = res.json();
    assert.equal(body.id, repo.id);
    assert.equal(body.full_name, repo.fullName);
    assert.equal(typeof body.subscribers_count, 'number');
    assert.equal(body.languages_url, `${sim.url}/repos/${repo.fullName}/languages`);
    const missing = await get(`${sim.url}/repos/nobody/nothing`, { token });
    assert.equal(missing.status, 404);
    assert.equal(missing.json().message, 'Not Found');
    assert.equal((await get(`${sim.url}/repositories/${repo.id}`, { token })).json().full_name, repo.fullName);
  });

  it('GET .../languages lists bytes per language, the primary language first', async () => {
    const repo = withReadme();
    const languages = (await get(`${sim.url}/repos/${repo.fullName}/languages`, { token })).json();
    assert.equal(Object.keys(languages)[0], 'Python');
    assert.ok(Object.values(languages).every((bytes) => Number.isInteger(bytes) && bytes > 0));
  });

  it('GET .../readme is JSON with base64 content by default, raw markdown with the raw media type', async () => {
    const repo = withReadme();
    const json = await get(`${sim.url}/repos/${repo.fullName}/readme`, { token });
    const envelope = json.json();
    assert.equal(envelope.encoding, 'base64');
    assert.equal(envelope.name, 'README.md');
    const decoded = Buffer.from(envelope.content, 'base64').toString('utf8');
    assert.equal(Buffer.byteLength(decoded), envelope.size);
    for (const accept of ['application/vnd.github.raw', 'application/vnd.github.raw+json']) {
      const raw = await get(`${sim.url}/repos/${repo.fullName}/readme`, { token, headers: { accept } });
      assert.equal(raw.status, 200);
      assert.match(raw.headers['content-type'], /^application\/vnd\.github\.raw/);
      assert.equal(raw.text(), decoded);
      assert.notEqual(raw.headers.etag, json.headers.etag);
    }
    assert.match(decoded, /^# /m);
    let shields = 0;  // READMEs carry badge images (CI, coverage, package versions, license, downloads)
    for (const r of sim.corpus.repositories.filter((repo) => repo.readme).slice(0, 60)) {
      const text = (await get(`${sim.url}/repos/${r.fullName}/readme`, { token, headers: { accept: 'application/vnd.github.raw' } })).text();
      if (/\[!\[[^\]]*\]\(https:\/\/(img\.shields\.io|github\.com\/.*badge\.svg|codecov\.io)/.test(text)) shields++;
    }
    assert.ok(shields > 10, String(shields));
    const none = sim.corpus.repositories.find((r) => r.readme === null);
    assert.equal((await get(`${sim.url}/repos/${none.fullName}/readme`, { token })).status, 404);
  });

  it('GET .../community/profile has health_percentage and the files', async () => {
    const repo = sim.corpus.repositories.find((r) => r.license && r.community.contributing && r.readme);
    const profile = (await get(`${sim.url}/repos/${repo.fullName}/community/profile`, { token })).json();
    assert.ok(profile.health_percentage > 0 && profile.health_percentage <= 100);
    for (const key of ['code_of_conduct', 'contributing', 'issue_template', 'pull_request_template', 'license', 'readme']) {
      assert.ok(key in profile.files, key);
    }
    assert.equal(profile.files.license.spdx_id, repo.license.spdx_id);
    assert.ok(profile.files.contributing.html_url);
  });

  it('GET /user names the token\'s user', async () => {
    const user = (await get(`${sim.url}/user`, { token })).json();
    assert.equal(user.login, sim.users[0].login);
    assert.equal(user.id, sim.users[0].id);
  });

  it('gzips responses over 1 KB when asked, and not otherwise', async () => {
    const path = `${sim.url}/search/repositories?q=stars:>10&per_page=20`;
    const zipped = await get(path, { token, headers: { 'accept-encoding': 'gzip, deflate' } });
    assert.equal(zipped.headers['content-encoding'], 'gzip');
    assert.equal(Number(zipped.headers['content-length']), zipped.body.length);
    const plain = await get(path, { token });
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.deepEqual(zlib.gunzipSync(zipped.body), plain.body);
    const small = await get(`${sim.url}/repos/${sim.corpus.repositories[0].fullName}/languages`, { token, headers: { 'accept-encoding': 'gzip' } });
    assert.equal(small.headers['content-encoding'], undefined);
  });
});
