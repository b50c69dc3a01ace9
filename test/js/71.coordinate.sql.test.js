// The SQL of --coordinate (js/coordinate/coordination.sql) against a real PostgreSQL:
// several hosts racing for the same repositories, queries and users each get a thing
// once, leases follow heartbeats, and a dead host's work goes to the living.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { CoordinatedJob } from '../../js/coordinate/job.js';
import { openPostgresSink } from '../../js/storage/sink-postgres.js';
import { createTestSchema, schemaDatabaseUrl } from '../support/test-database.js';

let db;
let url;
const opened = [];

function host(name, options = {}) {
  const job = new CoordinatedJob({ connectionString: url, host: name, ttlMs: 60_000, ...options });
  opened.push(job);
  return job;
}

// A host's heartbeat ends now: what kill -9 leaves behind once its TTL passes.
const expire = (name) => db.query("UPDATE coord_hosts SET expires_at = now() - interval '1 second' WHERE host = $1", [name]);

const LOGINS = Array.from({ length: 10 }, (_, i) => `user${i}`);
const state = (remaining) => ({ buckets: [{ resource: 'search', limit: 30, remaining, reset: 2_000_000_000 }] });

async function joinedHosts(key, names, wanted = { a: 1000, b: 1000 }) {
  const hosts = names.map((name) => host(name));
  const joined = [];
  for (const h of hosts) joined.push(await h.join({ key, createdUpper: 1_700_000_000 + joined.length, wanted }));
  return { hosts, joined };
}

before(async () => {
  db = await createTestSchema('coord_sql');
  url = schemaDatabaseUrl(db.schema);
  const sink = openPostgresSink({ connectionString: url });
  await sink.ensureSchema();
  await sink.close();
  // Hosts install at the same moment: the advisory lock keeps them from failing.
  await Promise.all([host('installer-1').install(), host('installer-2').install()]);
});

after(async () => {
  await Promise.all(opened.map((job) => job.close()));
  await db.drop();
});

describe('joining', () => {
  test('hosts of one key share one job, its creation date bound and its wanted counts', async () => {
    const { joined } = await joinedHosts('join-key', ['join-1', 'join-2']);
    assert.equal(joined[0].new, true);
    assert.equal(joined[1].new, false);
    assert.equal(joined[1].job, joined[0].job);
    assert.equal(joined[1].createdUpper, 1_700_000_000, 'the first host decides the bound');
    assert.deepEqual(joined[1].wanted, { a: 1000, b: 1000 });
  });

  test('a finished job is not joined again: the next run is a new job', async () => {
    const { hosts, joined } = await joinedHosts('finish-key', ['finish-1']);
    assert.deepEqual(await hosts[0].leave(), { finished: true });
    const [again] = (await joinedHosts('finish-key', ['finish-2'])).joined;
    assert.equal(again.new, true);
    assert.notEqual(again.job, joined[0].job);
  });
});

