// Types of gh-ingest's binding (binding/index.js). Hand-written; checked by
// test/types/binding.test-d.ts (`npm run test:types`).

/** Versions of the addon and of the libraries it was built with and runs with. */
export interface Versions {
  /** gh-ingest's version compiled into the addon; equals package.json's version. */
  addon: string;
  /** The libcurl loaded at run time, e.g. "7.88.1". */
  libcurl: string;
  /** libcurl's TLS backend, e.g. "OpenSSL/3.0.15", or "none". */
  ssl: string;
  /** The simdjson version the addon was compiled against, e.g. "3.0.1". */
  simdjson: string;
  /** The simdjson kernel picked for this CPU, e.g. "haswell", "icelake", "fallback". */
  simdjsonImplementation: string;
  /** The Node-API version the addon targets, e.g. "8": the oldest it can run on. */
  napi: string;
}

/** The tokens of the configuration, in configured order, duplicates removed. */
export interface TokenList {
  /** Whole tokens. Never print them: use {@link maskToken}. */
  tokens: string[];
  /** Masked warnings, safe to print (e.g. a duplicate that was dropped). */
  warnings: string[];
  /** Where the tokens came from, e.g. "GITHUB_TOKENS" or "GITHUB_TOKENS_FILE (path)". */
  source: string;
}

/** The environment variables {@link loadTokens} reads; any other keys are ignored. */
export interface TokenEnvironment {
  /** Tokens separated by commas or whitespace. Takes precedence over the others. */
  GITHUB_TOKENS?: string;
  /** A single token, used when GITHUB_TOKENS is unset or blank. */
  GITHUB_TOKEN?: string;
  /** A file with one or more tokens per line; `#` starts a comment. Used last. */
  GITHUB_TOKENS_FILE?: string;
  [name: string]: string | undefined;
}

/** An error thrown by the binding, with a stable string code. */
export interface BindingError extends Error {
  /**
   * 'E_NO_TOKEN' (no token could be loaded), 'E_ADDON_LOAD' (the .node file could not
   * be loaded), 'E_ADDON_STALE' (the .node file is from another version), or
   * 'ERR_INVALID_ARG_TYPE' (a TypeError: an argument of the wrong type).
   */
  code: 'E_NO_TOKEN' | 'E_ADDON_LOAD' | 'E_ADDON_STALE' | 'ERR_INVALID_ARG_TYPE';
}

/**
 * Versions of the addon and of its libraries.
 * @throws {BindingError} 'E_ADDON_LOAD' or 'E_ADDON_STALE' when the addon cannot be used.
 */
export function versions(): Versions;

/**
 * The printable form of a token: GitHub's type prefix, an ellipsis and at most the last
 * four characters, e.g. "ghp_…k9Qz". Short tokens show less.
 * @throws {TypeError} when `token` is not a string.
 */
export function maskToken(token: string): string;

/**
 * Loads the tokens from GITHUB_TOKENS, else GITHUB_TOKEN, else GITHUB_TOKENS_FILE.
 * It does not read `.env`: the CLI loads it into the environment first.
 * @param env The environment to read; defaults to `process.env`.
 * @throws {BindingError} 'E_NO_TOKEN' with a one-line, masked message when no token can
 *   be loaded (none set, an unreadable file, a malformed token).
 * @throws {TypeError} when `env` is not an object or a variable is not a string.
 */
export function loadTokens(env?: TokenEnvironment): TokenList;

/** Where and how {@link checkTokens} asks GitHub. */
export interface CheckTokensOptions {
  /** The API base URL; default "https://api.github.com" (GitHub Enterprise: ".../api/v3"). */
  apiUrl?: string;
  /** Tokens checked at once; default 4. */
  threads?: number;
  /** The longest one request may take, in milliseconds; default 60000. */
  timeoutMs?: number;
  /** Requests per token when GitHub fails transiently (5xx, network); default 5. */
  maxAttempts?: number;
  /** A PEM CA bundle for a GitHub Enterprise server with a private CA. */
  caBundle?: string;
  /**
   * Ask GET /rate_limit (free) before GET /user: a token whose core quota is spent is
   * not sent a request on its empty bucket.
   */
  rateLimitFirst?: boolean;
  /**
   * Where a token whose core quota is spent is asked who it is: GraphQL's
   * `viewer { login }`, one point of the GraphQL quota. Default: derived from apiUrl
   * (".../graphql"; GitHub Enterprise ".../api/graphql"). Failed only when both quotas
   * are spent.
   */
  graphqlUrl?: string;
}

