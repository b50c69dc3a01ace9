import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { get, parseLink } from '../simulator/client.js';
import { startSimulator } from '../simulator/index.js';
import { comparatorFor, compileQuery } from '../simulator/search-query.js';

let sim;
let token;
before(async () => {
  sim = await startSimulator({ seed: 7, repositories: 3000, tokens: 2, limits: { search: 100_000 } });
  token = sim.tokens[0];
});
after(() => sim.close());

const search = (params) => get(`${sim.url}/search/repositories?${new URLSearchParams(params)}`, { token });

async function all(q) {
  const items = [];
  for (let page = 1; ; page++) {
    const res = await search({ q, per_page: 100, page });
    assert.equal(res.status, 200, res.text());
    const body = res.json();
    items.push(...body.items);
    if (!parseLink(res.headers.link).next) return { total: body.total_count, items };
  }
}

describe('simulator: GET /search/repositories', () => {
  it('answers GitHub\'s shape: total_count, incomplete_results, items of several KB', async () => {
    const body = (await search({ q: 'topic:react', per_page: 5 })).json();
    assert.equal(typeof body.total_count, 'number');
    assert.equal(body.incomplete_results, false);
    assert.equal(body.items.length, 5);
    const item = body.items[0];
    for (const field of ['id', 'node_id', 'name', 'full_name', 'owner', 'html_url', 'description', 'fork', 'url',
      'languages_url', 'created_at', 'updated_at', 'pushed_at', 'homepage', 'size', 'stargazers_count', 'watchers_count',
      'language', 'forks_count', 'open_issues_count', 'license', 'topics', 'visibility', 'default_branch', 'archived',
      'disabled', 'has_issues', 'score']) {
      assert.ok(field in item, field);
    }
    assert.equal(item.owner.login, item.full_name.split('/')[0]);
    assert.ok(JSON.stringify(item).length > 4000);
  });

  it('filters by topic, language, stars, fork and archived qualifiers', async () => {
    const { items } = await all('topic:machine-learning language:python stars:>=50 archived:false');
    assert.ok(items.length > 10);
    for (const item of items) {
      assert.ok(item.topics.includes('machine-learning'));
      assert.equal(item.language, 'Python');
      assert.ok(item.stargazers_count >= 50);
      assert.equal(item.archived, false);
      assert.equal(item.fork, false);  // forks are excluded by default, as on GitHub
    }
    const forks = await all('fork:only stars:>100');
    assert.ok(forks.items.length > 0 && forks.items.every((item) => item.fork));
    const both = (await search({ q: 'stars:>100 fork:true' })).json().total_count;
    const without = (await search({ q: 'stars:>100' })).json().total_count;
    assert.equal(both, without + forks.total);
  });

  it('understands star ranges: >N, >=N, <N, <=N, N..M, N..*', async () => {
    const count = async (q) => (await search({ q, per_page: 1 })).json().total_count;
    const below = await count('stars:<100');
    const atLeast = await count('stars:>=100');
    assert.equal(below + atLeast, await count('stars:>=0'));
    assert.equal(await count('stars:10..99'), (await count('stars:<=99')) - (await count('stars:<10')));
    assert.equal(await count('stars:>99'), atLeast);
    assert.equal(await count('stars:100..*'), atLeast);
    const { items } = await all('stars:10..20');
    assert.ok(items.every((item) => item.stargazers_count >= 10 && item.stargazers_count <= 20));
  });

  it('matches language aliases and repeated language qualifiers as OR', async () => {
    const count = async (q) => (await search({ q, per_page: 1 })).json().total_count;
    assert.equal(await count('language:cpp'), await count('language:"C++"'));
    assert.equal(await count('language:go language:rust'), (await count('language:go')) + (await count('language:rust')));
  });

  it('partitions by created: ranges (disjoint ranges add up to the total), dates and datetimes', async () => {
    const count = async (q) => (await search({ q, per_page: 1 })).json().total_count;
    const total = await count('stars:>=0');
    const parts = await Promise.all([
      'created:<2015-01-01', 'created:2015-01-01..2019-12-31', 'created:>=2020-01-01T00:00:00Z created:<2022-07-01',
      'created:2022-07-01..*',
    ].map((range) => count(`stars:>=0 ${range}`)));
    assert.ok(parts.every((n) => n > 0), String(parts));
    assert.equal(parts.reduce((a, b) => a + b, 0), total);
    const { items } = await all('created:2016-03-01..2016-05-31');
    assert.ok(items.every((item) => item.created_at >= '2016-03-01' && item.created_at < '2016-06-01'));
    assert.equal(await count('created:>2016-03-01'), await count('created:>=2016-03-02'));
    assert.equal(await count('pushed:>=2025-01-01') + await count('pushed:<2025-01-01'), total);
  });

  it('matches free-text words against name, description and topics', async () => {
    const { items } = await all('dashboard');
    assert.ok(items.length > 0);
    for (const item of items) {
      const haystack = `${item.name} ${item.description ?? ''} ${item.topics.join(' ')}`.toLowerCase();
      assert.ok(haystack.includes('dashboard'), item.full_name);
    }
    const named = await all('dashboard in:name');
    assert.ok(named.items.every((item) => item.name.toLowerCase().includes('dashboard')));
  });

  it('pages with per_page (max 100) and a Link header with prev, next, last and first', async () => {
    const first = await search({ q: 'stars:>=0', per_page: 30 });
    const links = parseLink(first.headers.link);
    assert.deepEqual(Object.keys(links).sort(), ['last', 'next']);
    assert.match(links.next, /page=2/);
    assert.match(links.last, /page=34/);  // capped at the first 1000 results
    const second = await get(links.next, { token });
    const secondLinks = parseLink(second.headers.link);
    assert.deepEqual(Object.keys(secondLinks).sort(), ['first', 'last', 'next', 'prev']);
    const ids = new Set([...first.json().items, ...second.json().items].map((item) => item.id));
    assert.equal(ids.size, 60);  // no overlap between pages
    assert.equal((await search({ q: 'stars:>=0', per_page: 500 })).json().items.length, 100);
  });

  it('sorts deterministically: best match and sort=stars are stars desc, sort=updated&order=asc works', async () => {
    const { items } = (await search({ q: 'topic:docker', per_page: 100 })).json();
    for (let i = 1; i < items.length; i++) assert.ok(items[i - 1].stargazers_count >= items[i].stargazers_count);
    const asc = (await search({ q: 'topic:docker', per_page: 100, sort: 'updated', order: 'asc' })).json().items;
    for (let i = 1; i < asc.length; i++) assert.ok(asc[i - 1].updated_at <= asc[i].updated_at);
  });

  it('refuses pages beyond the first 1000 results with 422', async () => {
    assert.ok((await search({ q: 'stars:>=0', per_page: 1 })).json().total_count > 1000);
    assert.equal((await search({ q: 'stars:>=0', per_page: 100, page: 10 })).status, 200);
    const res = await search({ q: 'stars:>=0', per_page: 100, page: 11 });
    assert.equal(res.status, 422);
    assert.equal(res.json().message, 'Only the first 1000 search results are available');
  });

  it('answers 422 Validation Failed for a missing q or a malformed qualifier', async () => {
    assert.equal((await search({ per_page: 1 })).status, 422);
    const res = await search({ q: 'created:>=2020-13-45x' });
    assert.equal(res.status, 422);
    assert.equal(res.json().message, 'Validation Failed');
  });
});

