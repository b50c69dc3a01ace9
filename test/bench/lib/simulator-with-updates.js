#!/usr/bin/env node
// The simulator of the refresh section: test/simulator/cli.js's options that the bench
// uses (tokens, corpus, limits, windows, warm-up, the serial rule, latencies), plus a
// control channel on stdin that changes repositories between runs, as pushes and stars
// do on GitHub between two refreshes. cli.js keeps its simulator to itself, and the
// simulator's HTTP control endpoints change faults, not the corpus.
//
//   node test/bench/lib/simulator-with-updates.js --tokens=10 --repos=25000 --seed=1 ...
//
// Prints {url, tokens, badTokens, warmed} on one line, like cli.js. Then each line on
// stdin, {"update": [id, ...]}, gives each of those repositories one star more
// (corpus.update(): updated_at moves, its documents, ETags and search results are
// rebuilt) and answers {"updated": n} on stdout. Runs until SIGTERM or stdin closes.
import readline from 'node:readline';
import { parseArgs } from 'node:util';

import { startSimulator } from '../../simulator/index.js';

const { values } = parseArgs({
  options: Object.fromEntries(['tokens', 'repos', 'seed', 'core-limit', 'search-limit', 'graphql-limit', 'core-window',
    'search-window', 'warm', 'concurrency', 'latency'].map((name) => [name, { type: 'string' }])),
  strict: true,
});
const number = (name, fallback) => (values[name] === undefined ? fallback : Number(values[name]));
const json = (name) => (values[name] === undefined ? undefined : JSON.parse(values[name]));

const simulator = await startSimulator({
  tokens: number('tokens', 10),
  repositories: number('repos', 20_000),
  seed: number('seed', 1),
  limits: { core: number('core-limit', 5000), search: number('search-limit', 30), graphql: number('graphql-limit', 5000) },
  windows: { core: number('core-window', 3600), search: number('search-window', 60) },
  faults: { ...(values.concurrency ? { concurrency: json('concurrency') } : {}), ...(values.latency ? { latency: json('latency') } : {}) },
  warm: values.warm ? values.warm.split(',') : [],
});
if (simulator.warmed) globalThis.gc?.();
process.stdout.write(`${JSON.stringify({
  url: simulator.url, tokens: simulator.tokens, badTokens: simulator.badTokens, warmed: simulator.warmed,
})}\n`);

async function stop() {
  await simulator.close();
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

const commands = readline.createInterface({ input: process.stdin });
commands.on('line', (line) => {
  const { update = [] } = JSON.parse(line);
  let updated = 0;
  for (const id of update) {
    const repo = simulator.corpus.byId.get(id);
    if (!repo) continue;
    simulator.corpus.update(repo.fullName, { stars: repo.stars + 1 });
    updated++;
  }
  process.stdout.write(`${JSON.stringify({ updated })}\n`);
});
commands.on('close', stop);