/** One bucket of a token's user, as GET /rate_limit (and the check's own request) left it. */
export interface BucketState {
  limit: number;
  remaining: number;
  used: number;
  /** UTC epoch seconds. */
  reset: number;
}

/** What GitHub said of one token. */
export interface TokenCheck {
  /** "Token #1", in configured order. */
  id: string;
  /** e.g. "ghp_…k9Qz". */
  mask: string;
  /** ok: valid; rejected: 401, unusable; failed: no usable answer after retries. */
  status: 'ok' | 'rejected' | 'failed' | 'stopped';
  /** The GitHub user behind the token; tokens of one login share one quota. */
  login: string | null;
  /** The last HTTP status of GET /user (0: no answer). */
  httpStatus: number;
  /** One line, masked; null when ok. */
  error: string | null;
  /** By resource name: core, search, graphql, ... */
  resources: Record<string, BucketState>;
}

/**
 * Checks each token against GitHub: GET /user (one core request) and GET /rate_limit
 * (free), a few tokens at a time, off the JS thread.
 * @throws {TypeError} when `tokens` is not a non-empty array of strings, or an option has
 *   the wrong type.
 */
export function checkTokens(tokens: string[], options?: CheckTokensOptions): Promise<TokenCheck[]>;

/** One cluster of a run: its GitHub search queries and how many new repositories it wants. */
export interface RunGroup {
  name: string;
  /** GitHub search syntax, passed through; split by created: date past 1,000 results. */
  queries: string[];
  limit: number;
}

export interface RunOptions {
  tokens: string[];
  /** Default "https://api.github.com". */
  apiUrl?: string;
  groups: RunGroup[];
  /** Per-repository endpoints to fetch; none by default. */
  details?: Array<'languages' | 'readme' | 'community'>;
  /** Worker threads; default min(tokens, 10). */
  workers?: number;
  /** Repositories per batch; default 100. */
  batchSize?: number;
  /** Batches handed out and not yet acknowledged before workers pause; default 4. */
  maxUnacked?: number;
  /** Repositories already stored: neither fetched nor delivered. */
  knownIds?: number[];
  /**
   * GitHub's secondary caps per user and minute that requests are paced below: REST
   * (default 900) and GraphQL (default 2000) points, a read one point; 0: no cap.
   */
  restPerMinute?: number;
  graphqlPerMinute?: number;
  /** How details are fetched: one GraphQL query per 100 repositories (default), or REST. */
  api?: 'graphql' | 'rest';
  /** The GraphQL endpoint; default derived from apiUrl (…/graphql, GHE …/api/graphql). */
  graphqlUrl?: string;
  /** Stored ETags per repository, sent as If-None-Match: an unchanged detail is a free 304. */
  knownEtags?: Array<{ id: number; languages?: string | null; readme?: string | null; community?: string | null }>;
  /**
   * Stored repositories to re-check, each carried by the batches of the group named
   * `cluster`. Include them in knownIds too. With `api: 'rest'` each is asked by id
   * (GET /repositories/{id}) with its stored ETag; with GraphQL they are re-read 100 per
   * query and compared with `row`, their stored columns (without `row`: REST).
   */
  refresh?: Array<{ id: number; cluster: string; etag?: string | null; row?: StoredRow }>;
  /**
   * Repositories an earlier run could not fetch (RunResult.pending): claimed for the group
   * named `cluster` before any search (they count in its limit) and fetched first, by id.
   * Leave them out of knownIds.
   */
  pending?: Array<{ id: number; cluster: string; nodeId?: string | null; fullName?: string | null; clusters?: string[] }>;
  /** Check every token first (GET /user, GET /rate_limit); default true. */
  checkTokens?: boolean;
  /** Reserve kept in the hourly buckets. */
  minRemaining?: number;
  /** Rotate to another token after this many consecutive requests (0: never). */
  requestsPerToken?: number;
  /**
   * Requests of one GitHub user (all its tokens, all resources) in flight at once, 1 to 100;
   * default 1, as GitHub asks. More risks secondary limits that pause the whole user.
   */
  concurrencyPerUser?: number;
  /** Newest creation date searched, epoch seconds (default: now). */
  createdUpper?: number;
  /**
   * One host of a coordinated job (--coordinate): a user's tokens are used only while
   * this host holds the user (Run.holdUser), so each user's lane is on one host at a time.
   */
  coordinated?: boolean;
  /** Each token's login, in the order of `tokens`, when the caller checked them (checkTokens: false). */
  logins?: string[];
}

