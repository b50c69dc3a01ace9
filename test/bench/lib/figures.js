// Figures derived from the simulator's statistics: requests per resource, wasted
// requests, token evenness, and the lower bound on wall time that the quotas allow.

// Which bucket pays for each kind of request the simulator counts (rate_limit is free).
const KIND_RESOURCE = { search: 'search', graphql: 'graphql', rate_limit: null };

function resourceOf(kind) {
  return kind in KIND_RESOURCE ? KIND_RESOURCE[kind] : 'core';
}

/**
 * Requests by resource: `sent`, and `accepted`, what the bucket paid for. REST: the
 * requests not refused by a rate limit (403 or 429: the bench injects no other fault).
 * GraphQL: the points charged (its bucket counts points, and a RATE_LIMITED answer is
 * an HTTP 200 that costs nothing).
 */
export function requestsByResource(stats) {
  const out = {};
  for (const [kind, { requests, byStatus }] of Object.entries(stats.byKind ?? {})) {
    const resource = resourceOf(kind);
    if (!resource) continue;
    const refused = (byStatus['403'] ?? 0) + (byStatus['429'] ?? 0);
    const entry = (out[resource] ??= { sent: 0, accepted: 0, unit: 'requests' });
    entry.sent += requests;
    entry.accepted += requests - refused;
  }
  if (out.graphql && stats.graphql) Object.assign(out.graphql, { accepted: stats.graphql.points, unit: 'points' });
  return out;
}

/** Requests the quotas paid for or refused: everything but the free GET /rate_limit. */
export function countedRequests(stats) {
  return Object.values(requestsByResource(stats)).reduce((sum, r) => sum + r.sent, 0);
}

/** Sent on a bucket known to be empty, or refused as rate-limited (primary or secondary). */
export function wastedRequests(stats) {
  return (stats.wasted ?? 0) + (stats.secondaryLimited ?? 0);
}

/** How evenly the tokens were used: min, max, min/max and coefficient of variation. */
export function tokenEvenness(stats) {
  const counts = (stats.tokens ?? []).map((t) => t.requests);
  if (!counts.length) return null;
  const mean = counts.reduce((a, b) => a + b, 0) / counts.length;
  const sd = Math.sqrt(counts.reduce((a, b) => a + (b - mean) ** 2, 0) / counts.length);
  const min = Math.min(...counts);
  const max = Math.max(...counts);
  return { min, max, minOverMax: max ? min / max : null, cv: mean ? sd / mean : null };
}

/**
 * The least wall time in which `tokens` users can have `accepted[resource]` requests
 * accepted, given `limits[resource]` per window of `windows[resource]` seconds.
 *
 * GitHub's windows are fixed: a bucket refills whole when its window ends, and a new
 * window starts with the next request. So the first window's requests go at once and
 * the last ones cannot start before (k - 1) windows have passed, k = ceil(N / (T * L)):
 * `windowedS`. That is the physical bound the pipeline is compared with. The fluid
 * figure N / capacity per second (`fluidS`, the wording) is reported beside it;
 * it can be beaten by up to one window, since each window's quota is usable at its start.
 * The bound ignores the time to send the last window's requests (CPU), the reset's
 * rounding up to whole seconds, and any clock-skew margin a client keeps.
 */
export function quotaBound(accepted, { tokens, limits, windows }) {
  const perResource = {};
  for (const [resource, n] of Object.entries(accepted)) {
    const limit = limits[resource];
    const window = windows[resource];
    if (!limit || !window || !n) continue;
    const perWindow = tokens * limit;
    const windowsNeeded = Math.ceil(n / perWindow);
    perResource[resource] = {
      requests: n, perWindow, windowS: window, windowsNeeded,
      windowedS: (windowsNeeded - 1) * window, fluidS: n / (perWindow / window),
    };
  }
  const ranked = Object.entries(perResource).sort(([, a], [, b]) => b.windowedS - a.windowedS || b.fluidS - a.fluidS);
  const binding = ranked[0]?.[0] ?? null;
  const windowedS = ranked[0]?.[1].windowedS ?? 0;
  const fluidS = Math.max(0, ...Object.values(perResource).map((r) => r.fluidS));
  return { windowedS, fluidS, binding, perResource };
}