describe('simulator: search index, result and gzip caches follow corpus updates', () => {
  let own;
  before(async () => {
    own = await startSimulator({ seed: 11, repositories: 2000, tokens: 1, limits: { search: 100_000, core: 100_000 } });
  });
  after(() => own.close());
  const find = (params) => get(`${own.url}/search/repositories?${new URLSearchParams(params)}`, { token: own.tokens[0] });
  const gzipped = (path) => get(`${own.url}${path}`, { token: own.tokens[0], headers: { 'accept-encoding': 'gzip' } });

  it('answers what a scan of the whole corpus answers, for indexed and unindexed qualifiers', async () => {
    const queries = [
      'topic:react', 'topic:react stars:>=10 created:2019-01-01T00:00:00Z..2021-06-30T12:00:00Z', 'language:python language:go',
      '-topic:react language:Rust', 'NOT language:Python topic:docker', 'stars:>100 created:<2015-01-01', 'created:2020-02-02',
      `user:${own.corpus.repositories[5].owner.login.toUpperCase()}`, `repo:${own.corpus.repositories[9].fullName}`, 'topic:nothing-like-this',
    ];
    for (const q of queries) {
      const { match } = compileQuery(q);
      const expected = own.corpus.repositories.filter(match).sort(comparatorFor(undefined, undefined)).map((repo) => repo.id);
      const res = await find({ q, per_page: 100 });
      assert.equal(res.status, 200, q);
      const body = res.json();
      assert.equal(body.total_count, expected.length, q);
      assert.deepEqual(body.items.map((item) => item.id), expected.slice(0, 100), q);
    }
  });

  it('sees an update of topics, language and created_at (even out of created order) at once', async () => {
    const repo = own.corpus.repositories[1500];
    assert.equal((await find({ q: 'topic:zz-fresh-topic' })).json().total_count, 0);
    assert.equal((await find({ q: 'topic:zz-fresh-topic created:2008-01-01..2008-01-02' })).json().total_count, 0);
    own.corpus.update(repo.fullName, { topics: ['zz-fresh-topic'], language: 'Zig', createdAt: Date.UTC(2008, 0, 1, 12), fork: false });
    const fresh = (await find({ q: 'topic:zz-fresh-topic' })).json();
    assert.deepEqual(fresh.items.map((item) => item.id), [repo.id]);
    const ranged = (await find({ q: 'topic:zz-fresh-topic language:zig created:2008-01-01..2008-01-02' })).json();
    assert.deepEqual(ranged.items.map((item) => item.id), [repo.id]);
    assert.ok((await find({ q: 'language:zig' })).json().items.some((item) => item.id === repo.id));
  });

  it('serves a gzip body decoding to the current document, before and after an update', async () => {
    const repo = own.corpus.repositories[1700];
    const first = await gzipped(`/repos/${repo.fullName}`);
    const again = await gzipped(`/repos/${repo.fullName}`);
    assert.equal(first.headers['content-encoding'], 'gzip');
    assert.equal(first.headers.etag, again.headers.etag);
    assert.equal(first.text(), again.text());
    own.corpus.update(repo.fullName, { stars: 424242 });
    const updated = await gzipped(`/repos/${repo.fullName}`);
    assert.notEqual(updated.headers.etag, first.headers.etag);
    assert.equal(updated.json().stargazers_count, 424242);
    const plain = await get(`${own.url}/repos/${repo.fullName}`, { token: own.tokens[0] });
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.text(), updated.text());
    assert.equal(plain.headers.etag, updated.headers.etag);
  });
});