/** One GitHub user's state as the hosts of a job hand it to each other with its lane. */
export interface UserShare {
  login: string;
  buckets?: Array<{ resource: string; limit: number; remaining: number; reset: number; estimated?: boolean }>;
  /** Epoch milliseconds; 0: not paused. */
  pausedUntilMs?: number;
  strikes?: number;
  narrowedWidth?: number;
  /** When the last minute's requests were granted (epoch ms), for GitHub's per-minute caps. */
  restMinuteMs?: number[];
  graphqlMinuteMs?: number[];
}

export interface UserStatus {
  login: string;
  held: boolean;
  inFlight: number;
  requests: number;
  share: Omit<UserShare, 'login'>;
}

/** What the engine asks before shared work (--coordinate); each answer may be async. */
export interface WorkGate {
  /** Whether this host runs the query (another host may run it). */
  takeQuery(query: string): boolean | Promise<boolean>;
  queryDone(query: string, complete: boolean): unknown;
  /**
   * Per repository, in order: whether this host may fetch it, or 'offered' (claimed for
   * the job and handed to an idle host). `row`: its search fields, as a delivered row.
   */
  claim(items: GateItem[]): Array<boolean | 'offered'> | Promise<Array<boolean | 'offered'>>;
  /** Queued repositories offered to the job's idle hosts: 'offered' for each the job took. */
  offer?(items: GateItem[]): Array<false | 'offered'> | Promise<Array<false | 'offered'>>;
  /** Offered repositories and the work of hosts that died; empty lists: the job is over. */
  adopt(): WorkAdopted | Promise<WorkAdopted>;
}

export interface GateItem {
  id: number;
  nodeId: string;
  fullName: string;
  cluster: string;
  row: Record<string, unknown>;
}

export interface WorkAdopted {
  queries: string[];
  /** `row`: the search fields an offered repository came with (no request by id). */
  owed: Array<{ id: number; cluster: string; nodeId?: string | null; fullName?: string | null; clusters?: string[]; row?: Record<string, unknown> }>;
}

/**
 * A stored row's own columns (the schema's names; no details), as a GraphQL refresh
 * compares them with GitHub's answer. Timestamps as GitHub writes them: "2024-05-01T12:00:00Z".
 */
export interface StoredRow {
  node_id: string | null;
  full_name: string;
  owner: string;
  name: string;
  description: string | null;
  html_url: string;
  homepage: string | null;
  language: string | null;
  topics: string[];
  license: string | null;
  stars: number;
  forks: number;
  watchers: number | null;
  open_issues: number;
  size_kb: number | null;
  default_branch: string | null;
  is_fork: boolean;
  is_archived: boolean;
  created_at: string | null;
  pushed_at: string | null;
  updated_at: string | null;
}

/** A repository with the schema's field names, plus its details' states and ETags. */
export interface RunRepository {
  id: number;
  node_id: string;
  full_name: string;
  owner: string;
  name: string;
  description: string | null;
  html_url: string;
  homepage: string | null;
  language: string | null;
  /** Bytes per language; null when not fetched. */
  languages: Record<string, number> | null;
  topics: string[];
  /** SPDX id. */
  license: string | null;
  stars: number;
  forks: number;
  watchers: number | null;
  open_issues: number;
  size_kb: number | null;
  default_branch: string | null;
  is_fork: boolean;
  is_archived: boolean;
  created_at: string | null;
  pushed_at: string | null;
  updated_at: string | null;
  readme: string | null;
  community: {
    health_percentage: number | null;
    code_of_conduct: boolean;
    contributing: boolean;
    issue_template: boolean;
    pull_request_template: boolean;
    license: boolean;
    readme: boolean;
  } | null;
  details: Record<'languages' | 'readme' | 'community', 'not_requested' | 'fetched' | 'unchanged' | 'absent'>;
  /** `repository` only on a re-checked repository. */
  etags: Record<'languages' | 'readme' | 'community', string> & { repository?: string };
  /** A stored repository re-checked (options.refresh) that changed: counts for no limit. */
  refreshed?: true;
  /** Every group that has found it so far in this run, its own group first. */
  clusters_found: string[];
}

export interface RunBatch {
  id: number;
  /** The group (cluster) these repositories count for. */
  cluster: string;
  repositories: RunRepository[];
  /** Re-checked stored repositories unchanged since their ETag (a free 304). */
  unchanged: number[];
  /** Re-checked stored repositories that are gone (404, 451). */
  gone: number[];
}

