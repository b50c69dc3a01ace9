// The request pipeline, in GitHub's order: authenticate, count the user's concurrent
// requests, refuse a user in a secondary-limit penalty (from any source) or over the
// serial rule (faults.concurrency), refuse on an empty bucket (primary limit), secondary
// limits (faults.secondary), injected faults, the endpoint itself, conditional requests
// (304, free), spend the bucket, hold the answer for GitHub's latency (faults.latency,
// latency.js; off by default), reply (POST /graphql spends its bucket by the query's
// cost: graphql/endpoint.js).
// Every response carries the x-ratelimit-* headers of the bucket concerned. Timeouts
// (gateway-timeout.js) of REST requests are not charged, as other 5xx: GitHub's REST
// documentation says nothing of charging them, unlike GraphQL's.
import http from 'node:http';

import { TIMEOUT_KINDS } from './faults.js';
import { gatewayTimeout } from './gateway-timeout.js';
import { delay, errorBody, send } from './reply.js';
import { rateLimitHeaders } from './rate-limiter.js';
import { ANONYMOUS, tokenOf } from './tokens.js';

const RATE_DOCS = 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api';
const SECONDARY_DOCS = `${RATE_DOCS}#about-secondary-rate-limits`;
const SERVER_ERRORS = {
  500: { contentType: 'application/json; charset=utf-8', body: errorBody(500, 'Server Error') },
  502: {
    contentType: 'text/html; charset=utf-8',
    body: Buffer.from('<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1>' +
      '<p>We didn\'t receive a timely response from the upstream server.</p></body></html>\n'),
  },
  503: {
    contentType: 'application/json; charset=utf-8',
    body: errorBody(503, 'No server is currently available to service your request. Sorry about that. Please try resubmitting your request and contact us if the problem persists.'),
  },
};

function secondaryBody(status) {
  return errorBody(status, 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. ' +
    'If you reach out to GitHub Support for help, please include the request ID 0000:1111:2222:3333:44444444.', SECONDARY_DOCS);
}

