// Injected failures, deterministic from the seed: the n-th attempt at a given URL fails
// the same way on every run, whatever order concurrent clients send in. Rates per kind,
// plus a queue of "the next N requests to path P fail with K", plus GitHub's secondary
// limits (every N-th request of a user, a random share, or too many concurrent
// requests of one user), plus the misbehaviour switches of misbehaviours.js (GraphQL
// work budget, broken repositories, search drift) and GitHub's latencies (latency.js).
//
// A secondary limit falls on the user: whatever drew it (faults.secondary, the serial
// rule faults.concurrency, a queued 'secondary' fault), the user is then in a penalty,
// and every request it sends before the penalty ends is refused again as a secondary
// limit (GitHub: "Continuing to make requests while you are rate limited may result in
// the banning of your integration", Best practices for using the REST API).
import { latencyMs, normalizeLatency } from './latency.js';
import { normalizeBroken, normalizeDrift, normalizeGraphqlBudget } from './misbehaviours.js';
import { unitHash } from './random.js';

/**
 * Kinds a rate or a queued fault can name. '502json' and '504html' are GitHub's two
 * forms of a timeout (gateway-timeout.js); '502' is an HTML 502 of its own.
 */
export const FAULT_KINDS = ['500', '502', '503', '502json', '504html', 'drop', 'truncate', 'slow', 'incomplete', 'secondary'];
const RATE_KEYS = [
  ['http500', '500'], ['http502', '502'], ['http503', '503'], ['http502json', '502json'], ['http504html', '504html'],
  ['drop', 'drop'], ['truncate', 'truncate'], ['slow', 'slow'],
];
/** Fault kinds answered as a timeout; their `ms` is a wait before the answer (default none). */
export const TIMEOUT_KINDS = { '502json': 'json', '504html': 'html' };

const DEFAULTS = {
  http500: 0, http502: 0, http503: 0, http502json: 0, http504html: 0, drop: 0, truncate: 0, slow: 0, slowMs: 100,
  incomplete: 0, secondary: null, concurrency: null, primaryStatus: 403, gone: 0, next: [],
  graphqlBudget: null, broken: null, drift: null, latency: null,
};

/** The penalty of the serial rule when neither `penalty` nor `retryAfter` is given: GitHub's "at least one minute". */
export const CONCURRENCY_PENALTY = 60;

const nonNegative = (value) => typeof value === 'number' && Number.isFinite(value) && value >= 0;

/**
 * null, or {perUser, retryAfter, penalty, status}: a request of a user that arrives
 * while `perUser` of its requests are in flight is a secondary limit and starts a
 * penalty of `penalty` seconds (default retryAfter, else 60). Accepts a number (perUser)
 * or true (perUser 1: GitHub's "make requests serially instead of concurrently").
 */
export function normalizeConcurrency(value) {
  if (value === undefined || value === null || value === false) return null;
  let config = value;
  if (value === true) config = {};
  else if (typeof value === 'number') config = { perUser: value };
  else if (typeof value !== 'object' || Array.isArray(value)) throw new TypeError('faults.concurrency must be {perUser, retryAfter, penalty, status}, a number, true or null');
  const { perUser = 1, retryAfter = null, status = 403 } = config;
  if (!Number.isInteger(perUser) || perUser < 1) throw new TypeError('faults.concurrency.perUser must be an integer >= 1');
  if (retryAfter !== null && !nonNegative(retryAfter)) throw new TypeError('faults.concurrency.retryAfter must be seconds >= 0 or null');
  const penalty = config.penalty ?? retryAfter ?? CONCURRENCY_PENALTY;
  if (!nonNegative(penalty)) throw new TypeError('faults.concurrency.penalty must be seconds >= 0');
  if (![403, 429].includes(status)) throw new TypeError('faults.concurrency.status must be 403 or 429');
  return { perUser, retryAfter, penalty, status };
}

function normalize(faults = {}) {
  const config = { ...DEFAULTS, ...faults };
  for (const [key] of RATE_KEYS) {
    if (typeof config[key] !== 'number' || config[key] < 0 || config[key] > 1) throw new TypeError(`faults.${key} must be a rate in [0, 1]`);
  }
  if (![403, 429].includes(config.primaryStatus)) throw new TypeError('faults.primaryStatus must be 403 or 429');
  config.next = (config.next ?? []).map(normalizeQueued);
  config.graphqlBudget = normalizeGraphqlBudget(config.graphqlBudget);
  config.broken = normalizeBroken(config.broken);
  config.drift = normalizeDrift(config.drift);
  config.concurrency = normalizeConcurrency(config.concurrency);
  config.latency = normalizeLatency(config.latency);
  return config;
}

