// `node test-tokens.js`: checks every token of the configuration against GitHub (or
// GITHUB_API_URL): the user behind it, its core and search quota and their resets, bad
// tokens, and tokens that share one user's quota. Exit 1 when no token is usable.
import { checkTokens, loadTokens } from '../../binding/index.js';
import { apiUrlFromEnv, graphqlUrlFromEnv } from '../config/api-url.js';
import { loadDotEnv } from '../config/env.js';
import { CliError, EXIT_FAILED, EXIT_OK } from './errors.js';

function load() {
  try {
    return loadTokens(process.env);
  } catch (err) {
    if (err.code === 'E_NO_TOKEN') throw new CliError(err.message, { code: err.code });
    throw err;
  }
}

function clock(epochSeconds) {
  return epochSeconds ? new Date(epochSeconds * 1000).toISOString().slice(11, 19) : '?';
}

function bucketText(name, bucket) {
  return bucket ? `${name} ${bucket.remaining}/${bucket.limit} (resets ${clock(bucket.reset)} UTC)` : `${name} ?`;
}

// For each checked token, the other tokens of the same user (one quota between them).
function sharing(checks) {
  const byLogin = new Map();
  for (const check of checks) {
    if (check.status !== 'ok') continue;
    byLogin.set(check.login, [...(byLogin.get(check.login) ?? []), check.id]);
  }
  return checks.map((check) => (check.status === 'ok' ? byLogin.get(check.login).filter((id) => id !== check.id) : []));
}

function toJson(list, apiUrl, checks) {
  const shares = sharing(checks);
  const usable = checks.filter((check) => check.status === 'ok');
  return {
    source: list.source,
    api_url: apiUrl,
    warnings: list.warnings,
    usable: usable.length,
    users: new Set(usable.map((check) => check.login)).size,
    tokens: checks.map((check, i) => ({
      id: check.id,
      mask: check.mask,
      status: check.status,
      login: check.login,
      error: check.error,
      core_remaining: check.resources.core?.remaining ?? null,
      core_limit: check.resources.core?.limit ?? null,
      core_reset: check.resources.core?.reset ?? null,
      search_remaining: check.resources.search?.remaining ?? null,
      search_limit: check.resources.search?.limit ?? null,
      search_reset: check.resources.search?.reset ?? null,
      shares_quota_with: shares[i],
    })),
  };
}

function toText(list, apiUrl, checks) {
  const shares = sharing(checks);
  const count = checks.length === 1 ? '1 token' : `${checks.length} tokens`;
  const lines = [`${count} from ${list.source}, checked against ${apiUrl}:`];
  checks.forEach((check, i) => {
    const head = `  ${check.id.padEnd(9)} ${check.mask.padEnd(12)}`;
    if (check.status !== 'ok') {
      lines.push(`${head} ${check.status.toUpperCase()}: ${check.error}`);
      return;
    }
    const shared = shares[i].length ? `  shares ${check.login}'s quota with ${shares[i].join(', ')}` : '';
    lines.push(`${head} ${check.login.padEnd(16)} ${bucketText('core', check.resources.core)}  ` +
      `${bucketText('search', check.resources.search)}${shared}`);
  });
  const usable = checks.filter((check) => check.status === 'ok');
  const users = new Set(usable.map((check) => check.login)).size;
  lines.push(`${usable.length} usable of ${checks.length}; ${users} GitHub ${users === 1 ? 'user' : 'users'} ` +
    '(quotas count per user, not per token).');
  return `${lines.join('\n')}\n`;
}

export default {
  name: 'test-tokens.js',
  synopsis: 'node test-tokens.js [options]',
  description:
    'Check every GitHub token of the configuration: the user behind it, its core and\n' +
    'search quota and their resets, bad tokens, and tokens that share one user\'s quota.\n' +
    'Costs one core request per token (GET /user); GET /rate_limit is free.',
  options: {
    json: { type: 'boolean', description: 'Print one JSON object on stdout' },
  },
  notes: [
    'Tokens: GITHUB_TOKENS (comma- or whitespace-separated), else GITHUB_TOKEN, else',
    'GITHUB_TOKENS_FILE (one or more per line, # comments); .env in the working directory is read.',
    'GITHUB_API_URL: the API to check against (default https://api.github.com).',
    'GITHUB_GRAPHQL_URL: where a token whose core quota is spent is asked who it is (default: from GITHUB_API_URL).',
    '',
    'Exit status: 0 at least one token is usable, 1 none is (or no token), 2 usage error.',
  ],
  async run({ json }) {
    loadDotEnv();
    const apiUrl = apiUrlFromEnv(process.env);
    const graphqlUrl = graphqlUrlFromEnv(process.env);
    const list = load();
    // A quick answer matters more here than in a run: fewer, shorter tries.
    const checks = await checkTokens(list.tokens, { apiUrl, ...(graphqlUrl ? { graphqlUrl } : {}), timeoutMs: 20_000, maxAttempts: 3 });
    if (json) {
      process.stdout.write(`${JSON.stringify(toJson(list, apiUrl, checks))}\n`);
    } else {
      for (const warning of list.warnings) process.stderr.write(`warning: ${warning}\n`);
      process.stdout.write(toText(list, apiUrl, checks));
    }
    if (checks.some((check) => check.status === 'ok')) return EXIT_OK;
    if (!json) process.stderr.write('test-tokens: no usable token: see the errors above\n');
    return EXIT_FAILED;
  },
};