describe('claims', () => {
  test('racing hosts claim each repository once, within the job-wide cluster room', async () => {
    const { hosts } = await joinedHosts('claim-key', ['claim-1', 'claim-2', 'claim-3'], { a: 150, b: 1000 });
    const ids = Array.from({ length: 200 }, (_, i) => 1000 + i);
    const items = (order, cluster) => order.map((id) => ({ id, nodeId: `R_${id}`, fullName: `o/r${id}`, cluster }));
    const pages = (list) => Array.from({ length: list.length / 20 }, (_, i) => list.slice(i * 20, i * 20 + 20));
    // Three hosts page through the same results in different orders, at once.
    const orders = [ids, [...ids].reverse(), [...ids.slice(100), ...ids.slice(0, 100)]];
    const accepted = await Promise.all(hosts.map(async (h, i) => {
      const mine = [];
      for (const page of pages(orders[i])) mine.push(...(await h.claim(items(page, 'a'))).accepted);
      return mine;
    }));
    const all = accepted.flat();
    assert.equal(all.length, 150, 'cluster a had room for 150');
    assert.equal(new Set(all).size, 150, 'no repository claimed twice');
    const { rows } = await db.query("SELECT claimed FROM coord_clusters WHERE cluster = 'a' AND job = (SELECT job FROM coord_hosts WHERE host = 'claim-1')");
    assert.equal(Number(rows[0].claimed), 150);
    const last = await hosts[0].claim(items([5000], 'a'));
    assert.deepEqual(last, { accepted: [], offered: [], full: ['a'] });
    // Found again by cluster b: not claimed again, but b is recorded as a finder.
    const again = await hosts[1].claim(items([all[0]], 'b'));
    assert.deepEqual(again.accepted, []);
    const finders = await db.query('SELECT finders FROM coord_claims WHERE repo_id = $1', [all[0]]);
    assert.deepEqual(finders.rows[0].finders, ['a', 'b']);
  });

  test('a host that wakes after its claims were taken over is told which ones, once', async () => {
    const { hosts: [sleeper, other] } = await joinedHosts('taken-key', ['t-1', 't-2'], { a: 1000 });
    const items = (ids, cluster = 'a') => ids.map((id) => ({ id, nodeId: `R_${id}`, fullName: `o/r${id}`, cluster }));
    assert.deepEqual((await sleeper.claim(items([8001, 8002, 8003, 8004, 8005]))).accepted, [8001, 8002, 8003, 8004, 8005]);
    // 8001 is stored before the host stalls.
    await db.query(`INSERT INTO repositories (id, full_name, owner, name, html_url, topics, stars, forks, open_issues,
      is_fork, is_archived, cluster, clusters, tech_stack, badges, is_gem)
      VALUES (8001, 'o/r8001', 'o', 'r8001', 'https://github.com/o/r8001', '{}', 1, 0, 0, false, false, 'a', '{a}', '{}', '{}', false)`);
    assert.deepEqual((await sleeper.sync({ wants: true })).taken, [], 'nothing taken from a live host');
    await expire('t-1');
    // The other host finds 8002 again (its claim moves), and adopts the rest when idle.
    assert.deepEqual((await other.claim(items([8002]))).accepted, [8002]);
    const adopted = await other.adopt([]);
    assert.deepEqual(adopted.owed.map((o) => Number(o.id)).sort(), [8003, 8004, 8005]);
    const woken = await sleeper.sync({ wants: true });
    assert.deepEqual(woken.taken.map(Number).sort(), [8002, 8003, 8004, 8005], 'every claim that moved, the stored one not');
    assert.deepEqual((await sleeper.sync({ wants: true })).taken, [], 'told once');
    assert.deepEqual((await other.sync({ wants: true })).taken, []);
  });

  test('while a host is idle, a share of each page is offered to it with its row, and taken once', async () => {
    const { hosts } = await joinedHosts('offer-key', ['o-1', 'o-2', 'o-3', 'o-4'], { a: 1000 });
    const [finder, idle, late, twin] = hosts;
    // Each host its own users, but o-4 has only o-1's: it adds no capacity to o-1's work.
    const logins = { 'o-1': ['u1', 'u2'], 'o-2': ['u3'], 'o-3': ['u4'], 'o-4': ['u1'] };
    for (const [host, list] of Object.entries(logins)) await db.query('UPDATE coord_hosts SET logins = $2 WHERE host = $1', [host, list]);
    const row = (id) => ({ id, node_id: `R_${id}`, full_name: `o/r${id}`, stars: id, topics: ['x'], description: null });
    const items = (ids) => ids.map((id) => ({ id, nodeId: `R_${id}`, fullName: `o/r${id}`, cluster: 'a', row: row(id) }));
    // Nobody idle yet: nothing offered.
    assert.deepEqual((await finder.claim(items([1, 2]))).offered, []);
    // o-4, idle, shares o-1's users only: it does not count.
    assert.deepEqual((await twin.adopt([])).owed, []);
    assert.equal((await finder.sync({ wants: true, held: {}, released: {} })).idle, 0, 'o-4 adds no user');
    assert.deepEqual((await finder.claim(items([20]))).offered, []);
    await expire('o-4');
    // o-2 has nothing to do; o-3 is busy (it never asked): half of a page goes to o-2.
    const nothing = await idle.adopt([]);
    assert.deepEqual(nothing.owed, []);
    assert.equal((await finder.sync({ wants: true, held: {}, released: {} })).idle, 1);
    const page = await finder.claim(items([3, 4, 5, 6, 7, 8]));
    assert.deepEqual(page.accepted, [3, 4, 5, 6, 7, 8]);
    assert.deepEqual(page.offered.sort(), [6, 7, 8], 'the last ones: floor(6 x 1/2)');
    // Without its row a repository is never offered.
    const bare = await finder.claim([{ id: 9, nodeId: 'R_9', fullName: 'o/r9', cluster: 'a' }]);
    assert.deepEqual(bare.offered, []);
    // The idle host takes them, with their search fields; nobody gets them again.
    const taken = await idle.adopt([]);
    assert.deepEqual(taken.owed.map((o) => o.id).sort(), [6, 7, 8]);
    assert.deepEqual(taken.owed.find((o) => o.id === 7), { id: 7, cluster: 'a', nodeId: 'R_7', fullName: 'o/r7', clusters: ['a'], row: { id: 7, node_id: 'R_7', full_name: 'o/r7', stars: 7, topics: ['x'] } });
    assert.deepEqual((await late.adopt([])).owed, []);
    // Working again, o-2 is no longer offered anything.
    assert.equal((await finder.sync({ wants: true, held: {}, released: {} })).idle, 1, 'o-3 is idle now');
    await expire('o-3');
    assert.equal((await finder.sync({ wants: true, held: {}, released: {} })).idle, 0);
    assert.deepEqual((await finder.claim(items([10, 11]))).offered, []);
    // Offered and not taken: the finder takes its own back when it runs out of work, and
    // leaving complete never drops an offered claim.
    await idle.adopt([]);
    const more = await finder.claim(items([12, 13]));
    assert.deepEqual(more.offered, [13]);
    await idle.leave({ complete: true });
    const { rows } = await db.query("SELECT host, offered FROM coord_claims WHERE repo_id = 13 AND job = (SELECT job FROM coord_hosts WHERE host = 'o-1')");
    assert.deepEqual(rows, [{ host: 'o-1', offered: true }]);
    const back = await finder.adopt([]);
    assert.deepEqual(back.owed.map((o) => o.id), [13]);
    assert.equal(back.owed[0].row.id, 13);
  });

  test('a repository claimed by a host that died unstored is claimed again; a stored one is not', async () => {
    const { hosts } = await joinedHosts('dead-claim-key', ['dc-1', 'dc-2']);
    const item = (id) => ({ id, cluster: 'a' });
    assert.deepEqual((await hosts[0].claim([item(7001), item(7002)])).accepted, [7001, 7002]);
    await db.query(`INSERT INTO repositories (id, full_name, owner, name, html_url, topics, stars, forks, open_issues,
      is_fork, is_archived, cluster, clusters, tech_stack, badges, is_gem)
      VALUES (7002, 'o/r7002', 'o', 'r7002', 'https://github.com/o/r7002', '{}', 1, 0, 0, false, false, 'a', '{a}', '{}', '{}', false)`);
    assert.deepEqual((await hosts[1].claim([item(7001)])).accepted, [], 'its host is alive');
    await expire('dc-1');
    assert.deepEqual((await hosts[1].claim([item(7001), item(7002)])).accepted, [7001]);
  });

  test('a repository gone from GitHub gives its room back', async () => {
    const { hosts } = await joinedHosts('unclaim-key', ['un-1'], { a: 2 });
    assert.deepEqual((await hosts[0].claim([{ id: 1, cluster: 'a' }, { id: 2, cluster: 'a' }])).accepted, [1, 2]);
    await hosts[0].unclaim([2]);
    assert.deepEqual((await hosts[0].claim([{ id: 3, cluster: 'a' }])).accepted, [3]);
  });
});