function normalizeQueued({ path = '/', kind, count = 1, ms, retryAfter, penalty } = {}) {
  const k = String(kind);
  if (!FAULT_KINDS.includes(k)) throw new TypeError(`unknown fault kind '${kind}' (one of ${FAULT_KINDS.join(', ')})`);
  return { path, kind: k, left: count, ms, retryAfter, penalty };
}

function matches(path, pathname, url) {
  if (path instanceof RegExp) return path.test(url);
  return pathname === path || pathname.startsWith(path.endsWith('/') ? path : `${path}/`) || url === path;
}

export class FaultPlan {
  constructor(seed, faults, clock = Date.now) {
    this.seed = typeof seed === 'number' ? seed : unitHash(String(seed)) * 2 ** 32;
    this.clock = clock;
    this.attempts = new Map();
    this.perUser = new Map();  // login → {count, penaltyUntil, retryAfter (whether its answers carry one), status}
    this.latencyDraws = new Map();  // url → answers delayed so far (the n-th draws the same delay on every run)
    this.timeouts = 0;  // timeouts answered: picks the 'mixed' form and the request id
    this.set(faults);
  }

  /** Replaces the whole configuration (and the queue). */
  set(faults) {
    this.config = normalize(faults);
  }

  /**
   * Replaces one key of the configuration (graphqlBudget, broken, drift, concurrency,
   * latency...); the rest, the queue and the penalties running kept.
   */
  change(key, value) {
    const { next } = this.config;
    this.config = { ...this.check(key, value), next };
  }

  /** The configuration with `key` changed, normalized; throws if the value is not valid. */
  check(key, value) {
    if (key === 'next') throw new TypeError('the queue changes with queue() or set()');
    if (!Object.hasOwn(DEFAULTS, key)) throw new TypeError(`unknown fault key '${key}'`);
    return normalize({ ...this.config, next: [], [key]: value });
  }

  /** A fresh plan: `faults` configured again, attempt counts and penalties cleared. */
  reset(faults) {
    this.attempts.clear();
    this.perUser.clear();
    this.latencyDraws.clear();
    this.timeouts = 0;
    this.set(faults);
  }

  /** "The next `count` requests to `path` (prefix string or RegExp on path+query) fail with `kind`." */
  queue(fault) {
    this.config.next.push(normalizeQueued(fault));
  }

  /**
   * The transport or server fault for this request, or null:
   * {kind: '500'|'502'|'503'|'drop'|'truncate'|'slow'|'incomplete'|'secondary', ms?, retryAfter?}.
   * `search` tells whether incomplete_results can apply.
   */
  pick(pathname, url, search) {
    const queued = this.config.next.find((f) => f.left > 0 && matches(f.path, pathname, url) && (f.kind !== 'incomplete' || search));
    if (queued) {
      queued.left--;
      this.config.next = this.config.next.filter((f) => f.left > 0);
      return { kind: queued.kind, ms: queued.ms ?? this.defaultMs(queued.kind), retryAfter: queued.retryAfter, penalty: queued.penalty };
    }
    const attempt = (this.attempts.get(url) ?? 0) + 1;
    this.attempts.set(url, attempt);
    let roll = unitHash(`${url}#${attempt}`, this.seed);
    for (const [key, kind] of RATE_KEYS) {
      const rate = this.config[key];
      if (roll < rate) return { kind, ms: this.defaultMs(kind) };
      roll -= rate;
    }
    if (search && this.config.incomplete > 0 && unitHash(`incomplete:${url}#${attempt}`, this.seed) < this.config.incomplete) {
      return { kind: 'incomplete' };
    }
    return null;
  }

  /**
   * The penalty `login` is in, from any source, or null: {retryAfter (seconds left, or
   * null when the limit that started it gave none), status}. Every request of the user
   * is refused while it lasts (counted as duringPenalty).
   */
  penalty(login) {
    const state = this.perUser.get(login);
    const now = this.clock();
    if (!state || now >= state.penaltyUntil) return null;
    return { retryAfter: state.retryAfter ? Math.max(1, Math.ceil((state.penaltyUntil - now) / 1000)) : null, status: state.status };
  }