export interface RunEvent {
  type: 'progress' | 'pool' | 'warning' | 'error';
  cluster: string | null;
  /** One line, tokens masked. */
  message: string;
  pool?: 'waiting' | 'exhausted' | 'paused' | 'retired' | 'resumed';
  token?: string;
  resource?: string;
  /** Epoch seconds. */
  until?: number;
}

export interface RunResult {
  ok: boolean;
  stopped: boolean;
  error: string | null;
  batches: number;
  /**
   * Per group: `exhausted` only when every query ran dry with nothing lost on the way;
   * `lost` repositories are pending, `failedSearches` ranges failed after retries.
   */
  clusters: Record<string, {
    limit: number; delivered: number; full: boolean; exhausted: boolean; unreachable: number;
    lost: number; failedSearches: number;
  }>;
  tokenChecks: Array<{ id: string; status: string; login: string | null; error: string | null }>;
  /** GraphQL details queries sent (retries included) and the points they were charged. */
  graphqlQueries: number;
  graphqlPoints: number;
  /** Re-checked stored repositories by outcome (options.refresh). */
  refresh: { changed: number; unchanged: number; gone: number; failed: number };
  /** Repositories found by more groups than their batch listed (or stored ones found again). */
  lateFinders: Array<{ id: number; clusters: string[] }>;
  /** Claimed repositories whose details failed through both APIs after retries: fetch them first next time. */
  pending: Array<{ id: number; nodeId: string | null; fullName: string | null; cluster: string; clusters: string[]; error: string; attempts: number }>;
  /** Search ranges whose requests failed after retries: `query` is the cluster's, `range` the one sent. */
  pendingSearches: Array<{ cluster: string; query: string; range: string; error: string }>;
  /** Pending repositories (options.pending) found gone from GitHub: no longer owed. */
  owedGone: number;
  /** Extra search requests spent re-checking ranges against their total_count (results shift while paging). */
  searchRechecks: number;
  /** Repositories only those re-checks found. */
  searchRecheckFound: number;
  /** By how many the ranges' last total_count still exceeded what arrived after re-checks (GitHub's count moving). */
  searchShort: number;
  /** The GraphQL details query's size as learnt from GitHub's answers (timeouts split it). */
  graphqlBatches: { size: number; smallest: number; timeouts: number; shrinks: number; grows: number };
  /** With a gate: repositories another host had claimed, and queries another host ran. */
  claimedElsewhere: number;
  queriesElsewhere: number;
  /** With a gate: repositories offered to idle hosts, and offered ones this host adopted from another. */
  offered: number;
  adoptedOffered: number;
}

export interface Run {
  /** Settles when the run ends: every query exhausted or every limit met, or stop(). */
  done: Promise<RunResult>;
  /** Ends the run; in-flight batches are still delivered. */
  stop(): Promise<RunResult>;
  /** The token pool now: per resource and per token. */
  stats(): object;
  /** The group wants nothing more (e.g. its quota was met elsewhere): its searches stop. */
  cancelGroup(name: string): void;
  /** --coordinate: every known user, whether this host holds it, and its state. */
  users(): UserStatus[];
  /** --coordinate: this host holds the user from now on; its state is merged in. */
  holdUser(share: UserShare): void;
  /** --coordinate: no new request for the user; those in flight finish. */
  releaseUser(login: string): void;
  /**
   * --coordinate: the held users may be served until this moment (epoch ms), no longer:
   * renewed with each heartbeat, so a host whose heartbeats stall stops by itself.
   */
  renewLeases(untilMs: number): void;
  /** --coordinate: this many other hosts are idle; a share of the queued details is offered to them once. */
  offerToIdleHosts(hosts: number): void;
  /**
   * --coordinate: repositories this host claimed that the job gave to another host while
   * this one was presumed dead. Those still queued are dropped unfetched (counted as
   * claimed elsewhere); returns how many.
   */
  dropClaims(ids: number[]): number;
}

/**
 * Starts one run of the fetch engine. A batch is acknowledged when `onBatch` settles
 * (it may be async): at most `maxUnacked` batches wait at any time.
 */
export function startRun(
  options: RunOptions,
  handlers?: { onBatch?: (batch: RunBatch) => unknown; onEvent?: (event: RunEvent) => void; gate?: WorkGate },
): Run;

/**
 * One line for `--version`, e.g.
 * "gh-ingest 0.1.0 (libcurl 7.88.1 OpenSSL/3.0.15, simdjson 3.0.1 haswell, Node-API 8)".
 */
export function formatVersion(): string;
