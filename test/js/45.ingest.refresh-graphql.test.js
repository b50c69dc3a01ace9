// --refresh through GraphQL (the default API): the stored repositories are re-read 100 per
// query, every column of their rows, and compared with what is stored; only the changed
// ones cost a details query (100 per query), and the only REST requests are the README
// of a rewritten repository whose README has a name no alias of the details query asks
// for (docs/graphql.md: find_readme). Rows stored without a node id (before it was kept)
// are looked up by owner and name in the same queries, and gain it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { startRun } from '../../binding/index.js';
import { startSimulator } from '../simulator/index.js';
import { nodeAsync, root, tempDir } from '../support/helpers.js';
import { createTestSchema, schemaDatabaseUrl } from '../support/test-database.js';

const STORED = 300;
// The root README paths the GraphQL details query reads by name (kReadmeAliases,
// docs/graphql.md); a root README named otherwise comes from GET /repos/{o}/{r}/readme.
const GRAPHQL_ROOT_READMES = ['README.md', 'readme.md', 'README', 'README.rst', 'README.txt'];
let sim;
let dir;
let db;

before(async () => {
  sim = await startSimulator({ seed: 47, repositories: 4000, tokens: 3, badTokens: 0 });
  db = await createTestSchema('refresh_graphql');
  dir = tempDir();
  fs.writeFileSync(path.join(dir, 'clusters.json'), JSON.stringify({
    min_stars: 0,
    clusters: {
      ai_ml: { quota: 180, queries: ['topic:machine-learning', 'topic:llm'] },
      web: { quota: 120, queries: ['topic:react'] },
    },
  }));
});
after(async () => {
  await db?.drop();
  await sim?.close();
});

async function ingest(...args) {
  const result = await nodeAsync([path.join(root, 'ingest-balanced-parallel.js'), `--config=${path.join(dir, 'clusters.json')}`,
    '--workers=3', '--json', ...args], {
    cwd: dir,
    timeout: 120_000,
    env: { GITHUB_TOKENS: sim.tokens.join(','), GITHUB_API_URL: sim.url, DATABASE_URL: schemaDatabaseUrl(db.schema) },
  });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout);
}

async function storedRows() {
  const { rows } = await db.query('SELECT * FROM repositories ORDER BY id');
  return new Map(rows.map((row) => [Number(row.id), row]));
}

const withoutTimes = ({ ingested_at, refreshed_at, ...row }) => row;
// What the simulator answered, by kind of request (user, rate_limit, graphql, repository, ...).
const requestsByKind = () => Object.fromEntries(Object.entries(sim.stats().byKind).map(([kind, { requests }]) => [kind, requests]));