  /**
   * The serial rule (faults.concurrency): a request of `login` that arrives while
   * `perUser` of its requests are in flight (`inFlight` counts this one) is a secondary
   * limit and puts the user in a penalty. Returns null or {retryAfter, status}.
   */
  concurrency(login, inFlight) {
    const cap = this.config.concurrency;
    if (!cap || inFlight <= cap.perUser) return null;
    this.penalize(login, cap.penalty, { retryAfter: cap.retryAfter !== null, status: cap.status });
    return { retryAfter: cap.retryAfter, status: cap.status };
  }

  /**
   * Whether this request of `login` draws a secondary limit from faults.secondary
   * (every N-th request of the user, or a seeded rate), which starts a penalty. The
   * server asks penalty() first: requests refused during a penalty are not counted
   * here. Returns null or {retryAfter, status}.
   */
  secondary(login) {
    const rule = this.config.secondary;
    if (!rule) return null;
    const state = this.userState(login);
    state.count++;
    const hit = (rule.every && state.count % rule.every === 0) ||
      (rule.rate && unitHash(`secondary:${login}#${state.count}`, this.seed) < rule.rate);
    if (!hit) return null;
    const status = this.secondaryStatus();
    this.penalize(login, rule.penalty ?? rule.retryAfter ?? 0, { retryAfter: rule.retryAfter != null, status });
    return { retryAfter: rule.retryAfter ?? null, status };
  }

  /** The status of a secondary limit not drawn by a rule of its own (a queued fault). */
  secondaryStatus() {
    return this.config.secondary?.status ?? this.config.concurrency?.status ?? 403;
  }

  userState(login) {
    let state = this.perUser.get(login);
    if (!state) this.perUser.set(login, (state = { count: 0, penaltyUntil: 0, retryAfter: false, status: 403 }));
    return state;
  }

  /**
   * Blocks `login` for `seconds` (a secondary limit's penalty; an earlier, longer one
   * is kept). `retryAfter`: whether the refusals during it carry retry-after.
   */
  penalize(login, seconds, { retryAfter = true, status = this.secondaryStatus() } = {}) {
    const state = this.userState(login);
    const now = this.clock();
    const until = now + seconds * 1000;
    if (until <= state.penaltyUntil) return;
    state.retryAfter = retryAfter || (now < state.penaltyUntil && state.retryAfter);
    state.status = status;
    state.penaltyUntil = until;
  }

  /**
   * How long to hold an answer before sending it (faults.latency; 0 when off), in ms:
   * `answered` false for a refusal or an injected fault, `work` a GraphQL query's work.
   */
  latencyMs(kind, url, { answered = true, work = 0 } = {}) {
    const config = this.config.latency;
    if (!config) return 0;
    const draw = (this.latencyDraws.get(url) ?? 0) + 1;
    this.latencyDraws.set(url, draw);
    return latencyMs(config, { kind, answered, work, roll: unitHash(`latency:${url}#${draw}`, this.seed) });
  }

  defaultMs(kind) {
    return TIMEOUT_KINDS[kind] ? 0 : this.config.slowMs;
  }

  /**
   * The form of the next timeout answer: 'json' or 'html' as configured, and for
   * 'mixed' the two in turn, the first chosen by the seed. Also returns `n`, the
   * timeout's number (for its request id).
   */
  timeoutForm(form) {
    const n = this.timeouts++;
    if (form !== 'mixed') return { form, n };
    const first = unitHash('timeout-form', this.seed) < 0.5 ? 0 : 1;
    return { form: (n + first) % 2 === 0 ? 'json' : 'html', n };
  }

  /**
   * Whether a repository is broken: its details time out on every API (faults.broken:
   * listed ids, or a seeded share of the corpus).
   */
  broken(repo) {
    const rule = this.config.broken;
    if (!rule) return false;
    return rule.ids.has(repo.id) || (rule.rate > 0 && unitHash(`broken:${repo.id}`, this.seed) < rule.rate);
  }

  /** Whether a repository is gone (404) or blocked (451) on its detail endpoints. */
  gone(repo) {
    if (!this.config.gone) return null;
    const roll = unitHash(`gone:${repo.id}`, this.seed);
    if (roll >= this.config.gone) return null;
    return roll < this.config.gone / 4 ? 451 : 404;
  }
}
