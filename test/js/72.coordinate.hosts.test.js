// --coordinate for real: three ingest processes, each on its own host (a network
// namespace with its own address), run one job with the same ten tokens against one
// simulator and one PostgreSQL. GitHub's rules are on: small quotas that run out, and
// the serial rule (a second request of a user in flight is a secondary limit). The job
// must spend no request on an empty bucket or in a pause, fetch no repository twice, and
// store the same table as one process alone.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

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
// Small quotas that run out and refill in seconds, and GitHub's serial rule.
const LIMITS = { limits: { core: 80, search: 10 }, windows: { core: 4, search: 4 } };
const SERIAL_RULE = { perUser: 1, retryAfter: 2, penalty: 2 };
// Short heartbeats: a test host is dead 3 s after its last beat.
const COORDINATION = { GH_INGEST_COORDINATE_TICK_MS: '200', GH_INGEST_COORDINATE_TTL_MS: '3000' };

let sim;
let dir;
let reference = null;  // the table of one process alone, from the first test
const schemas = [];

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

// Runs the ingest in `host` to its end: {status, signal, stdout, stderr, summary}.
async function ingestOn(host, databaseUrl, extra = []) {
  const { child, done } = ingestInHost(host, {
    args: ingestArgs('--coordinate', ...extra), cwd: dir, env: baseEnv(host.databaseUrl(databaseUrl), host.url(sim.url)),
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
  try {
    return await done;
  } finally {
    clearTimeout(timer);
  }
}

before(async () => {
  if (skip) return;
  sim = await startSimulator({ seed: 72, repositories: 3000, tokens: 10, badTokens: 0, host: '0.0.0.0', users: (token, i) => `user${i}`, ...LIMITS });
  dir = tempDir();
  fs.writeFileSync(path.join(dir, 'clusters.json'), JSON.stringify(CLUSTERS));
});

after(async () => {
  removeAllHosts();
  for (const db of schemas) await db.drop();
  await sim?.close();
});

describe('one job on three hosts', { skip }, () => {
  it('three hosts sharing ten tokens: no empty bucket, no pause, nothing fetched twice, the same table as one process', { timeout: 600_000 }, async () => {
    const alone = await schema('coord_alone');
    sim.changeFaults({ concurrency: SERIAL_RULE });
    const single = await nodeAsync(ingestArgs(), {
      cwd: dir, timeout: 240_000, env: baseEnv(schemaDatabaseUrl(alone.schema), sim.url.replace('0.0.0.0', '127.0.0.1')),
    });
    assert.equal(single.status, 0, single.stderr);
    const expected = await storedTable(alone);
    assert.ok(expected.length >= 400, `${expected.length} repositories: too few to prove anything`);

    const shared = await schema('coord_shared');
    const databaseUrl = schemaDatabaseUrl(shared.schema);
    sim.reset();
    sim.changeFaults({ concurrency: SERIAL_RULE });
    const hosts = await createHosts(3);
    const runs = await Promise.all(hosts.map((host) => ingestOn(host, databaseUrl)));
    for (const [i, run] of runs.entries()) assert.equal(run.status, 0, `host ${i + 1}: ${run.stderr}`);

    const stats = sim.stats();
    assert.equal(stats.wasted, 0, 'requests sent on an empty bucket');
    assert.equal(stats.secondaryLimited, 0, 'a user had two requests in flight (across hosts)');
    assert.equal(stats.duringPenalty, 0, 'requests sent during a pause');
    for (const [login, user] of Object.entries(stats.users)) assert.equal(user.concurrencyPeak, 1, `${login}: ${user.concurrencyPeak} in flight at once`);
    // Each repository's languages asked once in the whole job: none fetched twice.
    assert.equal(stats.byKind.languages?.requests, expected.length, 'languages requests');
    // Each host's summary: its part, and the job's total as it saw it at its end.
    const added = runs.map((run) => run.summary.coordinate.part.added);
    assert.equal(added.reduce((a, b) => a + b, 0), expected.length, `added per host: ${added.join(', ')}`);
    assert.equal(new Set(runs.map((run) => run.summary.coordinate.job)).size, 1, 'one job');
    assert.equal(runs.filter((run) => run.summary.coordinate.finished).length, 1, 'one host closed the job');
    assert.equal(Math.max(...runs.map((run) => run.summary.coordinate.total.added)), expected.length);
    for (const run of runs) {
      assert.equal(run.summary.coordinate.hosts, 3);
      assert.equal(run.summary.clusters.go.stored, expected.filter((row) => row.cluster === 'go').length, 'the job\'s stored count');
    }
    // How the work spread is timing's (queries are the unit of work, and a host joining
    // while the others spend the quota checks its tokens only after the core reset): the
    // SQL tests check the rules that spread it; here it is only reported.
    console.log(`added per host: ${added.join(', ')}; elapsed ${runs.map((run) => run.summary.elapsed_s).join(', ')} s ` +
      `(alone: ${JSON.parse(single.stdout.trim().split('\n').pop()).elapsed_s} s)`);

    assert.deepEqual(await storedTable(shared), expected);
    reference = expected;
  });

  it('three hosts each with their own ten tokens share the work out, each fetching its part once', { timeout: 600_000 }, async () => {
    // The same corpus, thirty users: host i has tokens 10i to 10i + 9.
    // Quotas that bind (one host alone would wait for about eight windows), so that a
    // host whose clusters run dry first has seconds of the others' work to take.
    const own = await startSimulator({
      seed: 72, repositories: 3000, tokens: 30, badTokens: 0, host: '0.0.0.0', users: (token, i) => `user${i}`,
      limits: { core: 20, search: 10 }, windows: { core: 2, search: 4 },
    });
    try {
      own.changeFaults({ concurrency: SERIAL_RULE });
      const db = await schema('coord_own');
      const databaseUrl = schemaDatabaseUrl(db.schema);
      const hosts = await createHosts(3);
      const runs = await Promise.all(hosts.map((host, i) => {
        const { child, done } = ingestInHost(host, {
          args: ingestArgs('--coordinate'), cwd: dir,
          env: { ...baseEnv(host.databaseUrl(databaseUrl), host.url(own.url)), GITHUB_TOKENS: own.tokens.slice(10 * i, 10 * i + 10).join(',') },
        });
        const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
        return done.finally(() => clearTimeout(timer));
      }));
      for (const [i, run] of runs.entries()) assert.equal(run.status, 0, `host ${i + 1}: ${run.stderr}`);
      const table = await storedTable(db);
      if (reference) assert.deepEqual(table, reference, 'the table of one process alone');
      const stats = own.stats();
      assert.equal(stats.wasted + stats.secondaryLimited + stats.duringPenalty, 0, 'empty buckets, secondary limits, pauses');
      assert.equal(stats.byKind.languages?.requests, table.length, 'a repository fetched twice');
      // Repositories handed to an idle host come with their search fields: none is
      // fetched by id.
      assert.equal(stats.byKind.repository?.requests ?? 0, 0, 'repositories fetched by id');
      // The clusters' sizes differ (a host whose query runs dry first would sit idle): the
      // hosts that run out of work are offered a share of the others' queued repositories,
      // so each host's ten users send about a third of the job's core requests.
      const requests = [0, 1, 2].map((i) => Array.from({ length: 10 }, (_, u) => stats.users[`user${10 * i + u}`]?.requests ?? 0)
        .reduce((a, b) => a + b, 0));
      const total = requests.reduce((a, b) => a + b, 0);
      const parts = runs.map((run) => run.summary.coordinate.part);
      console.log(`own tokens: requests per host ${requests.join(', ')}; added ${parts.map((p) => p.added).join(', ')}; ` +
        `offered ${parts.map((p) => p.offered).join(', ')}; adopted offered ${parts.map((p) => p.adopted_offered).join(', ')}; ` +
        `elapsed ${runs.map((run) => run.summary.elapsed_s).join(', ')} s`);
      for (const [i, n] of requests.entries()) assert.ok(n >= 0.2 * total, `host ${i + 1} sent ${n} of ${total} requests`);
      const offered = parts.reduce((sum, p) => sum + p.offered, 0);
      assert.ok(parts.reduce((sum, p) => sum + p.adopted_offered, 0) <= offered, 'adopted more than was offered');
      assert.equal(parts.reduce((sum, p) => sum + p.added, 0), table.length);
    } finally {
      await own.close();
    }
  });
});
