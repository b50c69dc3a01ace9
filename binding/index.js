// The JS face of the compiled addon, and the only module that loads the .node file.
//
// The addon is loaded on first use, not at import, so that `--help` and usage errors
// work before anything is built. Where it is looked for, in order:
//   1. $GH_INGEST_ADDON, when set (and then only there: an explicit path that fails
//      must not silently fall back to another build);
//   2. build/Release/gh_ingest.node (`npm install`, `npm run build`);
//   3. build/Debug/gh_ingest.node (`npm run build:debug`).
// A build whose compiled version is not package.json's is refused: it is stale.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = require('../package.json');

const MINIMUM_NODE = '20.6';

let addon;

function candidatePaths() {
  const override = process.env.GH_INGEST_ADDON;
  if (override) return [path.resolve(override)];
  return ['Release', 'Debug'].map((config) => path.join(root, 'build', config, 'gh_ingest.node'));
}

// Relative to the working directory when inside it: shorter, and what the user typed.
function shownPath(file) {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

// One line per failed path; a missing file is just "not found", not a require stack.
function describeFailure(file, err) {
  const shown = shownPath(file);
  if (err.code === 'MODULE_NOT_FOUND') return `${shown}: not found`;
  // dlopen errors start with the path already: don't repeat it.
  const reason = String(err.message).split('\n')[0].replace(`${file}: `, '');
  return `${shown}: ${reason}`;
}

function loadError(failures) {
  const [major, minor] = process.versions.node.split('.').map(Number);
  const [needMajor, needMinor] = MINIMUM_NODE.split('.').map(Number);
  const oldNode = major < needMajor || (major === needMajor && minor < needMinor);
  const lines = [
    `Could not load the gh-ingest native addon for Node.js ${process.version} on ${process.platform}-${process.arch}.`,
    'Tried:',
    ...failures.map((line) => `  - ${line}`),
    'Possible solutions:',
    '  - Build it: npm run build',
    '  - Install the build tools and libraries first: cmake g++ libcurl4-openssl-dev libsimdjson-dev' +
      ' (Debian/Ubuntu: bash .ci/setup-debian.sh)',
    `  - Use Node.js >= ${MINIMUM_NODE}${oldNode ? ` (this is ${process.version})` : ''}`,
  ];
  if (process.env.GH_INGEST_ADDON) {
    lines.push('  - Unset GH_INGEST_ADDON to use the addon built in this directory');
  }
  const error = new Error(lines.join('\n'));
  error.code = 'E_ADDON_LOAD';
  return error;
}

function staleError(file, builtVersion) {
  const error = new Error(
    `The gh-ingest addon at ${shownPath(file)} was built for version ` +
      `${builtVersion}, but this is version ${pkg.version}: it is stale. Run \`npm run build\`.`,
  );
  error.code = 'E_ADDON_STALE';
  return error;
}

function load() {
  if (addon) return addon;
  const failures = [];
  for (const file of candidatePaths()) {
    let candidate;
    try {
      candidate = require(file);
    } catch (err) {
      failures.push(describeFailure(file, err));
      continue;
    }
    const built = typeof candidate.versions === 'function' ? candidate.versions().addon : undefined;
    if (built !== pkg.version) throw staleError(file, built ?? 'an unknown version');
    addon = candidate;
    return addon;
  }
  throw loadError(failures);
}

/**
 * Versions of the addon and of the libraries it runs with.
 * @returns {{addon: string, libcurl: string, ssl: string, simdjson: string,
 *   simdjsonImplementation: string, napi: string}}
 */
export function versions() {
  return load().versions();
}

/**
 * The printable form of a token, e.g. "ghp_…k9Qz": never more than 4 characters of the
 * secret part.
 * @param {string} token
 * @returns {string}
 */
export function maskToken(token) {
  return load().maskToken(token);
}

/**
 * Loads the GitHub tokens from GITHUB_TOKENS, else GITHUB_TOKEN, else GITHUB_TOKENS_FILE.
 * Throws an Error with code 'E_NO_TOKEN' and a one-line message when none can be loaded.
 * @param {Record<string, string | undefined>} [env=process.env]
 * @returns {{tokens: string[], warnings: string[], source: string}}
 */
export function loadTokens(env = process.env) {
  return load().loadTokens(env);
}

/**
 * Checks tokens against GitHub: GET /user (one core request each) and GET /rate_limit
 * (free), a few tokens at a time, off the JS thread. Tokens of one login share a quota.
 * A token whose core quota is spent is asked who it is through GraphQL (`viewer`, one
 * point of the GraphQL quota, at `graphqlUrl`, by default derived from `apiUrl`).
 * @param {string[]} tokens
 * @param {{apiUrl?: string, graphqlUrl?: string, threads?: number, timeoutMs?: number, maxAttempts?: number,
 *   caBundle?: string, rateLimitFirst?: boolean}} [options]
 *   `rateLimitFirst`: ask GET /rate_limit before GET /user, so a token whose core quota is
 *   spent is not sent a request on its empty bucket.
 * @returns {Promise<Array<{id: string, mask: string, status: 'ok'|'rejected'|'failed'|'stopped',
 *   login: string|null, httpStatus: number, error: string|null,
 *   resources: Record<string, {limit: number, remaining: number, used: number, reset: number}>}>>}
 */
export function checkTokens(tokens, options = {}) {
  return load().checkTokens(tokens, options);
}

/**
 * Starts one run of the fetch engine: worker threads (one per token, at most `workers`)
 * search GitHub for every group's queries, claim each new repository once, fetch the
 * requested details and hand batches to `onBatch`. A batch is acknowledged when
 * `onBatch` (which may be async) settles: at most `maxUnacked` batches are ever waiting,
 * so memory stays flat when storage is slower than GitHub.
 *
 * @param {{tokens: string[], apiUrl?: string, groups: Array<{name: string, queries: string[], limit: number}>,
 *   details?: Array<'languages'|'readme'|'community'>, api?: 'graphql'|'rest', graphqlUrl?: string,
 *   workers?: number, batchSize?: number,
 *   maxUnacked?: number, knownIds?: number[],
 *   knownEtags?: Array<{id: number, languages?: string, readme?: string, community?: string}>,
 *   refresh?: Array<{id: number, cluster: string, etag?: string, row?: object}>,
 *   pending?: Array<{id: number, cluster: string, nodeId?: string, fullName?: string, clusters?: string[]}>,
 *   checkTokens?: boolean, minRemaining?: number, restPerMinute?: number, graphqlPerMinute?: number,
 *   requestsPerToken?: number, concurrencyPerUser?: number, createdUpper?: number,
 *   coordinated?: boolean, logins?: string[]}} options
 *   `coordinated`: one host of a job (--coordinate): a user is served only while
 *   holdUser() says this host holds it. `logins`: each token's user, when the caller
 *   checked the tokens itself (with checkTokens: false).
 * @param {{onBatch?: (batch: object) => unknown, onEvent?: (event: object) => void,
 *   gate?: {takeQuery: (query: string) => Promise<boolean>, queryDone: (query: string, complete: boolean) => Promise<void>,
 *     claim: (items: Array<{id: number, nodeId: string, fullName: string, cluster: string, row: object}>) => Promise<Array<boolean|'offered'>>,
 *     offer: (items: Array<{id: number, nodeId: string, fullName: string, cluster: string, row: object}>) => Promise<Array<false|'offered'>>,
 *     adopt: () => Promise<{queries: string[], owed: Array<{id: number, cluster: string, nodeId?: string, fullName?: string, clusters?: string[], row?: object}>}>}}} [handlers]
 *   `gate`: asked before shared work (--coordinate); each answer may be async.
 * @returns {{done: Promise<object>, stop: () => Promise<object>, stats: () => object,
 *   cancelGroup: (name: string) => void, users: () => object[], holdUser: (share: object) => void,
 *   releaseUser: (login: string) => void, renewLeases: (untilMs: number) => void,
 *   offerToIdleHosts: (hosts: number) => void, dropClaims: (ids: number[]) => number}}
 */
export function startRun(options, { onBatch, onEvent, gate } = {}) {
  const { groups, ...engineOptions } = options;
  let resolveDone;
  let rejectDone;
  const done = new Promise((resolve, reject) => {
    resolveDone = resolve;
    rejectDone = reject;
  });
  const pending = new Set();
  let failure;
  const fail = (err) => {
    failure ??= err;
    run.stop();
  };
  const run = new (load().Run)({ ...engineOptions, gated: Boolean(gate) }, groups, (kind, data) => {
    if (kind === 'gate') {
      // The engine's worker waits for this answer; a failed one gives it the safe
      // default (skip the query, claim nothing, adopt nothing) and ends the run.
      Promise.resolve()
        .then(() => gate[data.kind](...(data.args ?? [])))
        .then((answer) => run.answerGate(data.id, answer), (err) => {
          run.answerGate(data.id, undefined);
          fail(err);
        });
    } else if (kind === 'batch') {
      const handled = Promise.resolve()
        .then(() => onBatch?.(data))
        .catch(fail)
        .finally(() => {
          pending.delete(handled);
          run.ack(data.id);
        });
      pending.add(handled);
    } else if (kind === 'event') {
      try {
        onEvent?.(data);
      } catch (err) {
        fail(err);
      }
    } else {
      // 'done' comes last; batches still being stored finish first.
      Promise.allSettled([...pending]).then(() => (failure ? rejectDone(failure) : resolveDone(data)));
    }
  });
  run.start();
  return {
    done,
    stop() {
      run.stop();
      return done;
    },
    stats: () => run.stats(),
    cancelGroup: (name) => run.cancelGroup(name),
    users: () => run.users(),
    holdUser: (share) => run.holdUser(share),
    releaseUser: (login) => run.releaseUser(login),
    renewLeases: (untilMs) => run.renewLeases(untilMs),
    offerToIdleHosts: (hosts) => run.offerToIdleHosts(hosts),
    dropClaims: (ids) => run.dropClaims(ids),
  };
}

/**
 * One line for `--version`, e.g.
 * "gh-ingest 0.1.0 (libcurl 7.88.1 OpenSSL/3.0.15, simdjson 3.0.1 haswell, Node-API 8)".
 * @returns {string}
 */
export function formatVersion() {
  const v = versions();
  return (
    `gh-ingest ${v.addon} (libcurl ${v.libcurl} ${v.ssl}, ` +
    `simdjson ${v.simdjson} ${v.simdjsonImplementation}, Node-API ${v.napi})`
  );
}
