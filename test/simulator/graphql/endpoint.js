// POST /graphql as GitHub answers it: read the JSON body, parse, validate, pick the
// operation (operationName), coerce variables, check the query limits, compute the
// point cost, charge the user's `graphql` bucket, execute. Syntax, validation, variable
// and limit errors come back with HTTP 200 and are free; a bucket with fewer points
// left than the query costs gives HTTP 200 RATE_LIMITED, nothing charged.
//
// With faults.graphqlBudget or faults.broken, the query's work is measured as it runs
// (work.js); a query over the budget, or one that reads a broken repository, is answered
// as GitHub answers a request it could not process in 10 seconds: 502 JSON or 504 HTML
// (gateway-timeout.js), after the configured delay. It is charged its cost: GitHub's
// "Timeouts" documentation says "If a timeout occurs for any of your API requests,
// additional points will be deducted from your primary rate limit for the next hour"
// (docs.github.com/graphql/overview/rate-limits-and-query-limits-for-the-graphql-api),
// and its changelog of 2025-07-21 ("Including timeouts in primary rate limits") that
// "request timeouts will now count against your primary rate limit". How many points
// is not documented: the query's own cost is charged, and the x-ratelimit-* headers of
// the timeout answer show it.
import { gatewayTimeout } from '../gateway-timeout.js';
import { delay, errorBody } from '../reply.js';
import { queryCost } from './cost.js';
import { execute } from './execute.js';
import { GraphQLSyntaxError } from './lexer.js';
import { checkLimits } from './limits.js';
import { parse } from './parser.js';
import { Resolvers } from './resolvers.js';
import { schema } from './schema.js';
import { validate } from './validate.js';
import { coerceVariables } from './values.js';
import { QueryWork } from './work.js';

const AUTH_DOCS = 'https://docs.github.com/graphql/guides/forming-calls-with-graphql#authenticating-with-graphql';
const GRAPHQL_DOCS = 'https://docs.github.com/graphql';
const DOCUMENT_CACHE_SIZE = 64;

const iso = (seconds) => new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** The request's {query, variables, operationName}, or {error: answer}. */
function requestOf(text) {
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    return { error: { status: 400, body: errorBody(400, 'Problems parsing JSON', GRAPHQL_DOCS) } };
  }
  if (typeof body?.query !== 'string') return { error: { errors: [{ message: 'A query attribute must be specified and must be a string.' }] } };
  let variables = body.variables ?? {};
  if (typeof variables === 'string') {
    try { variables = variables.trim() ? JSON.parse(variables) : {}; } catch { variables = null; }
  }
  if (variables === null || typeof variables !== 'object' || Array.isArray(variables)) {
    return { error: { errors: [{ message: 'Variables are invalid JSON.' }] } };
  }
  return { query: body.query, variables, operationName: body.operationName || null };
}

function pickOperation(document, operationName) {
  const operations = document.definitions.filter((d) => d.kind === 'OperationDefinition');
  if (operationName !== null) {
    const operation = operations.find((op) => op.name === operationName);
    return operation ? { operation } : { error: `No operation named "${operationName}"` };
  }
  if (operations.length === 1) return { operation: operations[0] };
  return { error: operations.length ? 'An operation name is required' : 'No operations in query document' };
}

export class GraphqlEndpoint {
  /** @param {{corpus, documents, search, faults, limiter}} services */
  constructor({ corpus, documents, search, faults, limiter }) {
    this.limiter = limiter;
    this.faults = faults;
    this.validDocuments = new Map();  // query text → parsed, valid document
    this.resolvers = new Resolvers({ corpus, documents, search, faults });
  }

  /** Builds what queries of `repo` read, ahead of the first query (warm.js). */
  warm(repo) {
    this.resolvers.warm(repo);
  }