function etagMatches(header, etag) {
  if (!header || !etag) return false;
  const bare = (value) => value.trim().replace(/^W\//, '');
  return header === '*' || header.split(',').some((candidate) => bare(candidate) === bare(etag));
}

/**
 * Creates the node:http server. `context`: {identities, limiter, faults, routes, stats,
 * control(req, res, url) → boolean for the /_simulator/ endpoints}.
 */
export function createServer(context) {
  const server = http.createServer({ keepAliveTimeout: 65_000, headersTimeout: 70_000 }, (req, res) => {
    handle(context, req, res).catch((err) => {
      process.stderr.write(`simulator: ${err.stack}\n`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(errorBody(500, 'Server Error'));
    });
  });
  server.keepAliveTimeout = 65_000;
  return server;
}

/**
 * Resolves after `ms`, or as soon as the response closes (the client went away): a
 * delay of one request holds nothing else, neither the event loop nor other requests.
 */
function hold(res, ms) {
  if (!(ms > 0) || res.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      res.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    res.once('close', done);
  });
}

async function handle(context, req, res) {
  const { identities, limiter, faults, routes, stats } = context;
  const url = new URL(req.url, 'http://simulator');
  if (url.pathname.startsWith('/_simulator/')) return context.control(req, res, url);
  const { kind, resource } = routes.classify(req.method, url.pathname);
  const target = url.pathname + url.search;

  // Authentication. No header: anonymous, with GitHub's per-IP limits.
  const token = tokenOf(req.headers.authorization);
  let user = ANONYMOUS;
  let login;  // none for a bad token: its 401 is counted for no user
  if (token !== null) {
    user = identities.userOf.get(token);
    if (!user) {
      const state = limiter.take(ANONYMOUS, 'core').state;
      return answer(401, {}, { status: 401, body: errorBody(401, 'Bad credentials'), headers: rateLimitHeaders(state) }, { answered: false });
    }
  }
  login = user.login;
  // In flight from here to the last byte of the answer, latency included: concurrency
  // is measured over the whole request, as GitHub sees it.
  const inFlight = stats.begin(login);
  res.once('close', () => stats.end(login));
  const headerResource = resource ?? 'core';

  // A secondary limit falls on the user: during its penalty, whatever started it, every
  // request of the user is refused again. Then the serial rule (faults.concurrency):
  // GitHub asks for serial requests per user; one more than K in flight is a secondary
  // limit, and starts a penalty.
  if (!user.anonymous) {
    const held = faults.penalty(login);
    if (held) return secondaryLimited(held, true);
    const crowded = faults.concurrency(login, inFlight);
    if (crowded) return secondaryLimited(crowded, false);
  }

  // Primary limit: a request on an empty bucket is refused and wasted. (GraphQL checks
  // its bucket against the query's cost, once parsed: graphql/endpoint.js.)
  if (resource && kind !== 'graphql' && limiter.isEmpty(user, resource)) {
    const state = limiter.peek(user, resource);
    const status = faults.config.primaryStatus;
    const message = user.anonymous
      ? 'API rate limit exceeded for 127.0.0.1. (But here\'s the good news: Authenticated requests get a higher rate limit. Check out the documentation for more details.)'
      : `API rate limit exceeded for user ID ${user.id}.`;
    return answer(status, { wasted: true, rateLimited: true },
      { status, body: errorBody(status, message, RATE_DOCS), headers: rateLimitHeaders(state) }, { answered: false });
  }

  if (!user.anonymous && resource) {
    const secondary = faults.secondary(login);
    if (secondary) return secondaryLimited(secondary, false);
  }

  const fault = resource ? faults.pick(url.pathname, target, kind === 'search') : null;
  if (fault?.kind === 'drop') {
    record('dropped', { fault: 'drop' });
    req.socket.destroy();
    return undefined;
  }
  if (fault && SERVER_ERRORS[fault.kind]) {
    const { body, contentType } = SERVER_ERRORS[fault.kind];
    return answer(Number(fault.kind), { fault: fault.kind },
      { status: Number(fault.kind), body, contentType, cacheControl: 'no-cache', headers: rateLimitHeaders(limiter.peek(user, headerResource)) },
      { answered: false });
  }
  if (fault && TIMEOUT_KINDS[fault.kind]) {
    // A timeout waits its own `ms`, not the latency.
    const { n } = faults.timeoutForm(TIMEOUT_KINDS[fault.kind]);
    if (fault.ms > 0) await delay(fault.ms);
    const timedOut = gatewayTimeout({ form: TIMEOUT_KINDS[fault.kind], graphql: kind === 'graphql', key: `fault#${n}` });
    record(timedOut.status, { fault: fault.kind });
    return send(req, res, { ...timedOut, cacheControl: 'no-cache', headers: { ...timedOut.headers, ...rateLimitHeaders(limiter.peek(user, headerResource)) } });
  }
  if (fault?.kind === 'secondary') {
    const retryAfter = fault.retryAfter ?? null;
    const status = faults.secondaryStatus();
    faults.penalize(login, fault.penalty ?? retryAfter ?? 0, { retryAfter: retryAfter !== null, status });
    return secondaryLimited({ retryAfter, status }, false);
  }

  if (kind === 'graphql') {
    const result = await routes.graphql(req, user);
    const reply = {
      status: result.status, body: result.body, contentType: result.contentType, cacheControl: 'no-cache',
      headers: { ...result.headers, ...rateLimitHeaders(result.state) },
    };
    const outcome = { ...result.outcome, fault: fault?.kind };
    // A query that timed out has waited its own delay (graphql/endpoint.js).
    if (result.outcome?.timeout) {
      record(result.status, outcome);
      return send(req, res, reply, fault);
    }
    return answer(result.status, outcome, reply, { work: result.outcome?.graphql?.work ?? 0, fault });
  }

  const reply = routes.resolve(req, url, user, kind, { incomplete: fault?.kind === 'incomplete' });
  if (reply.timeout) {
    // A broken repository (faults.broken): GitHub gives up after its timeout; not charged.
    if (reply.timeout.delayMs > 0) await delay(reply.timeout.delayMs);
    record(reply.status, { timeout: reply.timeout.cause });
    return send(req, res, { ...reply, headers: { ...reply.headers, ...rateLimitHeaders(limiter.peek(user, headerResource)) } });
  }
  if (reply.status === 200 && etagMatches(req.headers['if-none-match'], reply.etag)) {
    // Conditional request answered from the client's cache: free.
    return answer(304, { notModified: true }, { status: 304, etag: reply.etag, headers: { ...reply.headers, ...rateLimitHeaders(limiter.peek(user, headerResource)) } });
  }
  const state = resource ? limiter.take(user, resource).state : limiter.peek(user, 'core');
  return answer(reply.status, { fault: fault?.kind }, { ...reply, headers: { ...reply.headers, ...rateLimitHeaders(state) } }, { fault });

  function record(status, outcome) {
    stats.record({ token, login, kind, status, outcome });
  }

  /**
   * Records and sends an answer after GitHub's latency (faults.latency; none when off):
   * `answered` false for an answer that does no work (refusals, injected faults), `work`
   * a GraphQL query's work. The answer is built, and the bucket spent, on arrival.
   */
  async function answer(status, outcome, reply, { answered = true, work = 0, fault: transport = null } = {}) {
    const ms = faults.latencyMs(kind, target, { answered, work });
    record(status, faults.config.latency ? { ...outcome, latencyMs: ms } : outcome);
    await hold(res, ms);
    return send(req, res, reply, transport);
  }

  function secondaryLimited({ retryAfter, status }, duringPenalty) {
    const headers = rateLimitHeaders(limiter.peek(user, headerResource));
    if (retryAfter != null) headers['retry-after'] = String(retryAfter);
    return answer(status, { secondaryLimited: true, duringPenalty }, { status, body: secondaryBody(status), headers }, { answered: false });
  }
}
