// GitHub's latencies, as a switch (faults.latency; off, null, by default and in the
// demo). github.com answers over a network and does work for each request; a client
// that sends one request per user at a time (GitHub's best practice) is as fast as
// these delays allow, so the bench and the tests of serial lanes need them.
//
//   searchMs       a search page: a few hundred milliseconds (GitHub runs each search
//                  query under a time limit and answers incomplete_results past it)
//   restMs         a repository, languages, README or community profile document
//                  (a Gist API sample of 10,000 requests: median 206 ms, mode 120-140 ms,
//                  middle 80% 114-527 ms; mbostock's "Gist API Latency", block 5503544)
//   graphqlMs      a GraphQL query's fixed part (`viewer { login }` 0.3 s,
//                  wiiiimm/gh-manager-cli#104), plus
//   graphqlWorkMs  per unit of the work the query reads (graphql/work.js): the engine's
//                  100-repository details query (~1,000 units) takes 2.5-2.9 s, in the
//                  1-4 s users see for 100-repository queries (heavier ones, with
//                  per-repository counts: 30 ~3 s, 100 8-10 s or a timeout, same report)
//   fastMs         GET /rate_limit, GET /user, and answers that do no work: secondary
//                  and primary limits, bad credentials, injected 5xx faults
//   scale          multiplies every figure (0.1: the same shape ten times faster)
//
// A figure is a number of ms or [min, max]: each request draws its delay in that range
// from the seed (the n-th request to a URL draws the same on every run). Timeouts
// (gateway-timeout.js) wait their own delayMs instead.

export const LATENCY_DEFAULTS = Object.freeze({
  searchMs: Object.freeze([300, 700]),
  restMs: Object.freeze([100, 300]),
  graphqlMs: Object.freeze([200, 400]),
  graphqlWorkMs: 2.5,
  fastMs: Object.freeze([30, 80]),
  scale: 1,
});
const FIGURES = ['searchMs', 'restMs', 'graphqlMs', 'graphqlWorkMs', 'fastMs'];

function figure(value, name) {
  const range = Array.isArray(value) ? value : [value, value];
  const [min, max] = range;
  const ok = range.length === 2 && [min, max].every((n) => typeof n === 'number' && Number.isFinite(n) && n >= 0) && min <= max;
  if (!ok) throw new TypeError(`faults.latency.${name} must be a number of ms >= 0 or [min, max]`);
  return [min, max];
}

/**
 * null, or {searchMs, restMs, graphqlMs, fastMs: [min, max], graphqlWorkMs: [min, max],
 * scale}. Accepts true or 'github' (GitHub-like defaults, above) or an object
 * overriding any of them; null, false or undefined: off.
 */
export function normalizeLatency(value) {
  if (value === undefined || value === null || value === false) return null;
  let overrides;
  if (value === true || value === 'github') overrides = {};
  else if (typeof value === 'object' && !Array.isArray(value)) overrides = value;
  else throw new TypeError("faults.latency must be true, 'github', an object or null");
  for (const key of Object.keys(overrides)) {
    if (!FIGURES.includes(key) && key !== 'scale') throw new TypeError(`faults.latency: unknown key '${key}' (one of ${FIGURES.join(', ')}, scale)`);
  }
  const config = { ...LATENCY_DEFAULTS, ...overrides };
  const { scale } = config;
  if (typeof scale !== 'number' || !Number.isFinite(scale) || scale < 0) throw new TypeError('faults.latency.scale must be a number >= 0');
  const normalized = { scale };
  for (const key of FIGURES) normalized[key] = figure(config[key], key);
  return normalized;
}

const between = ([min, max], roll) => min + (max - min) * roll;

/**
 * The delay of one answer, in ms (rounded): `kind` the request's kind (routes.js
 * classify), `answered` false for an answer that does no work (a refusal, an injected
 * fault), `work` the GraphQL query's work, `roll` a number in [0, 1) from the seed.
 */
export function latencyMs(config, { kind, answered = true, work = 0, roll = 0.5 }) {
  let ms;
  if (!answered || kind === 'rate_limit' || kind === 'user') ms = between(config.fastMs, roll);
  else if (kind === 'search') ms = between(config.searchMs, roll);
  else if (kind === 'graphql') ms = between(config.graphqlMs, roll) + between(config.graphqlWorkMs, roll) * work;
  else ms = between(config.restMs, roll);
  return Math.round(ms * config.scale);
}
