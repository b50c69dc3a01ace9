// The engine driven from JS against the project's GitHub simulator: two clusters with
// details, every repository once and as the simulator has it, no request wasted on an
// empty bucket, stop() mid-run, and a process that exits by itself.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { startRun } from '../../binding/index.js';
import { startSimulator } from '../simulator/index.js';
import { nodeAsync, root } from '../support/helpers.js';

let sim;

before(async () => {
  sim = await startSimulator({ seed: 5, repositories: 1500, tokens: 4, badTokens: 0 });
});
after(() => sim.close());

function collect(options) {
  const batches = [];
  const events = [];
  const run = startRun(
    { tokens: sim.tokens, apiUrl: sim.url, ...options },
    { onBatch: (batch) => { batches.push(batch); }, onEvent: (event) => events.push(event) },
  );
  return { run, batches, events };
}

describe('startRun()', () => {
  it('fetches two clusters with details, each repository once and as GitHub has it', async () => {
    sim.resetStats();
    const { run, batches } = collect({
      groups: [
        { name: 'ai_ml', queries: ['topic:machine-learning', 'topic:llm'], limit: 40 },
        { name: 'web', queries: ['topic:react'], limit: 25 },
      ],
      details: ['languages', 'readme', 'community'],
      batchSize: 10,
    });
    const result = await run.done;
    assert.equal(result.ok, true, result.error);
    const rows = batches.flatMap((batch) => batch.repositories.map((repo) => ({ ...repo, cluster: batch.cluster })));
    const ids = rows.map((row) => row.id);
    assert.equal(new Set(ids).size, ids.length, 'a repository was delivered twice');
    assert.equal(result.clusters.ai_ml.delivered, rows.filter((r) => r.cluster === 'ai_ml').length);
    assert.ok(result.clusters.ai_ml.delivered <= 40);
    assert.ok(result.clusters.web.delivered <= 25);
    assert.ok(rows.length > 20, `only ${rows.length} rows`);
    for (const row of rows) {
      const truth = sim.corpus.byId.get(row.id);
      assert.ok(truth, `unknown id ${row.id}`);
      assert.equal(row.full_name, truth.fullName);
      assert.equal(row.stars, truth.stars);
      assert.deepEqual(row.topics, truth.topics);
      if (row.cluster === 'web') assert.ok(row.topics.includes('react'));
      assert.equal(row.details.languages, 'fetched');
      assert.equal(typeof row.languages, 'object');
      assert.ok(row.readme === null || typeof row.readme === 'string');
    }
    for (const batch of batches) assert.ok(batch.repositories.length <= 10);
    const stats = sim.stats();
    assert.equal(stats.wasted, 0, 'requests sent on an empty bucket');
    assert.equal(result.tokenChecks.length, 4);
  });

  it('lists every cluster that found a repository, in its batch or as a late finder', async () => {
    const known = sim.corpus.repositories.filter((r) => r.topics.includes('react') && !r.fork).slice(0, 3).map((r) => r.id);
    const { run, batches } = collect({
      groups: [
        { name: 'react', queries: ['topic:react'], limit: 1000 },
        { name: 'frontend', queries: ['topic:react', 'topic:frontend'], limit: 1000 },
      ],
      knownIds: known,
    });
    const result = await run.done;
    assert.equal(result.ok, true, result.error);
    const finders = new Map();
    for (const batch of batches) {
      for (const repo of batch.repositories) {
        assert.equal(repo.clusters_found[0], batch.cluster, 'the owning cluster comes first');
        finders.set(repo.id, repo.clusters_found);
      }
    }
    for (const { id, clusters } of result.lateFinders) {
      if (finders.has(id)) assert.ok(clusters.length > finders.get(id).length);
      finders.set(id, clusters);
    }
    for (const id of known) assert.ok(finders.get(id)?.length >= 1, `known ${id} found again but not reported`);
    let both = 0;
    for (const [id, clusters] of finders) {
      if (sim.corpus.byId.get(id).topics.includes('react')) {
        assert.deepEqual([...clusters].sort(), ['frontend', 'react'], `repository ${id}`);
        both++;
      }
    }
    assert.ok(both > 3, `only ${both} repositories found by both clusters`);
  });

  it('cancelGroup() stops one group and leaves the others running', async () => {
    // Slow replies: the cancel reaches the engine while most of a's pages are unsearched.
    sim.setFaults({ slow: 1, slowMs: 40 });
    let run;
    const batches = [];
    run = startRun(
      {
        tokens: sim.tokens, apiUrl: sim.url, batchSize: 5,
        groups: [{ name: 'a', queries: ['stars:>0'], limit: 1500 }, { name: 'b', queries: ['topic:python'], limit: 20 }],
      },
      { onBatch: (batch) => { batches.push(batch); if (batch.cluster === 'a') run.cancelGroup('a'); } },
    );
    assert.throws(() => run.cancelGroup('nope'), /the name of one of the run's groups/);
    const result = await run.done.finally(() => sim.setFaults({}));
    assert.equal(result.ok, true, result.error);
    assert.ok(result.clusters.a.delivered < 1000, `a delivered ${result.clusters.a.delivered}`);
    assert.equal(result.clusters.a.exhausted, false, 'a cancelled group is not short');
    assert.ok(result.clusters.b.delivered > 0);
  });

  it('stop() ends a run early and resolves with what was done', async () => {
    let batches = 0;
    let rows = 0;
    const run = startRun(
      {
        tokens: sim.tokens, apiUrl: sim.url, batchSize: 5, maxUnacked: 1,
        groups: [{ name: 'all', queries: ['stars:>0'], limit: 1000 }],
        details: ['languages'],
      },
      {
        onBatch: (batch) => {
          batches += 1;
          rows += batch.repositories.length;
          if (batches === 2) run.stop();
        },
      },
    );
    const result = await run.done;
    assert.equal(result.stopped, true);
    assert.ok(result.clusters.all.delivered < 1000);
    // Everything fetched reached the handler before done resolved.
    assert.equal(result.clusters.all.delivered, rows);
  });

  it('the process exits by itself after a run, and when Node exits mid-run', async () => {
    const script = (stopEarly) => `
      import { startRun } from ${JSON.stringify(path.join(root, 'binding', 'index.js'))};
      const run = startRun({ tokens: ${JSON.stringify(sim.tokens)}, apiUrl: ${JSON.stringify(sim.url)},
        groups: [{ name: 'g', queries: ['stars:>0'], limit: ${stopEarly ? 1000 : 15} }], details: ['readme'] },
        { onBatch: () => { ${stopEarly ? 'process.exit(0);' : ''} } });
      run.done.then((r) => console.log(JSON.stringify(r.clusters)));
    `;
    const finished = await nodeAsync(['--input-type=module', '-e', script(false)], { timeout: 20_000 });
    assert.equal(finished.status, 0, finished.stderr);
    assert.match(finished.stdout, /"delivered":15/);
    const exited = await nodeAsync(['--input-type=module', '-e', script(true)], { timeout: 20_000 });
    assert.equal(exited.status, 0, exited.stderr);
  });
});
