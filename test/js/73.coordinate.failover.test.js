// --coordinate when hosts come and go: real ingest processes, each on its own host (a
// network namespace with its own address), share one job through PostgreSQL.
//   - A host killed with SIGKILL mid-run stops beating; once its heartbeat is TTL old its
//     users' lanes go to the others, and a host with nothing left adopts its running
//     queries (run again from page 1) and the repositories it claimed but did not store.
//     The survivors end, and the table is the one a single process stores.
//   - A host started while the job runs joins that job and ends with it.
//   - --coordinate refuses storage other hosts cannot share (the embedded database,
//     Supabase's REST API) in one line, before any GitHub request or any file is made.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';

import { startSimulator } from '../simulator/index.js';
import { ingestInHost, storedTable } from '../support/coordinated-ingest.js';
import { nodeAsync, root, tempDir } from '../support/helpers.js';
import { createHosts, netnsAvailable, removeAllHosts } from '../support/netns.js';
import { createTestSchema, schemaDatabaseUrl } from '../support/test-database.js';

const available = netnsAvailable();
const skip = available.ok ? false : `needs network namespaces: ${available.reason}`;

// Every cluster's queries run dry before its quota, and no repository matches two
// clusters: whichever host claims a repository, the table is the same.
const CLUSTERS = {
  min_stars: 0,
  clusters: {
    rust: { quota: 1000, queries: ['language:Rust', 'language:Rust stars:>=10'] },
    go: { quota: 1000, queries: ['language:Go'] },
    kotlin: { quota: 1000, queries: ['language:Kotlin'] },
  },
};
// Small quotas that run out and refill in seconds, GitHub's serial rule (a second request
// of a user in flight is a secondary limit), and a little latency so that requests are in
// flight when a host dies. Given at start, they survive sim.reset().
const SIMULATION = {
  limits: { core: 40, search: 10 }, windows: { core: 4, search: 4 },
  concurrency: { perUser: 1, retryAfter: 2, penalty: 2 },
  latency: { scale: 0.05 },
};
// Short heartbeats: a test host is dead 3 s after its last beat.
const TTL_MS = 3000;
const COORDINATION = { GH_INGEST_COORDINATE_TICK_MS: '200', GH_INGEST_COORDINATE_TTL_MS: String(TTL_MS) };
// A coordinated run here takes about 30 s; hosts still running this long after their
// start are stuck: the job's tables are shown in the failure, then the hosts killed.
const RUN_TIMEOUT_MS = 75_000;

let sim;
let dir;
const schemas = [];
let reference = null;   // the single-process table, run once for the file
const running = new Set();  // the hosts started by startOn() and not ended yet

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function schema(prefix) {
  const db = await createTestSchema(prefix);
  schemas.push(db);
  return db;
}

function baseEnv(databaseUrl, apiUrl) {
  return { GITHUB_TOKENS: sim.tokens.join(','), GITHUB_API_URL: apiUrl, DATABASE_URL: databaseUrl, ...COORDINATION };
}

const ingestArgs = (...extra) => [path.join(root, 'ingest-balanced-parallel.js'), `--config=${path.join(dir, 'clusters.json')}`,
  '--api=rest', '--json', ...extra];

/**
 * Starts the ingest with --coordinate in `host`: {child, name, output(), done}. `done`
 * resolves to {status, signal, stdout, stderr, summary}; `name()` is the host's name in
 * the job (coord_hosts.host) once it has said it on stderr, and `job()` the job's id.
 */
function startOn(host, databaseUrl, label, extraArgs = []) {
  const { child, done, stderr } = ingestInHost(host, {
    args: ingestArgs('--coordinate', ...extraArgs), cwd: dir, env: baseEnv(host.databaseUrl(databaseUrl), host.url(sim.url)),
  });
  const joined = () => stderr().match(/^coordinate: (opened|joined) job (\d+) as (\S+)$/m);
  const run = {
    label, child, done, exited: false, stderr,
    joined: () => joined()?.[1] ?? null,
    job: () => (joined() ? Number(joined()[2]) : null),
    name: () => joined()?.[3] ?? null,
  };
  running.add(run);
  const ended = () => {
    run.exited = true;
    running.delete(run);
  };
  done.then(ended, ended);
  return run;
}

// Hosts still running when a test ends (it failed before they did): killed, so that they
// send nothing with the same tokens during the next test.
async function killLeftovers() {
  const left = [...running];
  for (const run of left) run.child.kill('SIGKILL');
  await Promise.allSettled(left.map((run) => run.done));
}

