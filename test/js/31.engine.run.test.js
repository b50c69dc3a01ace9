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
