// Search drift (faults.drift): repositories gain stars between search pages, so a
// client paging a query in order misses some and sees others twice, as on GitHub.
// Everything goes through the HTTP server.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { get, parseLink, post } from '../simulator/client.js';
import { startSimulator } from '../simulator/index.js';

const QUERY = 'stars:>=100';
const PER_PAGE = 50;

let sim;
let token;
before(async () => {
  sim = await startSimulator({ seed: 11, repositories: 2000, tokens: 1, limits: { search: 100_000 } });
  token = sim.tokens[0];
});
after(() => sim.close());

const searchUrl = (simulator, params) => `${simulator.url}/search/repositories?${new URLSearchParams(params)}`;

/** A naive client: pages 1, 2, ... in order until no next link; every item's id, in order, and the totals it saw. */
async function pageInOrder(simulator, params) {
  const ids = [];
  const totals = [];
  for (let page = 1; ; page++) {
    const res = await get(searchUrl(simulator, { ...params, page }), { token: simulator.tokens[0] });
    assert.equal(res.status, 200, res.text());
    const body = res.json();
    ids.push(...body.items.map((item) => item.id));
    totals.push(body.total_count);
    if (!parseLink(res.headers.link).next) return { ids, totals };
  }
}

/** What matches now, in one go (drift off while it pages). */
async function matchesNow(simulator, q) {
  const drift = simulator.stats().drift;
  simulator.setDrift(null);
  const { ids } = await pageInOrder(simulator, { q, sort: 'stars', order: 'desc', per_page: 100 });
  assert.equal(simulator.stats().drift.events, drift.events);
  return ids;
}

/** A drifted run from a fresh simulator: what the pager saw, what matches at the end, the stats. */
async function driftedRun(drift) {
  const other = await startSimulator({ seed: 11, repositories: 2000, tokens: 1, limits: { search: 100_000 }, drift });
  try {
    const seen = await pageInOrder(other, { q: QUERY, sort: 'stars', order: 'desc', per_page: PER_PAGE });
    const stats = other.stats().drift;
    return { seen, end: await matchesNow(other, QUERY), stats };
  } finally {
    await other.close();
  }
}

