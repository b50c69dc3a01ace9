// The behaviour every Sink (js/storage/sink.js) must have, as node:test cases shared by
// the PostgreSQL, PGlite and Supabase test files. `readRepository(id)` reads one stored
// row straight from the database behind the sink (not through it).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { AWKWARD, makeRepositories, makeRepository } from './repositories.js';

/**
 * @param {string} title
 * @param {{open: () => Promise<import('../../js/storage/sink.js').Sink>,
 *          readRepository: (id: number) => Promise<object|undefined>,
 *          cleanup?: () => Promise<void>}} backend
 */
export function sinkContract(title, backend) {
  describe(title, () => {
    let sink;
    before(async () => {
      sink = await backend.open();
      await sink.check();
    });
    after(async () => {
      await sink?.close();
      await backend.cleanup?.();
    });

    it('creates the schema, and creating it again changes nothing', async () => {
      await sink.ensureSchema();
      await sink.upsertRepositories([makeRepository(1)]);
      await sink.ensureSchema();
      assert.deepEqual([...await sink.loadKnownIds()], [1001]);
    });

    it('inserts, then updates on id: ingested_at kept, refreshed_at moved on', async () => {
      await sink.upsertRepositories([makeRepository(2, { stars: 5 })]);
      const first = await backend.readRepository(1002);
      assert.equal(first.stars, 5);
      await sleep(20);
      await sink.upsertRepositories([makeRepository(2, { stars: 6, topics: ['changed'] })]);
      const second = await backend.readRepository(1002);
      assert.equal(second.stars, 6);
      assert.deepEqual(second.topics, ['changed']);
      assert.equal(new Date(second.ingested_at).getTime(), new Date(first.ingested_at).getTime());
      assert.ok(new Date(second.refreshed_at) > new Date(first.refreshed_at),
        `refreshed_at ${second.refreshed_at} after ${first.refreshed_at}`);
    });

    it('keeps the last of several rows with one id in a batch', async () => {
      const { written } = await sink.upsertRepositories([
        makeRepository(3, { stars: 1 }), makeRepository(4), makeRepository(3, { stars: 3 }),
      ]);
      assert.equal(written, 2);
      assert.equal((await backend.readRepository(1003)).stars, 3);
    });

    it('stores quotes, backslashes, unicode, nulls, arrays with commas and jsonb as given', async () => {
      const row = makeRepository(5, {
        ...AWKWARD, license: null, watchers: null, pushed_at: null, complexity: null, languages: AWKWARD.languages,
      });
      await sink.upsertRepositories([row, makeRepository(6, { languages: null, description: 'nul\u0000byte' })]);
      const stored = await backend.readRepository(1005);
      for (const key of ['description', 'homepage', 'topics', 'tech_stack', 'badges', 'languages', 'license',
        'watchers', 'pushed_at', 'complexity', 'clusters', 'is_gem', 'is_fork', 'full_name']) {
        assert.deepEqual(stored[key], row[key], key);
      }
      assert.equal(new Date(stored.created_at).toISOString(), row.created_at);
      const other = await backend.readRepository(1006);
      assert.equal(other.languages, null);
      assert.equal(other.description, 'nulbyte', 'U+0000 dropped (PostgreSQL text cannot hold it)');
    });

    it('writes nothing of a batch that has a bad row', async () => {
      const bad = makeRepository(8);
      delete bad.html_url;
      await assert.rejects(sink.upsertRepositories([makeRepository(7), bad]), /html_url|null/);
      assert.equal(await backend.readRepository(1007), undefined);
    });

    it('removes a stored row whose full_name another id now holds', async () => {
      await sink.upsertRepositories([makeRepository(9, { full_name: 'someone/reused' })]);
      await sink.upsertRepositories([makeRepository(10, { full_name: 'someone/reused' })]);
      assert.equal(await backend.readRepository(1009), undefined);
      assert.equal((await backend.readRepository(1010)).full_name, 'someone/reused');
    });

    it('adds the clusters that found a stored repository later, keeping the stored order', async () => {
      await sink.upsertRepositories([
        makeRepository(21, { cluster: 'web', clusters: ['web'] }),
        makeRepository(22, { cluster: 'data', clusters: ['data', 'web'] }),
      ]);
      const { changed } = await sink.addClusters([
        { id: 1021, clusters: ['web', 'devops', 'ai_ml', 'devops'] },
        { id: 1022, clusters: ['web', 'data'] },   // nothing new
        { id: 999999, clusters: ['web'] },         // not stored: ignored
      ]);
      assert.equal(changed, 1);
      assert.deepEqual((await backend.readRepository(1021)).clusters, ['web', 'devops', 'ai_ml']);
      assert.deepEqual((await backend.readRepository(1022)).clusters, ['data', 'web']);
      assert.deepEqual(await sink.addClusters([]), { changed: 0 });
    });

    it('saves and loads ETags per repository and endpoint', async () => {
      await sink.saveEtags([
        { repository_id: 1001, endpoint: 'repository', etag: 'W/"a"' },
        { repository_id: 1001, endpoint: 'languages', etag: '"b"' },
        { repository_id: 1002, endpoint: 'repository', etag: '"old"' },
        { repository_id: 1002, endpoint: 'repository', etag: '"c"' },
      ]);
      await sink.saveEtags([{ repository_id: 1001, endpoint: 'languages', etag: '"b2"' }]);
      const etags = await sink.loadEtags();
      assert.deepEqual(etags.get(1001), { repository: 'W/"a"', languages: '"b2"' });
      assert.deepEqual(etags.get(1002), { repository: '"c"' });
    });

    it('loads what --refresh needs: stored rows of clusters with their ETag, rows by id', async () => {
      const rows = [
        makeRepository(31, { cluster: 'web', clusters: ['web', 'data'] }),
        makeRepository(32, { cluster: 'data', clusters: ['data'] }),
        makeRepository(33, { cluster: 'web', clusters: ['web'] }),
      ];
      await sink.upsertRepositories(rows);
      await sink.saveEtags([
        { repository_id: 1031, endpoint: 'repository', etag: 'W/"r31"' },
        { repository_id: 1033, endpoint: 'languages', etag: '"l33"' },
      ]);
      const targets = (await sink.loadRefreshTargets(['web'])).filter((t) => t.id >= 1031 && t.id <= 1033);
      assert.deepEqual(targets, [
        { id: 1031, cluster: 'web', clusters: ['web', 'data'], etag: 'W/"r31"' },
        { id: 1033, cluster: 'web', clusters: ['web'], etag: null },
      ]);
      const loaded = await sink.loadRepositories([1033, 1031, 999999]);
      assert.deepEqual(loaded.map((row) => row.id).sort(), [1031, 1033]);
      const row = loaded.find((r) => r.id === 1031);
      assert.deepEqual(row.languages, rows[0].languages);
      assert.deepEqual(row.topics, rows[0].topics);
      assert.equal(typeof row.pushed_at, 'string');
      assert.equal(Date.parse(row.pushed_at), Date.parse(rows[0].pushed_at));
      assert.deepEqual(await sink.loadRepositories([]), []);
    });

    it('records runs: the last one with its options and summary', async () => {
      const first = await sink.recordRun({ cluster: ['all'] });
      await sink.finishRun(first, { status: 'failed', summary: { error: 'x' } });
      const id = await sink.recordRun({ cluster: ['web'], limit: 10 });
      assert.equal((await sink.lastRun()).status, 'running');
      await sink.finishRun(id, { status: 'done', summary: { repos_written: 3, clusters: { web: { added: 3 } } } });
      const run = await sink.lastRun();
      assert.equal(run.id, id);
      assert.equal(run.status, 'done');
      assert.deepEqual(run.options, { cluster: ['web'], limit: 10 });
      assert.deepEqual(run.summary, { repos_written: 3, clusters: { web: { added: 3 } } });
      assert.ok(run.finished_at >= run.started_at);
      await assert.rejects(sink.finishRun(id, { status: 'bogus' }), TypeError);
    });

    // Pending work: clusters of their own (p_*), so that the counts of other cases hold.
    const pendingRepo = (id, overrides = {}) => ({
      id, nodeId: `R_${id}`, fullName: `owner/pending-${id}`, cluster: 'p_web', clusters: ['p_web'],
      attempts: 4, lastError: 'GraphQL timed out (502) after 4 attempts', ...overrides,
    });
    const withoutTimes = ({ firstFailedAt, lastFailedAt, ...rest }) => rest;

    it('saves and loads pending repositories and searches, oldest first, counted per cluster', async () => {
      await sink.savePending({
        repositories: [
          pendingRepo(5_000_001, { clusters: ['p_web', 'p_data'], lastError: 'it\'s "quoted", ünï 🚀' }),
          pendingRepo(5_000_002, { nodeId: null, fullName: null, lastError: null, attempts: 1 }),
        ],
        searches: [
          { cluster: 'p_web', query: 'topic:react stars:>=10', range: null, attempts: 3, lastError: 'HTTP 502' },
          { cluster: 'p_web', query: 'topic:react stars:>=10', range: 'created:2020-01-01..2020-06-30', attempts: 2, lastError: 'HTTP 504' },
        ],
      }, { clusters: ['p_web'] });
      await sink.savePending({ repositories: [pendingRepo(5_000_003, { cluster: 'p_data', clusters: ['p_data'] })], searches: [] },
        { clusters: ['p_data'] });

      const web = await sink.loadPending(['p_web']);
      assert.deepEqual(web.repositories.map(withoutTimes), [
        pendingRepo(5_000_001, { clusters: ['p_web', 'p_data'], lastError: 'it\'s "quoted", ünï 🚀' }),
        pendingRepo(5_000_002, { nodeId: null, fullName: null, lastError: null, attempts: 1 }),
      ]);
      assert.deepEqual(web.searches.map(withoutTimes), [
        { cluster: 'p_web', query: 'topic:react stars:>=10', range: null, attempts: 3, lastError: 'HTTP 502' },
        { cluster: 'p_web', query: 'topic:react stars:>=10', range: 'created:2020-01-01..2020-06-30', attempts: 2, lastError: 'HTTP 504' },
      ]);
      for (const row of [...web.repositories, ...web.searches]) {
        assert.ok(!Number.isNaN(Date.parse(row.firstFailedAt)) && row.lastFailedAt >= row.firstFailedAt, JSON.stringify(row));
      }
      const both = await sink.loadPending(['p_web', 'p_data']);
      assert.deepEqual(both.repositories.map((repo) => repo.id).sort(), [5_000_001, 5_000_002, 5_000_003]);
      assert.deepEqual(await sink.loadPending(['p_none']), { repositories: [], searches: [] });

      const counts = await sink.pendingCounts();
      assert.deepEqual(counts.byCluster.p_web, { repositories: 2, searches: 2 });
      assert.deepEqual(counts.byCluster.p_data, { repositories: 1, searches: 0 });
      assert.ok(counts.repositories >= 3 && counts.searches >= 2);
    });

    it('replaces the pending work of the clusters given: attempts added up, first failure and finders kept', async () => {
      const [before] = (await sink.loadPending(['p_web'])).repositories;
      await sleep(20);
      await sink.savePending({
        repositories: [
          pendingRepo(5_000_001, { clusters: ['p_web', 'p_ops'], attempts: 2, lastError: 'HTTP 502' }),
          pendingRepo(5_000_004, { attempts: 1 }),
          pendingRepo(5_000_004, { attempts: 3 }),   // the last of one id wins
        ],
        searches: [
          { cluster: 'p_web', query: 'topic:react stars:>=10', range: 'created:2020-01-01..2020-06-30', attempts: 1, lastError: 'HTTP 500' },
        ],
      }, { clusters: ['p_web'] });
      const web = await sink.loadPending(['p_web']);
      assert.deepEqual(web.repositories.map((repo) => [repo.id, repo.attempts, repo.lastError]), [
        [5_000_001, 6, 'HTTP 502'],   // 4 before + 2 now
        [5_000_004, 3, pendingRepo(0).lastError],
      ]);
      const again = web.repositories[0];
      assert.deepEqual(again.clusters, ['p_web', 'p_ops', 'p_data']);
      assert.equal(again.firstFailedAt, before.firstFailedAt);
      assert.ok(again.lastFailedAt > before.lastFailedAt, `${again.lastFailedAt} after ${before.lastFailedAt}`);
      // 5,000,002 and the whole-query search were not given again: done.
      assert.deepEqual(web.searches.map((search) => [search.range, search.attempts, search.lastError]), [
        ['created:2020-01-01..2020-06-30', 3, 'HTTP 500'],
      ]);
      // Another cluster's pending work is left alone.
      assert.deepEqual((await sink.loadPending(['p_data'])).repositories.map((repo) => repo.id), [5_000_003]);

      await sink.savePending({ repositories: [], searches: [] }, { clusters: ['p_web', 'p_data'] });
      assert.deepEqual(await sink.loadPending(['p_web', 'p_data']), { repositories: [], searches: [] });
      assert.equal((await sink.pendingCounts()).byCluster.p_web, undefined);
      await assert.rejects(sink.savePending({ repositories: [] }), TypeError);
    });

    it('forgets named pending rows done since, and replaces no cluster, in the same save (SQL sinks)', async (t) => {
      if (sink.kind === 'supabase') {
        await assert.rejects(sink.savePending({ repositories: [], searches: [] }, { clusters: [], forget: { repositoryIds: [], searches: [] } }), TypeError);
        return;
      }
      const search = (query, range = null) => ({ cluster: 'p_job', query, range, attempts: 1, lastError: 'HTTP 502' });
      await sink.savePending({
        repositories: [pendingRepo(5_000_071, { cluster: 'p_job', clusters: ['p_job'] }), pendingRepo(5_000_072, { cluster: 'p_job', clusters: ['p_job'] })],
        searches: [search('topic:a'), search('topic:b', 'created:2020-01-01..2020-06-30'), search('topic:c')],
      }, { clusters: ['p_job'] });
      // A host of the job did 5_000_071, topic:a and topic:b's range; topic:c failed again,
      // and it adds a failure of its own; another host's row (5_000_072) stays.
      await sink.savePending({ repositories: [pendingRepo(5_000_073, { cluster: 'p_job', clusters: ['p_job'] })], searches: [search('topic:c')] }, {
        clusters: [],
        forget: { repositoryIds: [5_000_071], searches: [search('topic:a'), search('topic:b', 'created:2020-01-01..2020-06-30')] },
      });
      const left = await sink.loadPending(['p_job']);
      assert.deepEqual(left.repositories.map((repo) => repo.id).sort(), [5_000_072, 5_000_073]);
      assert.deepEqual(left.searches.map((s) => [s.query, s.attempts]), [['topic:c', 2]]);
      t.diagnostic(`${sink.kind}: forgot 1 repository and 2 searches in the save`);
    });

    it('leaves out pending repositories stored since (a run killed before saving its pending rows)', async () => {
      await sink.savePending({
        repositories: [pendingRepo(1_041, { cluster: 'p_kill', clusters: ['p_kill'] }), pendingRepo(5_000_042, { cluster: 'p_kill', clusters: ['p_kill'] })],
        searches: [],
      }, { clusters: ['p_kill'] });
      await sink.upsertRepositories([makeRepository(41, { cluster: 'p_kill', clusters: ['p_kill'] })]);   // id 1041
      assert.deepEqual((await sink.loadPending(['p_kill'])).repositories.map((repo) => repo.id), [5_000_042]);
      assert.deepEqual((await sink.pendingCounts()).byCluster.p_kill, { repositories: 1, searches: 0 });
    });

    it('saves pending work whole or not at all', async () => {
      await sink.savePending({ repositories: [pendingRepo(5_000_051, { cluster: 'p_tx', clusters: ['p_tx'] })], searches: [] },
        { clusters: ['p_tx'] });
      const bad = { cluster: 'p_tx', query: null, range: null, attempts: 1, lastError: 'x' };   // query is NOT NULL
      await assert.rejects(sink.savePending({ repositories: [pendingRepo(5_000_052, { cluster: 'p_tx' })], searches: [bad] },
        { clusters: ['p_tx'] }));
      assert.deepEqual((await sink.loadPending(['p_tx'])).repositories.map((repo) => [repo.id, repo.attempts]), [[5_000_051, 4]]);
    });

    it('round-trips 10,000 repositories; known ids and per-cluster counts match', async (t) => {
      const rows = makeRepositories(10_000, 100_000);
      const started = performance.now();
      const { written } = await sink.upsertRepositories(rows);
      const upsertMs = performance.now() - started;
      assert.equal(written, 10_000);
      const ids = await sink.loadKnownIds();
      for (const row of rows) assert.ok(ids.has(row.id), `id ${row.id} known`);
      const counts = await sink.clusterCounts();
      const expected = {};
      for (const row of rows) expected[row.cluster] = (expected[row.cluster] ?? 0) + 1;
      const stored = await backend.readRepository(rows[9_999].id);
      assert.deepEqual(stored.topics, rows[9_999].topics);
      assert.equal(Object.values(counts).reduce((a, b) => a + b, 0), ids.size);
      for (const [cluster, n] of Object.entries(expected)) assert.ok(counts[cluster] >= n, cluster);
      // Again: all updates this time.
      const again = performance.now();
      await sink.upsertRepositories(rows);
      const updateMs = performance.now() - again;
      assert.equal((await sink.loadKnownIds()).size, ids.size);
      t.diagnostic(`${title}: 10,000 rows inserted in ${upsertMs.toFixed(0)} ms, updated in ${updateMs.toFixed(0)} ms`);
    });
  });
}
