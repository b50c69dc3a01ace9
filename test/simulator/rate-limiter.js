// GitHub's primary rate limits: one bucket per (user, resource). A bucket's window
// starts with its first counted request and refills completely when the window ends.
// Windows are in seconds and may be compressed (a 6 s "hour") for tests and demos.

export const DEFAULT_LIMITS = { core: 5000, search: 30, graphql: 5000, code_search: 10 };
export const DEFAULT_WINDOWS = { core: 3600, search: 60, graphql: 3600, code_search: 60 };
/** Unauthenticated requests: GitHub's per-IP limits. */
export const ANONYMOUS_LIMITS = { core: 60, search: 10, graphql: 0, code_search: 0 };

export class RateLimiter {
  /**
   * @param {{limits?: object, windows?: object, clock?: () => number}} options
   */
  constructor({ limits = {}, windows = {}, clock = Date.now } = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
    this.windows = { ...DEFAULT_WINDOWS, ...windows };
    if (windows.core !== undefined && windows.graphql === undefined) this.windows.graphql = windows.core;
    this.clock = clock;
    this.buckets = new Map();
  }

  limitFor(user, resource) {
    return (user.anonymous ? ANONYMOUS_LIMITS : this.limits)[resource] ?? this.limits.core;
  }

  windowMs(resource) {
    return (this.windows[resource] ?? this.windows.core) * 1000;
  }

  bucket(user, resource, now) {
    const key = `${user.login}\u0000${resource}`;
    let bucket = this.buckets.get(key);
    if (!bucket) this.buckets.set(key, (bucket = { start: null, used: 0 }));
    if (bucket.start !== null && now >= bucket.start + this.windowMs(resource)) {
      bucket.start = null;
      bucket.used = 0;
    }
    return bucket;
  }

  /** {limit, remaining, used, reset (epoch s), resource} without spending anything. */
  peek(user, resource) {
    const now = this.clock();
    return this.describe(user, resource, this.bucket(user, resource, now), now);
  }

  describe(user, resource, bucket, now) {
    const limit = this.limitFor(user, resource);
    // Round up: a client that waits until `reset` never arrives before the refill.
    const reset = Math.ceil(((bucket.start ?? now) + this.windowMs(resource)) / 1000);
    return { limit, remaining: Math.max(0, limit - bucket.used), used: bucket.used, reset, resource };
  }

  /**
   * Spends one request (or `cost`). {ok: false} when the bucket is empty: the
   * request is rejected and nothing is spent.
   */
  take(user, resource, cost = 1) {
    const now = this.clock();
    const bucket = this.bucket(user, resource, now);
    const limit = this.limitFor(user, resource);
    if (bucket.used + cost > limit) return { ok: false, state: this.describe(user, resource, bucket, now) };
    if (bucket.start === null) bucket.start = now;
    bucket.used += cost;
    return { ok: true, state: this.describe(user, resource, bucket, now) };
  }

  /** Whether the bucket is empty right now (a request sent now would be wasted). */
  isEmpty(user, resource) {
    return this.peek(user, resource).remaining <= 0;
  }

  /** Empties every bucket (a fresh simulator state). */
  reset() {
    this.buckets.clear();
  }
}

/** The x-ratelimit-* headers of a bucket state. */
export function rateLimitHeaders(state) {
  return {
    'x-ratelimit-limit': String(state.limit),
    'x-ratelimit-remaining': String(state.remaining),
    'x-ratelimit-reset': String(state.reset),
    'x-ratelimit-used': String(state.used),
    'x-ratelimit-resource': state.resource,
  };
}