// One process alone, without --coordinate, on a schema of its own: the table every
// coordinated run of the same job must store. Run once for the file (the simulator's
// corpus and faults are the same for every run).
async function expectedTable() {
  reference ??= (async () => {
    const alone = await schema('coord_fo_alone');
    sim.reset();
    const single = await nodeAsync(ingestArgs(), {
      cwd: dir, timeout: RUN_TIMEOUT_MS, env: baseEnv(schemaDatabaseUrl(alone.schema), sim.url.replace('0.0.0.0', '127.0.0.1')),
    });
    assert.equal(single.status, 0, single.stderr);
    const rows = await storedTable(alone);
    assert.ok(rows.length >= 400, `${rows.length} repositories: too few to prove anything`);
    return { rows, elapsed: JSON.parse(single.stdout.trim().split('\n').pop()).elapsed_s };
  })();
  return reference;
}

// What the simulator saw that no coordinated job may cause, dead host or not: a request
// during a secondary-limit pause, or a second request of a user in flight.
function assertNoPause(stats) {
  assert.equal(stats.secondaryLimited, 0, 'a user had two requests in flight (across hosts)');
  assert.equal(stats.duringPenalty, 0, 'requests sent during a pause');
  for (const [login, user] of Object.entries(stats.users)) assert.ok(user.concurrencyPeak <= 1, `${login}: ${user.concurrencyPeak} in flight at once`);
}

const sumOf = (values) => values.reduce((a, b) => a + b, 0);

// The job as the database saw it, for a failure's message: per host whether it was live
// and wanted work, its claims stored and not, and every query.
async function jobState(db) {
  const { rows: hostRows } = await db.query(`
    SELECT h.host, h.left_at IS NOT NULL AS left, h.expires_at > now() AS live, h.wants,
           (SELECT count(*)::int FROM coord_claims c WHERE c.host = h.host
              AND EXISTS (SELECT 1 FROM repositories r WHERE r.id = c.repo_id)) AS stored,
           (SELECT count(*)::int FROM coord_claims c WHERE c.host = h.host
              AND NOT EXISTS (SELECT 1 FROM repositories r WHERE r.id = c.repo_id)) AS unstored
      FROM coord_hosts h ORDER BY h.joined_at`);
  const { rows: queries } = await db.query('SELECT query, host, state, attempts FROM coord_queries ORDER BY query');
  return `hosts: ${JSON.stringify(hostRows)}\nqueries: ${JSON.stringify(queries)}`;
}

// Waits for `runs` to end, each with 0. Runs still going RUN_TIMEOUT_MS after `since`
// are stuck: the failure shows the job's state then (taken before they are killed).
async function endsOk(db, runs, since) {
  let timer;
  const deadline = new Promise((resolve) => { timer = setTimeout(resolve, Math.max(0, since + RUN_TIMEOUT_MS - Date.now()), 'stuck'); });
  const all = Promise.all(runs.map((run) => run.done));
  const first = await Promise.race([all, deadline]);
  clearTimeout(timer);
  if (first === 'stuck') {
    const state = await jobState(db);
    for (const run of runs) if (!run.exited) run.child.kill('SIGKILL');
    const ends = await all;
    assert.fail(`stuck: ${runs.filter((run, i) => ends[i].signal === 'SIGKILL').map((run) => run.label).join(', ')} still ` +
      `running after ${RUN_TIMEOUT_MS / 1000} s; the job then:\n${state}\n` +
      runs.map((run, i) => `${run.label} stderr:\n${ends[i].stderr}`).join('\n'));
  }
  for (const [i, end] of first.entries()) assert.equal(end.status, 0, `${runs[i].label}: exit ${end.status ?? end.signal}\n${end.stderr}`);
  return first;
}

before(async () => {
  if (skip) return;
  sim = await startSimulator({ seed: 73, repositories: 3000, tokens: 10, badTokens: 0, host: '0.0.0.0', users: (token, i) => `user${i}`, ...SIMULATION });
  dir = tempDir();
  fs.writeFileSync(path.join(dir, 'clusters.json'), JSON.stringify(CLUSTERS));
});

after(async () => {
  removeAllHosts();
  for (const db of schemas) await db.drop().catch(() => {});
  await sim?.close();
});

