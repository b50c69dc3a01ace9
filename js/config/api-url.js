// GITHUB_API_URL (README.md, GitHub API): the REST base URL, for github.com, GitHub
// Enterprise (https://host/api/v3) or the project's simulator.
import { CliError } from '../cli/errors.js';

export const DEFAULT_API_URL = 'https://api.github.com';

function parseUrl(name, text, example) {
  let url;
  try {
    url = new URL(text);
  } catch {
    throw new CliError(`${name} is not a URL: "${text}" (expected e.g. ${example})`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new CliError(`${name} must be an http(s) URL, not "${text}"`);
  }
  return url.href.replace(/\/+$/, '');
}

/** The API base URL from `env`, without a trailing slash; a clear error when malformed. */
export function apiUrlFromEnv(env) {
  return parseUrl('GITHUB_API_URL', (env.GITHUB_API_URL ?? '').trim() || DEFAULT_API_URL, DEFAULT_API_URL);
}

/**
 * GITHUB_GRAPHQL_URL when set; otherwise undefined, and the engine derives it from the
 * REST URL (https://api.github.com/graphql; GitHub Enterprise .../api/v3 -> .../api/graphql).
 */
export function graphqlUrlFromEnv(env) {
  const text = (env.GITHUB_GRAPHQL_URL ?? '').trim();
  return text ? parseUrl('GITHUB_GRAPHQL_URL', text, `${DEFAULT_API_URL}/graphql`) : undefined;
}
