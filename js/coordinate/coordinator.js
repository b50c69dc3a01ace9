// One host's part in a coordinated job (--coordinate): between its engine run and the
// job's tables (job.js). It
//   - checks this host's tokens while the job's other hosts hold off (a user's requests
//     stay serial across hosts even at start), then registers their users;
//   - beats once per tick: tells the database which lanes it holds (with what the pool
//     knows of them) and which it has drained, and holds or releases the lanes the
//     database hands it or takes back (the pool sends nothing for a user it does not
//     hold);
//   - answers the engine's gate: which queries this host runs, which repositories it
//     may fetch, and, when it has nothing left, the work of hosts that died.
import { checkTokens as checkTokensWithGitHub } from '../../binding/index.js';

// What the pool tells of a user, as the database keeps it (UserShare in token_pool.h).
const stateOf = (share) => ({
  buckets: share.buckets ?? [],
  pausedUntilMs: share.pausedUntilMs ?? 0,
  strikes: share.strikes ?? 0,
  narrowedWidth: share.narrowedWidth ?? 0,
  restMinuteMs: share.restMinuteMs ?? [],
  graphqlMinuteMs: share.graphqlMinuteMs ?? [],
});

// A token check's buckets as a user's state: the lowest remaining seen for each resource
// among the user's tokens (they share it).
function checkedState(resources) {
  return {
    buckets: Object.entries(resources ?? {}).map(([resource, b]) => ({
      resource, limit: b.limit, remaining: b.remaining, reset: b.reset,
    })),
  };
}

// Each user's state from its tokens' checks: per resource the latest window, and in one
// window the lowest remaining (the user's tokens share it).
function statesOf(checks) {
  const states = {};
  for (const check of checks) {
    const state = checkedState(check.resources);
    const before = states[check.login];
    if (!before) {
      states[check.login] = state;
      continue;
    }
    for (const b of state.buckets) {
      const known = before.buckets.find((x) => x.resource === b.resource);
      if (!known) before.buckets.push(b);
      else if (b.reset > known.reset || (b.reset === known.reset && b.remaining < known.remaining)) Object.assign(known, b);
    }
  }
  return states;
}

export class Coordinator {
  /**
   * @param {{job: import('./job.js').CoordinatedJob, tickMs?: number, stderr?: NodeJS.WritableStream,
   *   onLost?: (message: string) => void}} options
   */
  constructor({ job, tickMs = 1000, stderr = process.stderr, onLost = () => {} }) {
    this.job = job;
    this.tickMs = tickMs;
    this.stderr = stderr;
    this.onLost = onLost;
    this.run = null;
    this.leased = new Set();   // logins this host holds in the database (drained or not)
    this.releasing = new Set(); // of those, the ones it was asked to give back
    this.cancelled = new Set();
    this.timer = null;
    this.stopping = false;
    this.ticking = null;
    this.lastSync = null;
    this.syncFailures = 0;
    this.counts = {
      claimed: 0, claimedElsewhere: 0, offered: 0, queries: 0, queriesSkipped: 0, adoptedQueries: 0, adoptedRepositories: 0,
      takenOver: 0,
    };
    this.idleHosts = 0;  // the job's other hosts with nothing to do, at the last beat
  }

  /** Installs the job's tables, joins (or opens) the job, and starts beating. */
  async join({ key, createdUpper, wanted, stored }) {
    await this.job.install();
    this.joined = await this.job.join({ key, createdUpper, wanted, stored });
    this.schedule();
    return this.joined;
  }

  schedule() {
    if (this.stopping) return;
    this.timer = setTimeout(() => {
      this.ticking = this.tick().finally(() => {
        this.ticking = null;
        this.schedule();
      });
    }, this.tickMs);
    this.timer.unref?.();
  }

  /** Waits for the next beat to have happened (or failed). */
  nextBeat() {
    return new Promise((resolve) => setTimeout(resolve, this.tickMs));
  }

