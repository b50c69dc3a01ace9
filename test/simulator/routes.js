// GitHub's REST endpoints the engine uses, answered from the corpus:
//   GET /search/repositories, /repos/{owner}/{repo}, /repositories/{id},
//   /repos/{o}/{r}/languages, /repos/{o}/{r}/readme, /repos/{o}/{r}/community/profile,
//   /user, /rate_limit; POST /graphql (graphql/endpoint.js).
// classify() says which bucket a path spends from before any work is done; resolve()
// builds the reply (status, body bytes, ETag, headers).
import crypto from 'node:crypto';

import { errorBody } from './reply.js';
import { gatewayTimeout } from './gateway-timeout.js';
import { etagOf, userJson } from './github-json.js';
import { GraphqlEndpoint } from './graphql/endpoint.js';
import { QueryError } from './search-query.js';
import { linkHeader } from './search-index.js';

const SEARCH_DOCS = 'https://docs.github.com/v3/search/';
const RAW_TYPES = /application\/vnd\.github(?:\.v3)?\.raw/i;
const OTHER_RESOURCES = {
  integration_manifest: 5000, source_import: 100, code_scanning_upload: 1000, actions_runner_registration: 10000,
  scim: 15000, dependency_snapshots: 100, dependency_sbom: 100, audit_log: 1750, audit_log_streaming: 15,
  code_scanning_autofix: 10,
};

const REPO_PATH = /^\/repos\/([^/]+)\/([^/]+)(\/languages|\/readme|\/community\/profile)?\/?$/;
const REPO_ID_PATH = /^\/repositories\/(\d+)\/?$/;

export const NOT_FOUND = Object.freeze({ status: 404, body: errorBody(404, 'Not Found') });

function decode(segment) {
  try { return decodeURIComponent(segment); } catch { return segment; }
}

function intParam(value, fallback) {
  const n = Number.parseInt(value ?? '', 10);
  return Number.isFinite(n) ? n : fallback;
}

export class Routes {
  /** `drift`: a SearchDrift (drift.js) told of each served search page, or null. */
  constructor({ corpus, documents, search, limiter, faults, api, drift = null }) {
    Object.assign(this, { corpus, documents, search, limiter, faults, api, drift });
    this.graphqlEndpoint = new GraphqlEndpoint({ corpus, documents, search, faults, limiter });
  }

  /** {kind, resource}: resource is the bucket the request spends from, null when free. */
  classify(method, pathname) {
    if (pathname === '/rate_limit') return { kind: 'rate_limit', resource: null };
    if (pathname === '/graphql') return { kind: 'graphql', resource: 'graphql' };
    if (pathname.startsWith('/search/')) return { kind: 'search', resource: pathname === '/search/code' ? 'code_search' : 'search' };
    if (pathname === '/user') return { kind: 'user', resource: 'core' };
    const m = REPO_PATH.exec(pathname);
    if (m) {
      const kind = m[3] === '/languages' ? 'languages' : m[3] === '/readme' ? 'readme' : m[3] ? 'community' : 'repository';
      return { kind, resource: 'core' };
    }
    if (REPO_ID_PATH.test(pathname)) return { kind: 'repository', resource: 'core' };
    return { kind: 'other', resource: 'core' };
  }

  /** The reply for a request; `incomplete` asks a search page to come back short. */
  resolve(req, url, user, kind, { incomplete = false } = {}) {
    if (req.method !== 'GET' && req.method !== 'HEAD') return NOT_FOUND;
    switch (kind) {
      case 'search': return url.pathname === '/search/repositories' ? this.searchRepositories(url, incomplete, req.headers.host) : NOT_FOUND;
      case 'rate_limit': return this.rateLimit(user);
      case 'user': return user.anonymous
        ? { status: 401, body: errorBody(401, 'Requires authentication') }
        : this.document(userJson(user, this.api));
      case 'other': return NOT_FOUND;
      default: return this.repositoryEndpoint(req, url, kind);
    }
  }

  /** POST /graphql: {status, body, state, outcome}; charges the bucket itself (points). */
  graphql(req, user) {
    return this.graphqlEndpoint.answer(req, user);
  }

  document(value) {
    const body = Buffer.from(JSON.stringify(value));
    return { status: 200, body, etag: etagOf(body) };
  }

  // The base of a search page's Link header: GitHub's name the host the client called.
  // Listening on every interface (0.0.0.0, a multi-host test), the simulator has no one
  // address of its own, so it names the one the request was sent to.
  linkBase(host) {
    const wildcard = /^http:\/\/(0\.0\.0\.0|\[::\])(:|$)/.test(this.api);
    return wildcard && host ? `http://${host}` : this.api;
  }

