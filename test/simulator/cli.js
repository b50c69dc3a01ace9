#!/usr/bin/env node
// Runs the GitHub simulator until SIGINT/SIGTERM, for the demo and for benchmarks in
// another process. Prints one JSON line {url, tokens, badTokens} to stdout once it
// listens; stats are at GET {url}/_simulator/stats, faults at POST {url}/_simulator/faults.
//
//   node test/simulator/cli.js [--port=0] [--host=127.0.0.1] [--tokens=10] [--repos=20000]
//     [--clusters=PATH] [--seed=1] [--core-limit=5000] [--search-limit=30] [--graphql-limit=5000]
//     [--core-window=3600] [--search-window=60] [--users=a,a,b] [--faults=JSON]
//     [--graphql-budget=WORK|JSON] [--broken=ID,ID|JSON] [--drift=on|JSON]
//     [--concurrency=K|JSON] [--latency=github|JSON]
//     [--warm=search,rest,graphql] [--stats-on-exit]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { normalizeConcurrency } from './faults.js';
import { startSimulator } from './index.js';
import { normalizeLatency } from './latency.js';
import { normalizeBroken, normalizeDrift, normalizeGraphqlBudget } from './misbehaviours.js';

const USAGE = `Usage: node test/simulator/cli.js [options]

  --port=N            Port to listen on (default 0: any free port)
  --host=HOST         Address to listen on (default 127.0.0.1)
  --tokens=N          Number of valid tokens (default 10)
  --repos=N           Number of repositories in the corpus (default 20000)
  --seed=N            Seed of the corpus, tokens and faults (default 1)
  --clusters=PATH     Shape the corpus for a clusters file (the ingest's format): 85% of the
                      repositories are each made for one cluster, by quota, with the topics and
                      language of one of its queries (default: off, the usual corpus)
  --core-limit=N      Core requests per window and user (default 5000)
  --search-limit=N    Search requests per window and user (default 30)
  --graphql-limit=N   GraphQL points per window and user (default 5000)
  --core-window=S     Core window in seconds (default 3600)
  --search-window=S   Search window in seconds (default 60)
  --users=LIST        Logins by token index, comma-separated (a repeated login shares one quota)
  --faults=JSON       Fault configuration, e.g. '{"http502":0.01,"secondary":{"every":500,"retryAfter":1}}'
  --graphql-budget=W  GraphQL queries whose work exceeds W time out (502 JSON / 504 HTML), or
                      JSON {"work":750,"delayMs":0,"form":"json|html|mixed"} (default: off)
  --broken=IDS        Repositories (ids, comma-separated) whose details time out on every API,
                      or JSON {"ids":[...],"rate":0.001,"delayMs":0,"form":"mixed"} (default: none)
  --drift=on          Search results drift while clients page: repositories gain stars between
                      search pages; or JSON {"every":1,"count":1,"floorShare":0.25,"gain":null}
  --concurrency=K     GitHub's serial rule: a request of a user that arrives while K of its
                      requests are in flight is a secondary limit (403) and starts a penalty
                      during which every request of that user is refused; or JSON
                      {"perUser":1,"retryAfter":null,"penalty":60,"status":403} (penalty
                      defaults to retryAfter, else 60 s) (default: off)
  --latency=github    Answers delayed as github.com's: search pages 300-700 ms, repository
                      documents 100-300 ms, GraphQL 200-400 ms + 2.5 ms per unit of work
                      (100 repositories of details: ~2.7 s), /rate_limit, /user and refusals
                      30-80 ms; or JSON overriding any figure (ms or [min,max]) and a scale:
                      {"searchMs":[300,700],"restMs":[100,300],"graphqlMs":[200,400],
                      "graphqlWorkMs":2.5,"fastMs":[30,80],"scale":0.1} (default: off)
  --warm=PARTS        Build these documents of every repository before listening:
                      search, rest, graphql (comma-separated; see warm.js)
  --stats-on-exit     Print the request statistics as JSON to stderr on exit
  --help              Show this help
`;

function fail(message) {
  process.stderr.write(`simulator: ${message}\n${USAGE}`);
  process.exit(2);
}