describe('simulator: search drift', () => {
  it('is off by default: paging a query in order sees every match exactly once', async () => {
    const { ids, totals } = await pageInOrder(sim, { q: QUERY, sort: 'stars', order: 'desc', per_page: PER_PAGE });
    assert.equal(new Set(ids).size, ids.length);
    assert.deepEqual(ids, await matchesNow(sim, QUERY));
    assert.equal(new Set(totals).size, 1);
    assert.deepEqual(sim.stats().drift, { events: 0, moves: 0, repositories: 0, ids: [] });
  });

  it('makes an in-order pager over sort=stars miss repositories that match at the end and see others twice, the same for the same seed', async (t) => {
    const drift = { every: 1, count: 1, floorShare: 0 };
    const run = await driftedRun(drift);
    const seen = new Set(run.seen.ids);
    const missed = run.end.filter((id) => !seen.has(id));
    const twice = run.seen.ids.filter((id, i) => run.seen.ids.indexOf(id) !== i);
    assert.ok(missed.length >= 1, 'a repository that matches at the end was never served');
    assert.ok(twice.length >= 1, 'a repository was served twice');
    t.diagnostic(`${run.seen.totals.length} pages of ${PER_PAGE}: ${missed.length} missed, ${twice.length} served twice, ${run.end.length} match at the end`);
    // Every miss is a repository that moved, and the simulator says which moved.
    for (const id of missed) assert.ok(run.stats.ids.includes(id), `${id} missed without moving`);
    const pages = run.seen.totals.length;
    assert.deepEqual({ events: run.stats.events, moves: run.stats.moves }, { events: pages - 1, moves: pages - 1 },
      'a move after each served page but the last, which has no page after it to climb from');
    assert.equal(run.stats.repositories, run.stats.ids.length);
    // No riser here: the matches stay the same repositories, reordered.
    assert.equal(run.end.length, run.seen.totals[0]);
    assert.deepEqual(new Set(run.seen.totals), new Set([run.end.length]));
    assert.equal(seen.size + missed.length, run.end.length);

    assert.deepEqual(await driftedRun(drift), run, 'deterministic from the seed and the requests');
  });

  it('lifts repositories just below a stars: floor over it: total_count follows the current matches', async () => {
    const run = await driftedRun({ every: 1, count: 1, floorShare: 1 });
    const [first] = run.seen.totals;
    assert.deepEqual(run.seen.totals, run.seen.totals.map((_, i) => first + i), 'one more match after each page');
    assert.equal(run.end.length, first + run.seen.totals.length);
    const risen = run.end.filter((id) => !run.seen.ids.includes(id));
    assert.ok(risen.length >= 1);
    for (const id of risen) assert.ok(run.stats.ids.includes(id));
  });

  it('changes a moved repository everywhere: REST document and ETag, GraphQL, search items and sort=updated', async () => {
    const other = await startSimulator({ seed: 11, repositories: 2000, tokens: 1, limits: { search: 100_000 } });
    try {
      const t = other.tokens[0];
      const page1 = (await get(searchUrl(other, { q: QUERY, sort: 'stars', per_page: 20 }), { token: t })).json();
      // The REST documents of pages 3-4, where the next drift takes its climber from.
      const later = (await get(searchUrl(other, { q: QUERY, sort: 'stars', per_page: 40, page: 2 }), { token: t })).json().items;
      const etags = new Map();
      for (const item of later) etags.set(item.id, (await get(`${other.url}/repositories/${item.id}`, { token: t })).headers.etag);
      // Drift on from now: serving page 2 moves one repository from pages 3-4 onto pages 1-2.
      other.setDrift({ count: 1, floorShare: 0 });
      const page2 = (await get(searchUrl(other, { q: QUERY, sort: 'stars', per_page: 20, page: 2 }), { token: t })).json();
      other.setDrift(null);
      const [id] = other.stats().drift.ids;
      const repo = other.corpus.byId.get(id);
      assert.ok(etags.has(id), 'it came from a later page');
      assert.ok(![...page1.items, ...page2.items].some((item) => item.id === id));

      const stale = await get(`${other.url}/repositories/${id}`, { token: t, headers: { 'if-none-match': etags.get(id) } });
      assert.equal(stale.status, 200, 'its ETag changed');
      assert.equal(stale.json().stargazers_count, repo.stars);
      assert.ok(stale.json().updated_at > '2025-06-30T12:00:00Z', 'updated_at moved past the corpus\' end');
      assert.ok(repo.stars > page2.items.at(-1).stargazers_count, 'now ahead of page 2\'s last repository');
      const fresh = await get(`${other.url}/repositories/${id}`, { token: t, headers: { 'if-none-match': stale.headers.etag } });
      assert.equal(fresh.status, 304);
      const graphql = await post(`${other.url}/graphql`, { query: `{ node(id: "${repo.node_id}") { ... on Repository { stargazerCount } } }` }, { token: t });
      assert.equal(graphql.json().data.node.stargazerCount, repo.stars);
      const front = (await get(searchUrl(other, { q: QUERY, sort: 'stars', per_page: 40 }), { token: t })).json();
      const item = front.items.find((i) => i.id === id);
      assert.ok(item, 'now on the first 40');
      assert.equal(item.stargazers_count, repo.stars);
      const updated = (await get(searchUrl(other, { q: QUERY, sort: 'updated', per_page: 1 }), { token: t })).json();
      assert.equal(updated.items[0].id, id, 'the most recently updated');
    } finally {
      await other.close();
    }
  });

  it('drifts only every N-th served page with drift.every, by `gain` stars when given', async () => {
    const other = await startSimulator({ seed: 11, repositories: 2000, tokens: 1, limits: { search: 100_000 }, drift: { every: 3, count: 2, gain: 7, floorShare: 0 } });
    try {
      const stars = new Map(other.corpus.repositories.map((repo) => [repo.id, repo.stars]));
      for (let page = 1; page <= 6; page++) {
        await get(searchUrl(other, { q: QUERY, sort: 'stars', per_page: 30, page }), { token: other.tokens[0] });
      }
      const drift = other.stats().drift;
      assert.deepEqual([drift.events, drift.moves], [2, 4]);
      for (const id of drift.ids) assert.equal(other.corpus.byId.get(id).stars, stars.get(id) + 7);
      assert.throws(() => other.setDrift({ every: 0 }), /every must be an integer >= 1/);
    } finally {
      await other.close();
    }
  });
});
