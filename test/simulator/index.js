// The GitHub simulator: a local HTTP server that answers the REST endpoints the engine
// uses, with GitHub's rate limits, secondary limits, ETags, gzip and injected faults,
// over a corpus generated from a seed. See README.md in this directory.
import { Corpus } from './corpus.js';
import { SearchDrift } from './drift.js';
import { FaultPlan } from './faults.js';
import { RepoDocuments } from './github-json.js';
import { RateLimiter } from './rate-limiter.js';
import { Routes } from './routes.js';
import { SearchIndex } from './search-index.js';
import { createServer } from './server.js';
import { Stats } from './stats.js';
import { makeIdentities } from './tokens.js';
import { clearCompressedByEtag } from './reply.js';
import { checkWarmParts, warmDocuments } from './warm.js';

export { Corpus } from './corpus.js';
export { FAULT_KINDS } from './faults.js';

/** The fault keys that are also options of their own and have a setter: one switch each. */
const SWITCHES = ['graphqlBudget', 'broken', 'drift', 'concurrency', 'latency'];

/**
 * Starts a simulator. Options (all optional):
 *   seed (1), repositories (20000) or corpus (a Corpus to share), clusters (null: a
 *   clusters file's content to shape the corpus for; corpus.js), tokens (10, or an
 *   array of token strings), badTokens (2), users (logins by token index, an object
 *   token → login, or (token, index) => login; default one user per token),
 *   limits {core, search, graphql}, windows {core, search} in seconds, clock () => ms,
 *   faults (see faults.js), host ('127.0.0.1'), port (0 = any free port), warm (parts
 *   of warm.js to build for the whole corpus before resolving: ['search', 'rest']).
 *   GitHub's misbehaviours (misbehaviours.js; all off by default, each also a key of
 *   `faults`, which it overrides): graphqlBudget {work, delayMs, form}, broken {ids,
 *   rate, delayMs, form}, drift {every, count, floorShare, gain}. Likewise the serial
 *   rule, concurrency {perUser, retryAfter, penalty, status} (faults.js), and GitHub's
 *   latencies, latency (true or {searchMs, restMs, graphqlMs, graphqlWorkMs, fastMs,
 *   scale}; latency.js).
 * Resolves to {url, tokens, badTokens, users, corpus, warmed, stats(), resetStats(),
 *   setFaults(), queueFault(), setGraphqlBudget(), setBroken(), setDrift(),
 *   setConcurrency(), setLatency(), resetLimits(), reset(), close()}.
 */