describe('queries', () => {
  test('one host runs each query; a dead host\'s running query goes to the next that asks or adopts', async () => {
    const { hosts } = await joinedHosts('query-key', ['q-1', 'q-2', 'q-3']);
    const queries = Array.from({ length: 30 }, (_, i) => `topic:t${i}`);
    const taken = await Promise.all(hosts.map(async (h) => {
      const mine = [];
      for (const q of queries) if (await h.takeQuery(q)) mine.push(q);
      return mine;
    }));
    // Queries left by a busy host to an idle one that had asked already are adopted, a
    // share at a time.
    for (let round = 0; taken.flat().length < queries.length && round < queries.length; round += 1) {
      const i = 1 + (round % 2);
      taken[i].push(...(await hosts[i].adopt(queries)).queries);
    }
    assert.deepEqual(taken.flat().sort(), [...queries].sort(), 'each query exactly once');
    assert.ok(taken.every((mine) => mine.length > 0), `spread: ${taken.map((mine) => mine.length)}`);
    for (const q of taken[0].slice(1)) await hosts[0].queryDone(q, true);
    // q-1 dies with one query running and one repository claimed, unstored.
    await hosts[0].claim([{ id: 9001, cluster: 'a', nodeId: 'R_9001', fullName: 'o/r9001' }]);
    await expire('q-1');
    for (const h of hosts.slice(1)) for (const q of taken[hosts.indexOf(h)]) await h.queryDone(q, true);
    const adopted = await hosts[2].adopt();
    assert.deepEqual(adopted.queries, [taken[0][0]]);
    assert.deepEqual(adopted.owed, [{ id: 9001, cluster: 'a', nodeId: 'R_9001', fullName: 'o/r9001', clusters: ['a'] }]);
    assert.equal(adopted.wait, false);
    assert.deepEqual(await hosts[1].adopt(), { queries: [], owed: [], wait: true }, 'q-3 still runs the adopted query');
    assert.equal(await hosts[1].takeQuery(taken[0][0]), false, 'adopted by a live host');
    await hosts[2].queryDone(taken[0][0], true);
    assert.equal((await hosts[1].adopt()).wait, true, 'q-3 has yet to store the repository it adopted');
    // q-3 ends with it unstored (pending for the next run): nobody waits for it any more.
    await hosts[2].leave({ complete: true });
    assert.deepEqual(await hosts[1].adopt(), { queries: [], owed: [], wait: false });
    const { rows } = await db.query('SELECT count(*)::int AS n FROM coord_claims WHERE repo_id = 9001');
    assert.equal(rows[0].n, 0, 'a host that ends complete leaves its unstored claims to the pending list');
  });

  test('a host running a query leaves the next to a live host that runs none', async () => {
    const { hosts } = await joinedHosts('spread-key', ['s-1', 's-2']);
    assert.equal(await hosts[0].takeQuery('a'), true);
    assert.equal(await hosts[0].takeQuery('b'), false, 's-2 runs nothing yet');
    assert.equal(await hosts[1].takeQuery('c'), true);
    assert.equal(await hosts[0].takeQuery('b'), true, 'both run one now');
    await expire('s-2');
    assert.equal(await hosts[0].takeQuery('d'), true, 'a dead host is not waited for');
    // The one left untaken goes to whoever has nothing left, with the dead host's.
    const adopted = await hosts[0].adopt(['a', 'b', 'c', 'd', 'e']);
    assert.deepEqual(adopted.queries.sort(), ['c', 'e']);
  });

  test('queries nobody took go out in fair shares of what is left, in the list\'s order', async () => {
    const { hosts } = await joinedHosts('share-key', ['f-1', 'f-2', 'f-3', 'f-4']);
    const queries = Array.from({ length: 14 }, (_, i) => `q${i}`);
    assert.equal(await hosts[0].takeQuery('q0'), true);
    assert.equal(await hosts[1].takeQuery('q1'), true);
    // 12 left, 4 live hosts: 3 to the first host idle, and it is told to come back.
    const first = await hosts[2].adopt(queries);
    assert.deepEqual(first.queries, ['q2', 'q3', 'q4']);
    assert.equal(first.wait, true, 'untaken queries are left');
    // 9 left: 3 more to the next, whichever it is, then ceil(6/4) = 2 and so on.
    assert.deepEqual((await hosts[3].adopt(queries)).queries, ['q5', 'q6', 'q7']);
    assert.deepEqual((await hosts[2].adopt(queries)).queries, ['q8', 'q9']);
    await expire('f-4');  // 3 live hosts now: ceil(4/3) = 2
    assert.deepEqual((await hosts[0].adopt(queries)).queries.sort(), ['q10', 'q11', 'q5', 'q6', 'q7'].sort(),
      'the dead host\'s running queries and a share of the untaken ones');
    assert.deepEqual((await hosts[1].adopt(queries)).queries, ['q12'], 'ceil(2/3) = 1');
    assert.deepEqual((await hosts[2].adopt(queries)).queries, ['q13']);
    const { rows } = await db.query("SELECT count(*)::int AS n FROM coord_queries q JOIN coord_hosts h USING (host) WHERE h.host LIKE 'f-%'");
    assert.equal(rows[0].n, queries.length, 'each query taken once');
  });
});

