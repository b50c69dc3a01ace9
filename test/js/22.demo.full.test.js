// The demo can run the whole job: its simulator's corpus holds enough repositories for
// every default cluster's quota, and its closing lines turn the run's own request counts
// into GitHub's quota time. A full 20,000 run takes over a minute (it waits for a search
// window, as on GitHub), so it runs only with GH_INGEST_TEST_DEMO_FULL=1; the corpus
// property it relies on is checked here directly.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { loadClusters, searchQueries } from '../../js/config/clusters.js';
import { GITHUB_LIMITS, SIMULATOR, costLines, formatDuration, githubCost, quotaLine } from '../../js/demo.js';
import { get } from '../simulator/client.js';
import { startSimulator } from '../simulator/index.js';
import { compileQuery } from '../simulator/search-query.js';
import { node, root, tempDir } from '../support/helpers.js';

// The fields of the ingest's JSON summary that the demo reads.
const summaryOf = ({ search = 0, core = 0, graphql = 0, points = graphql, written = 0, clusters = {} } = {}) => ({
  repos_written: written,
  clusters,
  requests: { total: search + core + graphql, search, core, graphql, graphql_points: points },
});

describe('demo: what the run would cost on GitHub (githubCost, costLines)', () => {
  it('divides each resource\'s count by ten users\' quota at GitHub\'s limits', () => {
    const cost = githubCost(summaryOf({ search: 600, core: 100_000, graphql: 250, points: 300, written: 20_000 }));
    assert.equal(cost.tokens, 10);
    assert.deepEqual(cost.resources.search, { spent: 600, seconds: 120 });      // 300 a minute
    assert.deepEqual(cost.resources.core, { spent: 100_000, seconds: 7200 });   // 50,000 an hour
    assert.deepEqual(cost.resources.graphql, { spent: 300, seconds: 21.6 });    // points, 50,000 an hour
    assert.equal(cost.bound, 'core');
    assert.equal(cost.seconds, 7200);
    // Over REST: three core requests per new repository on top of the run's own.
    assert.deepEqual(cost.rest, { core: 160_000, seconds: 11_520 });
  });

  it('follows the tokens and names the slowest resource', () => {
    const cost = githubCost(summaryOf({ search: 600, core: 10, graphql: 20 }), { tokens: 2 });
    assert.equal(cost.resources.search.seconds, 600 / (GITHUB_LIMITS.search.perWindow * 2) * 60);
    assert.equal(cost.bound, 'search');
  });

  it('prints counts, limits and durations', () => {
    const lines = costLines(githubCost(summaryOf({ search: 394, core: 190, graphql: 260, written: 20_000 })));
    assert.match(lines[0], /^On GitHub, with 10 tokens of 10 users/);
    assert.match(lines[1], /^ {2}search +394 requests +30\/min +79 s$/);
    assert.match(lines[2], /^ {2}core +190 requests +5,000\/h +14 s$/);
    assert.match(lines[3], /^ {2}GraphQL +260 points \(260 queries\) +5,000 points\/h +19 s$/);
    assert.match(lines[4], /^ {2}about 79 s at GitHub's limits: search sets the pace/);
    assert.match(lines[5], /--api=rest\): 60,190 core requests, 72\.2 min$/);
    assert.deepEqual([45, 89.4, 90, 5399, 5400, 36_000].map(formatDuration),
      ['45 s', '89 s', '1.5 min', '90.0 min', '1.5 h', '10.0 h']);
  });

  it('says so when the run sent no request (every quota already met)', () => {
    assert.deepEqual(costLines(githubCost(summaryOf())), ['On GitHub, this run would cost nothing: it sent no request.']);
  });

  it('says whether every quota is met', () => {
    const full = { a: { quota: 3, stored: 3, added: 1 }, b: { quota: 2, stored: 2, added: 2 } };
    assert.equal(quotaLine(summaryOf({ clusters: full })), 'Quotas met: all 2 clusters are full (5 of 5).');
    const part = { a: { quota: 3000, stored: 3000, added: 0 }, b: { quota: 2000, stored: 500, added: 500 } };
    assert.match(quotaLine(summaryOf({ clusters: part })), /^Quotas: 1 of 2 clusters full, 3,500 of 5,000 stored; .*--full/);
  });
});

describe('demo: its simulator\'s corpus fills every default cluster', () => {
  const config = loadClusters();
  let sim;
  before(async () => {
    sim = await startSimulator({
      repositories: SIMULATOR.repositories, tokens: 1, limits: { search: 100_000 },
      clusters: JSON.parse(fs.readFileSync(SIMULATOR.clusters, 'utf8')),
    });
  });
  after(() => sim?.close());

  it('uses the default clusters file', () => {
    assert.equal(SIMULATOR.clusters, config.path);
    assert.equal(SIMULATOR.tokens, 10);
  });

  it('answers each query the ingest sends with as many repositories as the corpus holds', async () => {
    for (const name of Object.keys(config.clusters)) {
      for (const q of searchQueries(config, name)) {
        const query = new URLSearchParams({ q, per_page: '1' });
        const res = await get(`${sim.url}/search/repositories?${query}`, { token: sim.tokens[0] });
        assert.equal(res.status, 200, res.text());
        const { match } = compileQuery(q);
        assert.equal(res.json().total_count, sim.corpus.repositories.filter(match).length, q);
      }
    }
  });

  it('holds, for each cluster, more than its quota in repositories no other cluster\'s queries find', () => {
    // Then no order of the run can let one cluster take what another needs.
    const matchers = Object.keys(config.clusters)
      .map((name) => [name, searchQueries(config, name).map((q) => compileQuery(q).match)]);
    const only = Object.fromEntries(matchers.map(([name]) => [name, 0]));
    for (const repo of sim.corpus.repositories) {
      const found = matchers.filter(([, matches]) => matches.some((match) => match(repo)));
      if (found.length === 1) only[found[0][0]]++;
    }
    for (const [name, { quota }] of Object.entries(config.clusters)) {
      assert.ok(only[name] >= quota * 1.1, `${name}: ${only[name]} repositories only its queries find, quota ${quota}`);
    }
  });
});

describe('npm run demo -- --full (GH_INGEST_TEST_DEMO_FULL=1)', { skip: process.env.GH_INGEST_TEST_DEMO_FULL !== '1' }, () => {
  it('fills all eight clusters to 100% and says the quotas are met', () => {
    const cwd = tempDir();
    const result = node([path.join(root, 'js', 'demo.js'), '--full'], { cwd, timeout: 600_000 });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^20000 repositories written in [\d.]+ s$/m);
    assert.match(result.stdout, /total +20,000 +20,000 +100\.0%/);
    assert.match(result.stdout, /^Quotas met: all 8 clusters are full \(20,000 of 20,000\)\.$/m);
    assert.doesNotMatch(result.stderr, /ran dry/);
    assert.match(result.stdout, /^ {2}about .+ at GitHub's limits: search sets the pace/m);
  });
});