export async function startSimulator(options = {}) {
  const {
    seed = 1, repositories = 20_000, clusters = null, tokens = 10, badTokens = 2, users, limits, windows,
    clock = Date.now, host = '127.0.0.1', port = 0, warm = [],
  } = options;
  const faults = { ...options.faults };
  for (const key of SWITCHES) if (options[key] !== undefined) faults[key] = options[key];
  checkWarmParts(warm);
  const corpus = options.corpus ?? new Corpus({ seed, repositories, clusters });
  const identities = makeIdentities({ seed, tokens, users, badTokens });
  const limiter = new RateLimiter({ limits, windows, clock });
  const plan = new FaultPlan(seed, faults, clock);
  const stats = new Stats(identities);
  const context = { identities, limiter, faults: plan, stats, routes: null, control: null };
  const server = createServer(context);
  const sockets = new Set();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => { server.off('error', reject); resolve(); });
  });
  const address = server.address();
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  const documents = new RepoDocuments(corpus, { api: url, seed });
  const search = new SearchIndex(corpus, documents);
  const drift = new SearchDrift({ corpus, search, faults: plan, stats, seed });
  context.routes = new Routes({ corpus, documents, search, limiter, faults: plan, api: url, drift });
  const warmed = warm.length
    ? { parts: [...warm], ...warmDocuments({ corpus, documents, search, graphql: context.routes.graphqlEndpoint }, warm) }
    : null;

  const simulator = {
    url,
    tokens: identities.tokens,
    badTokens: identities.badTokens,
    /** [{login, id, tokens: [indexes]}] */
    users: [...identities.users.values()].map((user) => ({
      login: user.login, id: user.id,
      tokens: identities.tokens.flatMap((token, i) => (identities.userOf.get(token) === user ? [i] : [])),
    })),
    corpus,
    server,
    /** {parts, repositories, ms} of the warm-up, or null. */
    warmed,
    /** Counters since start or the last reset; {reset: true} also resets them. */
    stats({ reset = false } = {}) {
      const snapshot = stats.snapshot();
      if (reset) stats.reset();
      return snapshot;
    },
    resetStats() { stats.reset(); },
    /** Replaces the fault configuration (see faults.js). */
    setFaults(next = {}) { plan.set(next); },
    /** The next `count` requests to `path` fail with `kind`: {path, kind, count, ms, retryAfter}. */
    queueFault(fault) { plan.queue(fault); },
    /**
     * GraphQL queries whose work exceeds `work` time out: {work, delayMs, form}, a number
     * (the work) or true (the defaults); null turns it off. Other faults are kept.
     */
    setGraphqlBudget(budget) { plan.change('graphqlBudget', budget); },
    /** Broken repositories: {ids, rate, delayMs, form} or an array of ids; null turns it off. */
    setBroken(broken) { plan.change('broken', broken); },
    /** Search drift: {every, count, floorShare, gain} or true; null turns it off. */
    setDrift(next) { plan.change('drift', next); },
    /**
     * The serial rule: {perUser, retryAfter, penalty, status}, a number (perUser) or true
     * (perUser 1); null turns it off. Penalties already running are kept.
     */
    setConcurrency(next) { plan.change('concurrency', next); },
    /** GitHub's latencies: true, or {searchMs, restMs, graphqlMs, graphqlWorkMs, fastMs, scale}; null turns them off. */
    setLatency(next) { plan.change('latency', next); },
    /** Changes some switches (keys of `faults` but `next`), the rest and the queue kept. */
    changeFaults(changes = {}) {
      for (const key of Object.keys(changes)) if (key === 'next') throw new TypeError('the queue changes with queueFault() or setFaults()');
      // Each value checked before any is applied: a bad one changes nothing.
      for (const [key, value] of Object.entries(changes)) plan.check(key, value);
      for (const [key, value] of Object.entries(changes)) plan.change(key, value);
    },
    /** Refills every bucket. */
    resetLimits() { limiter.reset(); },
    /**
     * The state of a fresh start with the same options, for the next client of a
     * long-lived simulator: buckets refilled, counters and penalties cleared, the
     * initial faults, search results and per-request gzip bodies forgotten (so each
     * client pays for its own searches). Per-repository documents stay built.
     */
    reset() {
      limiter.reset();
      stats.reset();
      plan.reset(faults);
      drift.reset();
      search.clear();
      clearCompressedByEtag();
    },
    /** The bucket of a token: {limit, remaining, used, reset, resource}. */
    rateLimit(token, resource = 'core') { return limiter.peek(identities.userOf.get(token), resource); },
    async close() {
      await new Promise((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
    },
  };

  context.control = (req, res, controlUrl) => control(simulator, req, res, controlUrl);
  return simulator;
}

// Control endpoints for clients in another process (the CLI): not GitHub's, not counted.
//   GET /_simulator/stats[?reset=1]   POST /_simulator/faults (JSON body: the new faults)
//   PATCH /_simulator/faults (JSON body: only the keys to change, e.g. {"concurrency":
//   {"perUser": 1}} or {"latency": null}; changeFaults() above)
//   POST /_simulator/reset (reset() above)
async function control(simulator, req, res, url) {
  const reply = (status, value) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(value));
  };
  if (req.method === 'GET' && url.pathname === '/_simulator/stats') {
    return reply(200, simulator.stats({ reset: url.searchParams.get('reset') === '1' }));
  }
  if ((req.method === 'POST' || req.method === 'PATCH') && url.pathname === '/_simulator/faults') {
    let text = '';
    for await (const chunk of req) text += chunk;
    try {
      const value = JSON.parse(text || '{}');
      if (req.method === 'POST') simulator.setFaults(value);
      else simulator.changeFaults(value);
      return reply(200, { ok: true });
    } catch (err) {
      return reply(400, { message: err.message });
    }
  }
  if (req.method === 'POST' && url.pathname === '/_simulator/reset') {
    for await (const chunk of req) void chunk;
    simulator.reset();
    // The last client's garbage is collected now (node --expose-gc), not in the next run.
    globalThis.gc?.();
    return reply(200, { ok: true });
  }
  return reply(404, { message: 'Not Found' });
}