function positive(values, name, fallback, { integer = true } = {}) {
  const text = values[name];
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n))) fail(`--${name} expects a number, got '${text}'`);
  return n;
}

let values;
try {
  ({ values } = parseArgs({
    options: Object.fromEntries([
      'port', 'host', 'tokens', 'repos', 'clusters', 'seed', 'core-limit', 'search-limit', 'graphql-limit', 'core-window',
      'search-window', 'users', 'faults', 'warm', 'graphql-budget', 'broken', 'drift', 'concurrency', 'latency',
    ].map((name) => [name, { type: 'string' }]).concat([['stats-on-exit', { type: 'boolean' }], ['help', { type: 'boolean' }]])),
    strict: true,
  }));
} catch (err) {
  fail(err.message.split('. ')[0]);
}
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

let clusters = null;
if (values.clusters) {
  try {
    clusters = JSON.parse(readFileSync(values.clusters, 'utf8'));
  } catch (err) {
    fail(`--clusters: cannot read '${values.clusters}': ${err.message}`);
  }
}

let faults = {};
if (values.faults) {
  try { faults = JSON.parse(values.faults); } catch { fail(`--faults expects JSON, got '${values.faults}'`); }
}

/** A misbehaviour flag: JSON, or the short form `shorthand` turns into a value; checked by `normalize`. */
function misbehaviour(name, shorthand, normalize) {
  const text = values[name];
  if (text === undefined) return undefined;
  let value;
  try {
    value = /^\s*[{[]/.test(text) ? JSON.parse(text) : shorthand(text);
    normalize(value);
  } catch (err) {
    fail(`--${name}: ${err.message}`);
  }
  return value;
}

const numbers = (text) => text.split(',').map((part) => {
  if (!/^\d+$/.test(part.trim())) throw new TypeError(`expects numbers, got '${text}'`);
  return Number(part);
});
const switches = {
  graphqlBudget: misbehaviour('graphql-budget', (text) => numbers(text)[0], normalizeGraphqlBudget),
  broken: misbehaviour('broken', numbers, normalizeBroken),
  drift: misbehaviour('drift', (text) => {
    if (text !== 'on') throw new TypeError(`expects on or JSON, got '${text}'`);
    return true;
  }, normalizeDrift),
  concurrency: misbehaviour('concurrency', (text) => numbers(text)[0], normalizeConcurrency),
  latency: misbehaviour('latency', (text) => {
    if (text !== 'github') throw new TypeError(`expects github or JSON, got '${text}'`);
    return true;
  }, normalizeLatency),
};
for (const [key, value] of Object.entries(switches)) if (value !== undefined) faults[key] = value;

const simulator = await startSimulator({
  port: positive(values, 'port', 0),
  host: values.host ?? '127.0.0.1',
  tokens: positive(values, 'tokens', 10),
  repositories: positive(values, 'repos', 20_000),
  clusters,
  seed: positive(values, 'seed', 1),
  users: values.users ? values.users.split(',') : undefined,
  limits: {
    core: positive(values, 'core-limit', 5000),
    search: positive(values, 'search-limit', 30),
    graphql: positive(values, 'graphql-limit', 5000),
  },
  windows: {
    core: positive(values, 'core-window', 3600, { integer: false }),
    search: positive(values, 'search-window', 60, { integer: false }),
  },
  faults,
  warm: values.warm ? values.warm.split(',').map((part) => part.trim()).filter(Boolean) : [],
}).catch((err) => fail(err.message));
// After a warm-up the heap holds the whole built corpus: collect the warm-up's garbage
// now (with node --expose-gc) rather than in the first client's run.
if (simulator.warmed) globalThis.gc?.();

process.stdout.write(`${JSON.stringify({
  url: simulator.url, tokens: simulator.tokens, badTokens: simulator.badTokens, warmed: simulator.warmed,
})}\n`);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  if (values['stats-on-exit']) process.stderr.write(`${JSON.stringify(simulator.stats())}\n`);
  await simulator.close();
  process.exit(0);
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