describe('node ingest-balanced-parallel.js --refresh (GraphQL)', () => {
  it('re-reads every stored row, updates exactly the changed ones, about a point per hundred, REST only for READMEs no alias reads', async () => {
    await ingest();
    const first = await storedRows();
    assert.equal(first.size, STORED);
    for (const row of first.values()) assert.equal(row.node_id, sim.corpus.byId.get(Number(row.id)).node_id);

    const ids = [...first.keys()];
    // Older rows: stored before node ids were kept.
    const withoutNodeId = ids.filter((_, i) => i % 15 === 7);
    await db.query('UPDATE repositories SET node_id = NULL WHERE id = ANY($1::bigint[])', [withoutNodeId]);
    // Gone from GitHub since (deleted, or 451): kept and counted.
    sim.setFaults({ gone: 0.03 });
    const gone = [];
    for (const id of ids) {
      const reply = await fetch(`${sim.url}/repositories/${id}`, { headers: { authorization: `Bearer ${sim.tokens[0]}` } });
      await reply.arrayBuffer();
      if (reply.status === 404 || reply.status === 451) gone.push(id);
    }
    assert.ok(gone.length > 0, 'some repositories are gone');
    // Changed on GitHub: stars (which bump updated_at), a description, topics in a new
    // order plus one, and open issues alone with updated_at kept (GitHub does not bump it
    // for every change): the columns are compared, not only the timestamps.
    const alive = ids.filter((id) => !gone.includes(id) && !withoutNodeId.includes(id));
    const changed = alive.filter((_, i) => i % 11 === 3);
    changed.forEach((id, i) => {
      const repo = sim.corpus.byId.get(id);
      const patch = [
        { stars: repo.stars + 50 + i },
        { description: `changed ${i}` },
        { topics: [...repo.topics].reverse().concat(`refresh-${i}`) },
        { openIssues: repo.openIssues + 3, updatedAt: repo.updatedAt },
      ][i % 4];
      // One README renamed to a name no alias asks for (GitHub has README.markdown,
      // Readme.markdown, README.adoc...), so that the REST fallback is always exercised.
      if (i === 0) patch.readme = 'README.markdown';
      sim.corpus.update(repo.fullName, patch);
    });
    sim.resetLimits();
    sim.resetStats();

    const summary = await ingest('--refresh');
    const rewritten = [...changed, ...withoutNodeId.filter((id) => !gone.includes(id))];
    assert.deepEqual(summary.refresh, {
      changed: rewritten.length, unchanged: STORED - rewritten.length - gone.length, gone: gone.length, failed: 0,
    });
    assert.equal(summary.requests.search, 0, 'quotas are met: no search');
    assert.equal(summary.pending, 0);
    // One query per 100 stored repositories, one per 100 changed ones; REST only for the
    // token check at the start (GET /user and GET /rate_limit, free) and for the README of
    // each rewritten repository whose README no alias of the query reads. Which stored
    // rows are rewritten depends on which 300 the first run stored, which varies from run
    // to run with the workers' timing: the README names are read from the corpus, not
    // assumed.
    const byKind = requestsByKind();
    const queries = Math.ceil(STORED / 100) + Math.ceil(rewritten.length / 100);
    assert.ok(byKind.graphql <= queries, `${byKind.graphql} GraphQL queries for ${STORED} stored, ${rewritten.length} changed`);
    const restReadmes = rewritten.map((id) => sim.corpus.byId.get(id))
      .filter((repo) => repo.readme !== null && !GRAPHQL_ROOT_READMES.includes(repo.readme))
      .map((repo) => `${repo.fullName} (${repo.readme})`);
    assert.ok(restReadmes.length >= 1, 'the renamed README is among them');
    const why = `${JSON.stringify(byKind)}; READMEs no alias reads: ${restReadmes.join(', ')}`;
    assert.deepEqual(Object.keys(byKind).sort(), ['graphql', 'rate_limit', 'readme', 'user'], why);
    assert.deepEqual(sim.stats().byKind.readme.byStatus, { 200: restReadmes.length }, why);
    assert.equal(summary.requests.core, byKind.user + restReadmes.length, `core requests: ${why}`);
    assert.ok(summary.requests.graphql_points <= queries, `${summary.requests.graphql_points} points`);

    const second = await storedRows();
    assert.equal(second.size, STORED, 'gone repositories are kept');
    for (const id of ids) {
      const before = first.get(id);
      const row = second.get(id);
      const repo = sim.corpus.byId.get(id);
      assert.deepEqual(row.ingested_at, before.ingested_at, 'ingested_at is kept');
      if (gone.includes(id)) {
        assert.deepEqual(row.refreshed_at, before.refreshed_at, 'a gone row is left as stored');
      } else {
        assert.ok(row.refreshed_at > before.refreshed_at, `row ${row.full_name} refreshed`);
      }
      if (changed.includes(id)) {
        assert.equal(row.stars, repo.stars);
        assert.equal(row.description, repo.description);
        assert.deepEqual([...row.topics].sort(), [...repo.topics].sort());
        assert.equal(row.open_issues, repo.openIssues);
        assert.deepEqual(row.clusters, before.clusters, 'the clusters that found it are kept');
        assert.deepEqual(row.languages, before.languages);
      } else if (!gone.includes(id)) {
        // Unchanged: the same row, node id regained where it was missing.
        assert.equal(row.node_id, repo.node_id);
        assert.deepEqual(withoutTimes({ ...row, node_id: before.node_id }), withoutTimes(before), `row ${row.full_name}`);
      }
    }
  });

  it('the binding names a stored column of the wrong type', () => {
    const options = (row) => ({
      tokens: ['ghp_x'], apiUrl: 'http://127.0.0.1:1', groups: [{ name: 'web', queries: ['x'], limit: 0 }],
      refresh: [{ id: 1, cluster: 'web', row }],
    });
    assert.throws(() => startRun(options({ full_name: 'o/n', stars: '12' })), /options\.refresh\[0\]\.row\.stars/);
    assert.throws(() => startRun(options({ full_name: 'o/n', topics: 'a,b' })), /options\.refresh\[0\]\.row\.topics/);
    assert.throws(() => startRun(options({ full_name: 'o/n', is_fork: 0 })), /options\.refresh\[0\]\.row\.is_fork/);
  });
});