  async tick() {
    const users = this.run ? this.run.users() : [];
    const held = {};
    const released = {};
    for (const user of users) {
      if (!this.leased.has(user.login)) continue;
      if (user.held) held[user.login] = stateOf(user.share);
      else if (user.inFlight === 0) released[user.login] = stateOf(user.share);
    }
    const stats = this.run?.stats();
    const status = {
      wants: Boolean(this.run && !this.idle && (stats?.waiting ?? 0) > 0),
      held, released,
      progress: { ...this.counts, requests: stats?.totalRequests ?? 0 },
    };
    let answer;
    const sentAt = Date.now();
    try {
      answer = await this.job.sync(status);
      this.syncFailures = 0;
      this.lastSync = sentAt;
      // Users another host took while this one's heartbeat had expired: given up before
      // the leases are renewed, so not one more request goes out for them from here.
      for (const login of answer.lost ?? []) {
        this.leased.delete(login);
        this.releasing.delete(login);
        this.run?.releaseUser(login);
      }
      // Likewise the repositories it had claimed: dropped from its queue, not fetched twice.
      const taken = (answer.taken ?? []).map(Number);
      if (taken.length) this.counts.takenOver += taken.length;
      if (taken.length && this.run) this.run.dropClaims(taken);
      if (answer.lost?.length || taken.length) {
        this.stderr.write(`coordinate: this host's heartbeat had expired; other hosts took over ${answer.lost?.length ?? 0} ` +
          `of its users and ${taken.length} of its repositories, and it goes on with the rest\n`);
      }
      // The database keeps this host's leases until TTL after it committed this beat,
      // which is later than we sent it: half a TTL from the sending leaves the other
      // half for requests already in flight to end before another host may take over.
      this.run?.renewLeases(sentAt + this.job.ttlMs / 2);
    } catch (err) {
      this.syncFailures += 1;
      if (err.code === 'P0002') return this.lose(err.message);
      // The database is out of reach: once our heartbeat may have expired, another host
      // may hold our users; stop sending for them now.
      if (Date.now() - (this.lastSync ?? Date.now()) > this.job.ttlMs / 2) {
        for (const login of this.leased) this.run?.releaseUser(login);
        this.leased.clear();
        this.releasing.clear();
      }
      if (this.syncFailures === 1) this.stderr.write(`warning: coordination: ${String(err.message).split('\n')[0]}\n`);
      return undefined;
    }
    this.idleHosts = Number(answer.idle ?? 0);
    // Hosts with nothing to do get a share of what waits here.
    if (this.idleHosts > 0 && !this.idle) this.run?.offerToIdleHosts(this.idleHosts);
    for (const login of Object.keys(released)) {
      this.leased.delete(login);
      this.releasing.delete(login);
    }
    for (const [login, state] of Object.entries(answer.grant ?? {})) {
      this.leased.add(login);
      this.run?.holdUser({ login, ...state });
    }
    for (const login of answer.release ?? []) {
      if (this.releasing.has(login)) continue;
      this.releasing.add(login);
      this.run?.releaseUser(login);
    }
    return answer;
  }

  lose(message) {
    for (const login of this.leased) this.run?.releaseUser(login);
    this.leased.clear();
    this.onLost(message.replace(/^gh-ingest: /, ''));
  }