describe('users', () => {
  const held = async () => {
    const { rows } = await db.query('SELECT holder, count(*)::int AS n FROM coord_users WHERE holder IS NOT NULL GROUP BY holder');
    return Object.fromEntries(rows.map((r) => [r.holder, r.n]));
  };

  test('the lanes are shared fairly, held by one host at a time, and travel with their state', async () => {
    await db.query('DELETE FROM coord_users');
    const { hosts } = await joinedHosts('users-key', ['u-1', 'u-2', 'u-3']);
    const [a, b, c] = hosts;
    // Each checks its tokens in turn: the others hold off meanwhile.
    assert.equal(await a.beginCheck(), true);
    assert.equal(await b.beginCheck(), false, 'one check at a time');
    await a.endCheck({ logins: LOGINS, masks: LOGINS.map(() => 'ghp_…abcd'), states: Object.fromEntries(LOGINS.map((l) => [l, state(30)])) });
    const first = await a.sync({ wants: true });
    assert.equal(Object.keys(first.grant).length, 10, 'alone, it takes every lane');
    assert.deepEqual(first.grant.user0, state(30));

    assert.equal(await b.beginCheck(), false, 'a still holds lanes');
    const during = await a.sync({ wants: true });
    assert.equal(during.check, true);
    assert.equal(during.release.length, 10, 'a is asked to hold off while b checks');
    assert.deepEqual(Object.keys(during.grant), []);
    // a drains and reports its lanes free, with what it learnt.
    await a.sync({ wants: true, released: Object.fromEntries(LOGINS.map((l) => [l, state(20)])) });
    assert.equal(await b.beginCheck(), true);
    await b.endCheck({ logins: LOGINS, masks: [], states: {} });
    assert.equal(await c.beginCheck(), true);
    await c.endCheck({ logins: LOGINS, masks: [], states: {} });

    const grants = [];
    for (const h of hosts) grants.push(await h.sync({ wants: true }));
    assert.deepEqual(grants.map((g) => Object.keys(g.grant).length), [4, 4, 2]);
    assert.deepEqual(grants[0].grant.user0 ?? grants[1].grant.user0 ?? grants[2].grant.user0, state(20),
      'the state a released comes with the lane');
    const granted = grants.flatMap((g) => Object.keys(g.grant));
    assert.equal(new Set(granted).size, 10, 'no lane held twice');

    // c has nothing waiting: it gives its lanes up to hosts that want them.
    const idle = await c.sync({ wants: false });
    assert.equal(idle.release.length, 2);
    await c.sync({ wants: false, released: Object.fromEntries(idle.release.map((l) => [l, state(5)])) });
    const more = await a.sync({ wants: true });
    assert.equal(Object.keys(more.grant).length, 1, 'share of 10 among 2 wanting hosts is 5');
    assert.deepEqual(await held(), { 'u-1': 5, 'u-2': 4 });

    // c wants work again: the one free lane, then nothing more while a and b hold theirs.
    assert.equal(Object.keys((await c.sync({ wants: true })).grant).length, 1);
    assert.deepEqual((await c.sync({ wants: true })).grant, {});
    // b dies: its lanes are free once its heartbeat has expired, not before.
    await expire('u-2');
    const takeover = await c.sync({ wants: true });
    assert.equal(Object.keys(takeover.grant).length, 4, 'the share of 10 among 2 live hosts is 5');
    assert.deepEqual(await held(), { 'u-1': 5, 'u-3': 5 });
  });

  test('a host that wakes after its heartbeat expired is told which users it lost, and its state does not overwrite theirs', async () => {
    await db.query('DELETE FROM coord_users');
    const { hosts: [a, b] } = await joinedHosts('wake-key', ['wake-1', 'wake-2']);
    assert.equal(await a.beginCheck(), true);
    await a.endCheck({ logins: LOGINS, masks: [], states: Object.fromEntries(LOGINS.map((l) => [l, state(30)])) });
    assert.equal(await b.beginCheck(), true);
    await b.endCheck({ logins: LOGINS, masks: [], states: {} });
    const mineA = Object.keys((await a.sync({ wants: true })).grant);
    const mineB = Object.keys((await b.sync({ wants: true })).grant);
    assert.deepEqual([mineA.length, mineB.length], [5, 5]);
    const heldBy = (logins, remaining) => Object.fromEntries(logins.map((l) => [l, state(remaining)]));
    assert.deepEqual((await a.sync({ wants: true, held: heldBy(mineA, 25) })).lost, [], 'a live host loses nothing');

    // a stops beating; once its heartbeat has expired, b takes its users.
    await expire('wake-1');
    const takeover = await b.sync({ wants: true, held: heldBy(mineB, 24) });
    assert.deepEqual(Object.keys(takeover.grant).sort(), [...mineA].sort());
    // a wakes and beats as if nothing happened: every user it names is lost to it.
    const woken = await a.sync({ wants: true, held: heldBy(mineA, 3) });
    assert.deepEqual([...woken.lost].sort(), [...mineA].sort());
    assert.deepEqual(Object.keys(woken.grant), [], 'b holds every lane and wants them');
    assert.deepEqual(await held(), { 'wake-2': 10 });
    const { rows } = await db.query('SELECT state FROM coord_users WHERE login = $1', [mineA[0]]);
    assert.deepEqual(rows[0].state, state(25), "the woken host's stale state is not saved over the lane's");
  });

  test('concurrent syncs never hand one lane to two hosts', async () => {
    await db.query('DELETE FROM coord_users');
    const names = Array.from({ length: 6 }, (_, i) => `race-${i}`);
    const { hosts } = await joinedHosts('race-key', names);
    await hosts[0].beginCheck();
    await hosts[0].endCheck({ logins: LOGINS, masks: [], states: Object.fromEntries(LOGINS.map((l) => [l, state(30)])) });
    await db.query("UPDATE coord_hosts SET logins = $1 WHERE host LIKE 'race-%'", [LOGINS]);
    const results = await Promise.all(hosts.map((h) => h.sync({ wants: true })));
    const granted = results.flatMap((r) => Object.keys(r.grant));
    assert.equal(new Set(granted).size, granted.length, 'each lane granted once');
    for (const r of results) assert.ok(Object.keys(r.grant).length <= 2, 'share of 10 among 6 is 2');
  });

  test('a host whose heartbeat expired is told so, not silently re-registered', async () => {
    const { hosts } = await joinedHosts('expired-key', ['exp-1']);
    await expire('exp-1');
    await hosts[0].leave();
    await assert.rejects(hosts[0].sync({ wants: true }), /no longer part of its job/);
  });
});