  /**
   * The reply to one request: {status, body, state (the bucket for the headers),
   * contentType?, headers?, outcome: {wasted?, rateLimited?, timeout?: 'budget'|'broken',
   * graphql: {points?, invalid?, work?}}}.
   */
  async answer(req, user) {
    const free = (value, status = 200, extra = {}) => ({
      status, body: Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value)),
      state: this.limiter.peek(user, 'graphql'), outcome: { graphql: { invalid: true } }, ...extra,
    });
    if (user.anonymous) return free(errorBody(401, 'This endpoint requires you to be authenticated.', AUTH_DOCS), 401);
    if (req.method !== 'POST') return free(errorBody(404, 'Not Found', GRAPHQL_DOCS), 404);

    const request = requestOf(await readBody(req));
    if (request.error) return request.error.status ? free(request.error.body, request.error.status) : free(request.error);
    if (!request.query.trim()) return free({ errors: [{ message: 'No query string was present' }] });
    // A query text parsed and found valid once is not parsed again (nothing writes to
    // the AST); clients send the same text with other variables.
    let document = this.validDocuments.get(request.query);
    if (!document) {
      try {
        document = parse(request.query);
      } catch (err) {
        if (!(err instanceof GraphQLSyntaxError)) throw err;
        return free({ errors: [{ message: err.message, locations: err.locations }] });
      }
      const invalid = validate(document, schema.types);
      if (invalid.length) return free({ errors: invalid });
      if (this.validDocuments.size >= DOCUMENT_CACHE_SIZE) this.validDocuments.delete(this.validDocuments.keys().next().value);
      this.validDocuments.set(request.query, document);
    }
    const { operation, error } = pickOperation(document, request.operationName);
    if (error) return free({ errors: [{ message: error }] });
    const coerced = coerceVariables(operation, request.variables, schema.types);
    if (coerced.errors) return free({ errors: coerced.errors });
    const variables = coerced.values;
    const { cost, nodeCount } = queryCost(document, operation, variables, schema.types);
    const limited = checkLimits(document, operation, variables, schema.types, nodeCount);
    if (limited.length) return free({ data: null, errors: limited });

    const taken = this.limiter.take(user, 'graphql', cost);
    if (!taken.ok) {
      return {
        status: 200,
        body: Buffer.from(JSON.stringify({ data: null, errors: [{ type: 'RATE_LIMITED', message: `API rate limit exceeded for user ID ${user.id}.` }] })),
        state: { ...taken.state, remaining: 0 },
        outcome: { wasted: true, rateLimited: true, graphql: {} },
      };
    }
    const { limit, remaining, used, reset } = taken.state;
    const { graphqlBudget, broken, latency } = this.faults.config;
    // Metered only when a switch needs it (the budget, broken repositories, the latency
    // that grows with the work): the resolvers' `context.work?.` is otherwise a no-op.
    const work = graphqlBudget || broken || latency ? new QueryWork((repo) => this.faults.broken(repo)) : undefined;
    const context = { user, rateLimit: { cost, limit, nodeCount, remaining, used, resetAt: iso(reset) }, work };
    const { data, errors } = execute({
      document, operation, variables, types: schema.types, resolvers: this.resolvers, context, typeOf: Resolvers.typeOf,
    });
    const timeout = work?.broken ? 'broken' : work && graphqlBudget && work.total > graphqlBudget.work ? 'budget' : null;
    if (timeout) return this.timedOut(timeout === 'broken' ? broken : graphqlBudget, timeout, taken.state, cost, work);
    return {
      status: 200,
      body: Buffer.from(JSON.stringify(errors.length ? { data, errors } : { data })),
      state: taken.state,
      outcome: { graphql: { points: cost, work: work?.total } },
    };
  }

  /** GitHub's timeout answer, after `rule.delayMs`: the query stays charged (see the top of this file). */
  async timedOut(rule, cause, state, cost, work) {
    const { form, n } = this.faults.timeoutForm(rule.form);
    if (rule.delayMs > 0) await delay(rule.delayMs);
    return {
      ...gatewayTimeout({ form, graphql: true, key: `graphql#${n}` }),
      state,
      outcome: { timeout: cause, graphql: { points: cost, work: work.total } },
    };
  }
}