describe('hosts that die or join mid-job', { skip }, () => {
  afterEach(killLeftovers);

  it('a host killed with SIGKILL mid-run: its lanes, running queries and unstored claims go to the survivors, which end with the table of one process', { timeout: 300_000 }, async () => {
    const expected = await expectedTable();
    const shared = await schema('coord_fo_kill');
    const databaseUrl = schemaDatabaseUrl(shared.schema);
    sim.reset();
    const hosts = await createHosts(3);
    const runs = hosts.map((host, i) => startOn(host, databaseUrl, `host ${i + 1}`));

    // The victim: the first host that has stored some of its claims and still holds
    // claims it has not stored (and, if possible, a query it is running). Each host is
    // stopped (SIGSTOP) while its state is read, so that what it had stored then is what
    // it has stored when it is killed; a host that does not qualify goes on (SIGCONT).
    // Polled every 100 ms; a host that ends before is no victim, and the test fails if all do.
    let victim = null;
    let atKill = null;
    const started = Date.now();
    let candidateSince = null;   // a host qualified but ran no query: killed after 2 s if nothing better comes
    while (!victim) {
      assert.ok(runs.some((run) => !run.exited), 'every host ended before one could be killed mid-run:\n' +
        runs.map((run) => `${run.label}: ${run.stderr()}`).join('\n'));
      assert.ok(Date.now() - started < 60_000, 'no host ever held stored and unstored claims at once');
      for (const run of runs) {
        if (run.exited || !run.name()) continue;
        run.child.kill('SIGSTOP');
        const { rows: [state] } = await shared.query(`
          SELECT (SELECT count(*)::int FROM coord_claims c WHERE c.host = $1
                    AND EXISTS (SELECT 1 FROM repositories r WHERE r.id = c.repo_id)) AS stored,
                 (SELECT count(*)::int FROM coord_claims c WHERE c.host = $1
                    AND NOT EXISTS (SELECT 1 FROM repositories r WHERE r.id = c.repo_id)) AS unstored,
                 (SELECT count(*)::int FROM coord_queries q WHERE q.host = $1 AND q.state = 'running') AS running`, [run.name()]);
        const qualifies = state.stored >= 1 && state.unstored >= 1;
        // Prefer a victim with a running query; take one without after 2 s of waiting.
        if (qualifies && (state.running >= 1 || (candidateSince !== null && Date.now() - candidateSince > 2000))) {
          victim = run;
          break;
        }
        if (qualifies) candidateSince ??= Date.now();
        run.child.kill('SIGCONT');
      }
      if (!victim) await sleep(100);
    }
    victim.child.kill('SIGKILL');
    const killed = await victim.done;
    assert.equal(killed.signal, 'SIGKILL', `${victim.label} ended before it was killed: ${killed.stderr}`);
    // What the dead host leaves (its heartbeat still counts for TTL: nobody adopted yet).
    {
      const name = victim.name();
      const { rows: unstored } = await shared.query(`SELECT repo_id::bigint AS id FROM coord_claims c WHERE c.host = $1
        AND NOT EXISTS (SELECT 1 FROM repositories r WHERE r.id = c.repo_id)`, [name]);
      const { rows: running } = await shared.query("SELECT query FROM coord_queries WHERE host = $1 AND state = 'running'", [name]);
      const { rows: [stored] } = await shared.query('SELECT count(*)::int AS n FROM repositories');
      atKill = { name, unstored: unstored.map((row) => String(row.id)), running: running.map((row) => row.query), stored: stored.n, afterMs: Date.now() - started };
    }
    assert.ok(atKill.unstored.length > 0, `${victim.label} had stored everything it claimed by the time it died`);

    const survivors = runs.filter((run) => run !== victim);
    const ends = await endsOk(shared, survivors, started);
    const stats = sim.stats();
    const got = await storedTable(shared);
    const { rows: queries } = await shared.query('SELECT query, host, state, attempts FROM coord_queries ORDER BY query');
    const { rows: jobs } = await shared.query('SELECT id, finished_at FROM coord_jobs');
    const { rows: [victimStored] } = await shared.query('SELECT count(*)::int AS n FROM coord_claims WHERE host = $1', [atKill.name]);
    const { rows: stillVictims } = await shared.query(`SELECT repo_id FROM coord_claims WHERE host = $1 AND repo_id = ANY ($2::bigint[])`,
      [atKill.name, atKill.unstored]);
    const parts = ends.map((end) => end.summary?.coordinate?.part ?? {});
    console.log(`killed ${victim.label} after ${(atKill.afterMs / 1000).toFixed(1)} s, ${atKill.stored} rows stored then; ` +
      `it left ${atKill.unstored.length} unstored claims and ${atKill.running.length} running queries (${atKill.running.join('; ')}); ` +
      `it stored ${victimStored.n}; survivors: ${parts.map((p) => `added ${p.added}, adopted ${p.adopted_queries} queries / ` +
        `${p.adopted_repositories} repositories`).join('; ')}; ` +
      `simulator: ${stats.requests} requests, wasted ${stats.wasted}, rate-limited ${stats.rateLimited}, ` +
      `languages ${stats.byKind.languages?.requests} for ${expected.rows.length} repositories; ` +
      `elapsed ${ends.map((end) => end.summary?.elapsed_s).join(', ')} s (alone: ${expected.elapsed} s)`);

    // The job finished, every query done, the dead host's work in the survivors' hands.
    assert.equal(jobs.length, 1, 'one job');
    assert.ok(jobs[0].finished_at, 'the job was not marked finished');
    for (const q of queries) assert.equal(q.state, 'done', `query ${q.query}: ${q.state} on ${q.host}`);
    for (const query of atKill.running) {
      const q = queries.find((row) => row.query === query);
      assert.notEqual(q.host, atKill.name, `${query}: still the dead host's`);
      assert.ok(q.attempts >= 2, `${query}: run ${q.attempts} time(s), not again after the host died`);
    }
    assert.deepEqual(stillVictims, [], 'claims the dead host never stored are still its own');
    // Every repository stored once by someone: the dead host's part and the survivors'.
    assert.equal(victimStored.n + sumOf(parts.map((p) => p.added ?? 0)), expected.rows.length,
      `stored by the dead host ${victimStored.n}, added by the survivors ${parts.map((p) => p.added).join(', ')}`);
    assert.ok(sumOf(parts.map((p) => (p.adopted_queries ?? 0) + (p.adopted_repositories ?? 0))) > 0
      || atKill.running.every((query) => queries.find((row) => row.query === query)?.attempts >= 2),
    'nothing of the dead host was adopted');

    // GitHub's rules: no pause, no second request in flight, even around the death. (The
    // dead host's last requests were not saved with its lanes' state, so its successors
    // may send a few on a bucket they think is not empty: `wasted`, reported above.)
    assertNoPause(stats);
    assert.ok(stats.wasted <= 10, `${stats.wasted} requests on an empty bucket: more than the dead host's last beat can explain`);

    assert.deepEqual(got, expected.rows);
  });

  // A host that stalls past the TTL (a laptop's lid, a VM migrated, a long pause of its
  // event loop) is dead to the others: they take its users' lanes. When it wakes, its
  // next beat must give up those users instead of renewing them; else two hosts send
  // for one user, each pause ends at the same instant on both, and they meet again.
  it('a host stopped (SIGSTOP) past the TTL and woken again: the users the others took are no longer its own, no user has two requests in flight, the table is the one of one process', { timeout: 300_000 }, async () => {
    const expected = await expectedTable();
    const shared = await schema('coord_fo_stall');
    const databaseUrl = schemaDatabaseUrl(shared.schema);
    sim.reset();
    const hosts = await createHosts(3);
    // Small batches: what a host holds fetched and not yet stored is at most
    // (4 unacknowledged + 1 filling) x BATCH, plus one repository per token in hand.
    const BATCH = 10;
    const runs = hosts.map((host, i) => startOn(host, databaseUrl, `host ${i + 1}`, [`--batch-size=${BATCH}`]));

    // The sleeper: the first host holding a user and claims it has not stored, some rows
    // stored. Each candidate is stopped while its state is read, and goes on (SIGCONT)
    // if it does not qualify.
    const started = Date.now();
    let sleeper = null;
    while (!sleeper) {
      assert.ok(runs.every((run) => !run.exited), 'a host ended before one could be stopped:\n' +
        runs.map((run) => `${run.label}: ${run.stderr()}`).join('\n'));
      assert.ok(Date.now() - started < 60_000, 'no host held a user and unstored claims in 60 s');
      for (const run of runs) {
        if (!run.name()) continue;
        run.child.kill('SIGSTOP');
        const { rows: [state] } = await shared.query(`
          SELECT (SELECT count(*)::int FROM coord_users WHERE holder = $1) AS users,
                 (SELECT count(*)::int FROM coord_claims c WHERE c.host = $1
                    AND NOT EXISTS (SELECT 1 FROM repositories r WHERE r.id = c.repo_id)) AS unstored,
                 (SELECT count(*)::int FROM repositories) AS stored`, [run.name()]);
        if (state.users >= 1 && state.unstored >= 1 && state.stored >= 20) {
          sleeper = run;
          break;
        }
        run.child.kill('SIGCONT');
      }
      if (!sleeper) await sleep(100);
    }
    const name = sleeper.name();
    const { rows: heldBefore } = await shared.query('SELECT login FROM coord_users WHERE holder = $1 ORDER BY login', [name]);
    // Asleep until the others hold one of its users (its heartbeat has expired) and have
    // taken over some of its claims (a host with nothing left adopts them).
    const stoppedAt = Date.now();
    let taken = [];
    let claimsTaken = 0;
    while (!taken.length || !claimsTaken) {
      assert.ok(Date.now() - stoppedAt < 45_000, `in 45 s the others took ${taken.length} users and ${claimsTaken} claims of ${sleeper.label}`);
      await sleep(200);
      ({ rows: taken } = await shared.query('SELECT login, holder FROM coord_users WHERE login = ANY ($1) AND holder IS NOT NULL AND holder <> $2',
        [heldBefore.map((row) => row.login), name]));
      ({ rows: [{ n: claimsTaken }] } = await shared.query('SELECT count(*)::int AS n FROM coord_claims WHERE taken_from = $1', [name]));
    }
    // Let the others send for those users a while before it wakes.
    await sleep(1000);
    sleeper.child.kill('SIGCONT');
    const stoppedMs = Date.now() - stoppedAt;

    const ends = await endsOk(shared, runs, started);
    const stats = sim.stats();
    const parts = ends.map((end) => end.summary?.coordinate?.part ?? {});
    console.log(`stopped ${sleeper.label} holding ${heldBefore.length} users for ${(stoppedMs / 1000).toFixed(1)} s; ` +
      `${taken.length} taken by the others; added per host: ${parts.map((p) => p.added).join(', ')}; ` +
      `taken over from it: ${parts[runs.indexOf(sleeper)].taken_over} repositories; ` +
      `simulator: ${stats.requests} requests, wasted ${stats.wasted}, secondary ${stats.secondaryLimited}, ` +
      `languages ${stats.byKind.languages?.requests} for ${expected.rows.length} repositories`);

    assertNoPause(stats);
    assert.deepEqual(await storedTable(shared), expected.rows);
    // What was taken over from it and still queued, it dropped: only what it held fetched
    // and not yet stored, or in a worker's hand, when it stopped is fetched twice.
    const sleeperPart = parts[runs.indexOf(sleeper)];
    assert.ok(sleeperPart.taken_over >= claimsTaken, `told of ${sleeperPart.taken_over} taken claims, ${claimsTaken} were taken`);
    assert.match(ends[runs.indexOf(sleeper)].stderr, /^coordinate: this host's heartbeat had expired; other hosts took over \d+ of its users and \d+ of its repositories/m);
    const twice = stats.byKind.languages.requests - expected.rows.length;
    const inHand = (4 + 1) * BATCH + sim.tokens.length;
    assert.ok(twice <= inHand, `${twice} repositories' languages asked twice: more than the ${inHand} the host can hold ` +
      `fetched or in hand (${sleeperPart.taken_over} were taken over from it)`);
  });

  it('a host started while the job runs joins it, takes part and ends with it; the table is the one of one process', { timeout: 300_000 }, async () => {
    const expected = await expectedTable();
    const shared = await schema('coord_fo_join');
    const databaseUrl = schemaDatabaseUrl(shared.schema);
    sim.reset();
    const hosts = await createHosts(3);
    const runs = hosts.slice(0, 2).map((host, i) => startOn(host, databaseUrl, `host ${i + 1}`));

    // Once the job has stored some rows (and is far from done), the third host starts.
    const started = Date.now();
    let storedAtJoin = 0;
    for (;;) {
      assert.ok(runs.every((run) => !run.exited), 'a host ended before the third one could join:\n' +
        runs.map((run) => `${run.label}: ${run.stderr()}`).join('\n'));
      assert.ok(Date.now() - started < 60_000, 'no row stored in 60 s');
      const { rows: [count] } = await shared.query('SELECT count(*)::int AS n FROM repositories').catch(() => ({ rows: [{ n: 0 }] }));
      if (count.n >= 20) {
        storedAtJoin = count.n;
        break;
      }
      await sleep(100);
    }
    const late = startOn(hosts[2], databaseUrl, 'host 3 (late)');
    runs.push(late);

    const ends = await endsOk(shared, runs, started);
    const stats = sim.stats();
    const parts = ends.map((end) => end.summary?.coordinate?.part ?? {});
    const { rows: hostRows } = await shared.query('SELECT host, job, logins, left_at FROM coord_hosts');
    console.log(`late host started with ${storedAtJoin} rows stored; added per host: ${parts.map((p) => p.added).join(', ')}; ` +
      `queries per host: ${parts.map((p) => p.queries).join(', ')}; simulator: wasted ${stats.wasted}; ` +
      `elapsed ${ends.map((end) => end.summary?.elapsed_s).join(', ')} s (alone: ${expected.elapsed} s)`);

    // One of the first two opened the job (whichever came first), every other host joined it.
    const openers = runs.filter((run) => run.joined() === 'opened');
    assert.deepEqual(openers.map((run) => run.label), openers.length === 1 && openers[0] !== late ? [openers[0].label] : ['host 1 or host 2'],
      runs.map((run) => `${run.label}: ${run.stderr()}`).join('\n'));
    const job = openers[0].job();
    for (const run of runs.filter((r) => r !== openers[0])) {
      assert.equal(run.joined(), 'joined', `${run.label} did not join the job: ${run.stderr()}`);
      assert.equal(run.job(), job, `${run.label} joined another job`);
    }
    // The late host was part of the job: it registered its users (its token check ran
    // within the job) and left it when the job was done.
    const lateRow = hostRows.find((row) => row.host === late.name());
    assert.ok(lateRow, 'the late host is not in coord_hosts');
    assert.equal(Number(lateRow.job), job);
    assert.equal(lateRow.logins.length, 10, `the late host's users: ${lateRow.logins.join(', ')}`);
    assert.ok(lateRow.left_at, 'the late host did not leave the job');
    assert.equal(ends[2].summary?.coordinate?.job, job);

    assert.equal(stats.wasted, 0, 'requests sent on an empty bucket');
    assertNoPause(stats);
    assert.equal(sumOf(parts.map((p) => p.added ?? 0)), expected.rows.length, `added per host: ${parts.map((p) => p.added).join(', ')}`);
    assert.deepEqual(await storedTable(shared), expected.rows);
  });
});

describe('--coordinate refuses storage other hosts cannot share', () => {
  let refusalSim;
  let work;

  before(async () => {
    refusalSim = await startSimulator({ seed: 7, repositories: 50, tokens: 2, badTokens: 0 });
    work = tempDir();
    fs.writeFileSync(path.join(work, 'clusters.json'), JSON.stringify(CLUSTERS));
  });

  after(async () => {
    await refusalSim?.close();
  });

  const refusal = (extraEnv) => {
    const dbDir = path.join(work, `db-${Object.keys(extraEnv).length ? 'supabase' : 'embedded'}`);
    return nodeAsync([path.join(root, 'ingest-balanced-parallel.js'), `--config=${path.join(work, 'clusters.json')}`,
      '--api=rest', '--json', '--coordinate', `--db-dir=${dbDir}`], {
      cwd: work, timeout: 30_000,
      // No storage but the one asked for: cleanEnv keeps this process's variables, so
      // they are blanked (an empty value counts as unset).
      env: {
        GITHUB_TOKENS: refusalSim.tokens.join(','), GITHUB_API_URL: refusalSim.url,
        DATABASE_URL: '', SUPABASE_URL: '', SUPABASE_SERVICE_ROLE_KEY: '', ...COORDINATION, ...extraEnv,
      },
    }).then((result) => ({ ...result, dbDir }));
  };

  for (const [what, extraEnv] of [
    ['the embedded database (no DATABASE_URL)', {}],
    ['Supabase through its REST API (SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY)',
      { SUPABASE_URL: 'http://127.0.0.1:9/supabase', SUPABASE_SERVICE_ROLE_KEY: 'fake-service-role-key' }],
  ]) {
    it(`${what}: exit 1, one line naming DATABASE_URL, no GitHub request, no database made`, async () => {
      refusalSim.resetStats();
      const result = await refusal(extraEnv);
      assert.equal(result.status, 1, `exit ${result.status}: ${result.stderr}`);
      const lines = result.stderr.split('\n').filter((line) => line.trim() !== '');
      assert.equal(lines.length, 1, `stderr:\n${result.stderr}`);
      assert.match(lines[0], /DATABASE_URL/);
      assert.match(lines[0], /--coordinate/);
      assert.equal(result.stdout, '');
      assert.equal(refusalSim.stats().requests, 0, 'a GitHub request was sent');
      assert.equal(fs.existsSync(result.dbDir), false, `${result.dbDir} was created`);
    });
  }
});
