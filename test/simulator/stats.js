// What the simulator saw: requests by endpoint kind and status, per token and per user,
// and the ones that show a client's mistakes: requests sent on an empty bucket
// (wasted), secondary limits, requests sent during a secondary-limit penalty, and the
// peak number of concurrent requests of one user. GraphQL: queries run and points
// charged (total, per user, per token), plus free invalid queries and RATE_LIMITED answers.
// `cpu`: the simulator process's own CPU time since start or the last reset (user,
// system, total ms, and total ms per counted request), from process.cpuUsage().
// The misbehaviours (misbehaviours.js): GraphQL timeouts and the largest work measured,
// timeouts caused by broken repositories, and the stars drift of search results.
// `concurrencyPeak`: the most requests in flight at once, all users together (per user:
// users[login].concurrencyPeak). `latency`: the answers held for GitHub's latency
// (faults.latency): how many, their total and largest delay in ms, and the same by kind.

function counters() {
  return { requests: 0, wasted: 0, rateLimited: 0, secondaryLimited: 0, duringPenalty: 0, notModified: 0, graphql: { queries: 0, points: 0 } };
}

export class Stats {
  constructor(identities) {
    this.identities = identities;
    this.reset();
  }

  reset() {
    const inFlight = this.users ? new Map([...this.users].map(([login, user]) => [login, user.inFlight])) : new Map();
    this.inFlight ??= 0;
    this.total = { ...counters(), badCredentials: 0, dropped: 0, truncated: 0, slow: 0, incomplete: 0 };
    this.total.concurrencyPeak = 0;
    this.total.latency = { requests: 0, ms: 0, maxMs: 0, byKind: {} };
    this.total.graphql = { queries: 0, points: 0, invalid: 0, rateLimited: 0 };
    this.total.graphqlTimeouts = 0;
    this.total.graphqlMaxWork = 0;
    this.total.broken = { rest: 0, graphql: 0 };
    this.total.drift = { events: 0, moves: 0, repositories: 0 };
    this.driftedIds = new Set();
    this.cpuAtReset = process.cpuUsage();
    this.byKind = {};
    this.byStatus = {};
    this.tokens = new Map();
    this.users = new Map();
    // Every known user is listed, with zeros until it sends; requests in flight survive a reset.
    for (const user of this.identities.users.values()) this.user(user.login);
    for (const [login, count] of inFlight) this.user(login).inFlight = count;
  }

  user(login) {
    let user = this.users.get(login);
    if (!user) this.users.set(login, (user = { ...counters(), concurrencyPeak: 0, inFlight: 0 }));
    return user;
  }

  token(token) {
    let entry = this.tokens.get(token);
    if (!entry) this.tokens.set(token, (entry = counters()));
    return entry;
  }

  /** A request starts: returns the user's number of requests in flight, this one included. */
  begin(login) {
    const user = this.user(login);
    user.inFlight++;
    user.concurrencyPeak = Math.max(user.concurrencyPeak, user.inFlight);
    this.inFlight++;
    this.total.concurrencyPeak = Math.max(this.total.concurrencyPeak, this.inFlight);
    return user.inFlight;
  }

  end(login) {
    const user = this.user(login);
    user.inFlight = Math.max(0, user.inFlight - 1);
    this.inFlight = Math.max(0, this.inFlight - 1);
  }

  /**
   * Records one finished request. `outcome`: wasted, rateLimited, secondaryLimited,
   * duringPenalty, notModified (booleans), fault (kind or undefined), timeout ('budget'
   * or 'broken': answered as a timeout), graphql ({points, work?} for a query run and
   * charged, timed out or not; {invalid: true} for a free error answer), latencyMs (the
   * answer was held that long; present while faults.latency is on).
   */
  record({ token, login, kind, status, outcome = {} }) {
    const targets = [this.total];
    if (login !== undefined) targets.push(this.user(login));
    if (token && this.identities.userOf.has(token)) targets.push(this.token(token));
    for (const target of targets) {
      target.requests++;
      for (const key of ['wasted', 'rateLimited', 'secondaryLimited', 'duringPenalty', 'notModified']) {
        if (outcome[key]) target[key]++;
      }
      if (outcome.graphql?.points !== undefined) {
        target.graphql.queries++;
        target.graphql.points += outcome.graphql.points;
      }
    }
    if (outcome.graphql?.work > this.total.graphqlMaxWork) this.total.graphqlMaxWork = outcome.graphql.work;
    if (outcome.latencyMs !== undefined) {
      const { latency } = this.total;
      const byKind = (latency.byKind[kind] ??= { requests: 0, ms: 0, maxMs: 0 });
      for (const target of [latency, byKind]) {
        target.requests++;
        target.ms += outcome.latencyMs;
        target.maxMs = Math.max(target.maxMs, outcome.latencyMs);
      }
    }
    if (outcome.timeout) {
      if (kind === 'graphql') this.total.graphqlTimeouts++;
      if (outcome.timeout === 'broken') this.total.broken[kind === 'graphql' ? 'graphql' : 'rest']++;
    }
    if (outcome.graphql?.invalid) this.total.graphql.invalid++;
    if (outcome.graphql && outcome.rateLimited) this.total.graphql.rateLimited++;
    if (status === 401) this.total.badCredentials++;
    if (outcome.fault === 'drop') this.total.dropped++;
    if (outcome.fault === 'truncate') this.total.truncated++;
    if (outcome.fault === 'slow') this.total.slow++;
    if (outcome.fault === 'incomplete') this.total.incomplete++;
    const statusKey = String(status);
    const byKind = (this.byKind[kind] ??= { requests: 0, byStatus: {} });
    byKind.requests++;
    byKind.byStatus[statusKey] = (byKind.byStatus[statusKey] ?? 0) + 1;
    this.byStatus[statusKey] = (this.byStatus[statusKey] ?? 0) + 1;
  }

  /** A drift event (drift.js): these repository ids gained stars. */
  recordDrift(ids) {
    this.total.drift.events++;
    this.total.drift.moves += ids.length;
    for (const id of ids) this.driftedIds.add(id);
    this.total.drift.repositories = this.driftedIds.size;
  }

  /** A plain-object copy (JSON-serializable). */
  snapshot() {
    const { userOf } = this.identities;
    const { user, system } = process.cpuUsage(this.cpuAtReset);
    const ms = (user + system) / 1000;
    return {
      ...structuredClone(this.total),
      drift: { ...this.total.drift, ids: [...this.driftedIds].sort((a, b) => a - b) },
      cpu: {
        userMs: Math.round(user / 1000), systemMs: Math.round(system / 1000), ms: Math.round(ms),
        msPerRequest: this.total.requests ? Math.round((1000 * ms) / this.total.requests) / 1000 : null,
      },
      byKind: structuredClone(this.byKind),
      byStatus: { ...this.byStatus },
      tokens: this.identities.tokens.map((token, index) => ({
        index, login: userOf.get(token).login, ...structuredClone(this.tokens.get(token) ?? counters()),
      })),
      users: Object.fromEntries([...this.users].filter(([login]) => login !== '')
        .map(([login, { inFlight, ...rest }]) => [login, structuredClone(rest)])),
    };
  }
}