  /**
   * Checks this host's tokens (GET /user and GET /rate_limit, one token at a time) while
   * every other host of the job has released its lanes (the check's lease renewed before
   * each token), and registers their users. A token whose core quota is spent is asked
   * who it is through GraphQL's viewer (`graphqlUrl`; by default derived from `apiUrl`);
   * one whose GraphQL quota is spent too is checked again after the core reset, with the
   * lease taken anew, so the others do not hold off meanwhile.
   * @returns {Promise<{tokens: string[], logins: string[], checks: object[]}>} the usable tokens
   */
  async checkTokens(tokens, { apiUrl, graphqlUrl, maskToken }) {
    const usable = [];   // [{token, check}]
    const failed = [];
    let toCheck = tokens;
    while (toCheck.length) {
      // One token at a time, each under a check lease taken anew: the lease lasts one TTL,
      // and many tokens (or a slow GitHub) take longer than that to check; once it lapsed
      // the others would send for the users this host is still asking about.
      const checks = [];
      for (const token of toCheck) {
        while (!(await this.job.beginCheck())) await this.nextBeat();
        checks.push(...await checkTokensWithGitHub([token], { apiUrl, ...(graphqlUrl ? { graphqlUrl } : {}), threads: 1, rateLimitFirst: true }));
      }
      const spent = [];
      for (const [i, check] of checks.entries()) {
        if (check.status === 'ok' && check.login) usable.push({ check, token: toCheck[i] });
        else if (check.status === 'failed' && check.resources?.core?.remaining === 0) spent.push({ check, token: toCheck[i] });
        else failed.push(check);
      }
      const all = usable.map(({ check }) => check);
      await this.job.endCheck({
        logins: [...new Set(all.map((check) => check.login))],
        masks: usable.map(({ token }) => maskToken(token)),
        states: statesOf(all),
      });
      toCheck = spent.map(({ token }) => token);
      if (!toCheck.length || this.stopping) break;
      const resetMs = Math.min(...spent.map(({ check }) => check.resources.core.reset * 1000)) + 1000;
      this.stderr.write(`coordinate: the core and GraphQL quotas of ${toCheck.length} token(s) are spent; they are checked after the core reset, ` +
        `at ${new Date(resetMs).toLocaleTimeString()}\n`);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, resetMs - Date.now())));
    }
    return {
      tokens: usable.map(({ token }) => token),
      logins: usable.map(({ check }) => check.login),
      checks: [...usable.map(({ check }) => check), ...failed],
    };
  }

  /** Binds the engine run: from now on lanes are held and released on it. */
  attach(run) {
    this.run = run;
  }

  /**
   * The engine's gate (startRun's `gate` handler). `queries`: every query of this host's
   * groups, for the ones another host left untaken.
   */
  gate({ queries = [] } = {}) {
    return {
      takeQuery: async (query) => {
        const mine = await this.job.takeQuery(query);
        this.counts[mine ? 'queries' : 'queriesSkipped'] += 1;
        return mine;
      },
      queryDone: (query, complete) => this.job.queryDone(query, complete),
      claim: async (items) => {
        // Each item comes with its search fields (`row`): sent only while other hosts are
        // idle, when the job may offer some of them to those hosts.
        const sent = this.idleHosts > 0 ? items : items.map(({ row, ...item }) => item);
        const { accepted, offered = [], full } = await this.job.claim(sent);
        const mine = new Set(accepted.map(Number));
        const given = new Set(offered.map(Number));
        this.counts.claimed += mine.size;
        this.counts.offered += given.size;
        this.counts.claimedElsewhere += items.length - mine.size;
        for (const cluster of full) {
          if (this.cancelled.has(cluster)) continue;
          this.cancelled.add(cluster);
          this.run?.cancelGroup(cluster);
        }
        return items.map((item) => (given.has(Number(item.id)) ? 'offered' : mine.has(Number(item.id))));
      },
      // Queued repositories offered to idle hosts (run.offerToIdleHosts, from the beat).
      offer: async (items) => {
        const given = new Set((await this.job.offer(items)).map(Number));
        this.counts.offered += given.size;
        return items.map((item) => (given.has(Number(item.id)) ? 'offered' : false));
      },
      adopt: async () => {
        this.idle = true;
        try {
          for (;;) {
            if (this.stopping) return { queries: [], owed: [] };
            const adopted = await this.job.adopt(queries);
            const { owed, wait } = adopted;
            if (adopted.queries.length || owed.length) {
              this.counts.adoptedQueries += adopted.queries.length;
              this.counts.adoptedRepositories += owed.length;
              return { queries: adopted.queries, owed };
            }
            if (!wait) return { queries: [], owed: [] };
            await this.nextBeat();
          }
        } finally {
          this.idle = false;
        }
      },
    };
  }

  /** The run is stopping (a signal, a storage failure): the gate asks nothing more. */
  halt() {
    this.stopping = true;
  }

  /**
   * Stops beating and leaves the job, handing its users' last state back. `complete`: the
   * run ended with nothing left to do (its queries cut short by the job's quotas are done).
   */
  async leave({ complete = false } = {}) {
    this.stopping = true;
    clearTimeout(this.timer);
    await this.ticking;
    const states = {};
    for (const user of this.run ? this.run.users() : []) {
      if (this.leased.has(user.login)) states[user.login] = stateOf(user.share);
    }
    this.leased.clear();
    return this.job.leave({ states, progress: this.counts, complete });
  }
}
