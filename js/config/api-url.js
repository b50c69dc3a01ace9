// GITHUB_API_URL (DESIGN.md, Configuration): the REST base URL, for github.com, GitHub
// Enterprise (https://host/api/v3) or the project's simulator.
import { CliError } from '../cli/errors.js';

export const DEFAULT_API_URL = 'https://api.github.com';

/** The API base URL from `env`, without a trailing slash; a clear error when malformed. */
export function apiUrlFromEnv(env) {
  const text = (env.GITHUB_API_URL ?? '').trim() || DEFAULT_API_URL;
  let url;
  try {
    url = new URL(text);
  } catch {
    throw new CliError(`GITHUB_API_URL is not a URL: "${text}" (expected e.g. ${DEFAULT_API_URL})`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new CliError(`GITHUB_API_URL must be an http(s) URL, not "${text}"`);
  }
  return url.href.replace(/\/+$/, '');
}