  searchRepositories(url, incomplete, host) {
    const params = url.searchParams;
    const q = params.get('q');
    if (!q || !q.trim()) {
      return {
        status: 422,
        body: errorBody(422, 'Validation Failed', SEARCH_DOCS, { errors: [{ resource: 'Search', field: 'q', code: 'missing' }] }),
      };
    }
    const perPage = Math.min(100, Math.max(1, intParam(params.get('per_page'), 30)));
    const page = Math.max(1, intParam(params.get('page'), 1));
    const sort = params.get('sort') ?? undefined;
    const order = params.get('order') ?? undefined;
    let result;
    try {
      result = this.search.page(q, { sort, order, page, perPage });
    } catch (err) {
      if (!(err instanceof QueryError)) throw err;
      return {
        status: 422,
        body: errorBody(422, 'Validation Failed', SEARCH_DOCS, { errors: [{ message: err.message, resource: 'Search', field: 'q', code: 'invalid' }] }),
      };
    }
    if (result.beyondCap) return { status: 422, body: errorBody(422, 'Only the first 1000 search results are available', SEARCH_DOCS) };
    // GitHub timed out: a short page that says so.
    const records = incomplete ? result.records.slice(0, Math.ceil(result.records.length / 2)) : result.records;
    const body = this.search.body(result.totalCount, records, incomplete);
    const etagKey = `${this.api}|${this.corpus.version}|${q}|${sort}|${order}|${page}|${perPage}|${incomplete}`;
    const link = linkHeader(`${this.linkBase(host)}/search/repositories`, params, page, result.lastPage);
    const reply = {
      status: 200, body, cacheControl: 'no-cache',
      etag: `W/"${crypto.createHash('md5').update(etagKey).digest('hex')}"`,
      headers: link ? { link } : {},
    };
    // The page is built: stars may now change before the client's next request.
    if (this.faults.config.drift) this.drift?.served({ q, sort, order, page, perPage });
    return reply;
  }

  repositoryEndpoint(req, url, kind) {
    let repo;
    const byId = REPO_ID_PATH.exec(url.pathname);
    if (byId) repo = this.corpus.byId.get(Number(byId[1]));
    else {
      const [, owner, name] = REPO_PATH.exec(url.pathname);
      repo = this.corpus.find(decode(owner), decode(name));
    }
    if (!repo) return NOT_FOUND;
    if (this.faults.broken(repo)) return this.brokenRepository();
    const gone = this.faults.gone(repo);
    if (gone === 404) return NOT_FOUND;
    if (gone === 451) {
      return {
        status: 451,
        body: errorBody(451, 'Repository access blocked', DOCS_BLOCKED, {
          block: { reason: 'dmca', created_at: '2024-01-02T03:04:05Z', html_url: 'https://github.com/github/dmca/blob/master/2024/01/2024-01-02-example.md' },
        }),
      };
    }
    switch (kind) {
      case 'repository': return { status: 200, ...this.documents.repository(repo) };
      case 'languages': return { status: 200, ...this.documents.languages(repo) };
      case 'community': return { status: 200, ...this.documents.community(repo) };
      default: {
        const readme = this.documents.readme(repo);
        if (!readme) return { status: 404, body: errorBody(404, 'Not Found', 'https://docs.github.com/rest/repos/contents#get-a-repository-readme') };
        if (RAW_TYPES.test(req.headers.accept ?? '')) {
          return {
            status: 200, ...readme.raw, variant: 'raw',
            contentType: 'application/vnd.github.raw; charset=utf-8',
            headers: { 'x-github-media-type': 'github.v3; param=raw' },
          };
        }
        return { status: 200, ...readme.json };
      }
    }
  }

  /**
   * A detail request of a broken repository (faults.broken): GitHub cannot build it
   * within its 10 seconds (a pathological repository: a huge tree, huge languages
   * statistics) and its gateway answers 502 JSON or 504 HTML. `timeout` tells the
   * server to wait `delayMs` first and not to charge the request.
   */
  brokenRepository() {
    const rule = this.faults.config.broken;
    const { form, n } = this.faults.timeoutForm(rule.form);
    return {
      ...gatewayTimeout({ form, graphql: false, key: `broken#${n}` }),
      cacheControl: 'no-cache',
      timeout: { delayMs: rule.delayMs, cause: 'broken' },
    };
  }

  rateLimit(user) {
    const resources = {};
    for (const resource of ['core', 'search', 'graphql', 'code_search']) {
      const { limit, used, remaining, reset } = this.limiter.peek(user, resource);
      resources[resource] = { limit, used, remaining, reset };
    }
    const reset = Math.ceil(this.limiter.clock() / 1000) + 3600;
    for (const [name, limit] of Object.entries(OTHER_RESOURCES)) {
      resources[name] = { limit, used: 0, remaining: limit, reset };
    }
    const body = Buffer.from(JSON.stringify({ resources, rate: resources.core }));
    return { status: 200, body, etag: etagOf(body), cacheControl: 'no-cache' };
  }
}

const DOCS_BLOCKED = 'https://docs.github.com/rest/repos/repos#get-a-repository';
