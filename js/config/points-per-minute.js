// GITHUB_POINTS_PER_MINUTE: GitHub's secondary caps per user and minute, which the token
// pool paces requests below. github.com allows 900 points a minute on REST endpoints and
// 2,000 on GraphQL (a read is one point); a GitHub Enterprise server may be configured
// otherwise, or without them (0).
import { CliError } from '../cli/errors.js';

export const DEFAULT_POINTS_PER_MINUTE = Object.freeze({ rest: 900, graphql: 2000 });

/** {restPerMinute, graphqlPerMinute} from `env`: "REST,GRAPHQL", or one number for both. */
export function pointsPerMinuteFromEnv(env) {
  const text = (env.GITHUB_POINTS_PER_MINUTE ?? '').trim();
  if (!text) return { restPerMinute: DEFAULT_POINTS_PER_MINUTE.rest, graphqlPerMinute: DEFAULT_POINTS_PER_MINUTE.graphql };
  const parts = text.split(',').map((part) => part.trim());
  if (parts.length > 2 || !parts.every((part) => /^\d+$/.test(part))) {
    throw new CliError(`GITHUB_POINTS_PER_MINUTE must be "REST,GRAPHQL" points per user and minute ` +
      `(e.g. ${DEFAULT_POINTS_PER_MINUTE.rest},${DEFAULT_POINTS_PER_MINUTE.graphql}; 0 for no cap), not "${text}"`);
  }
  const [rest, graphql = rest] = parts.map(Number);
  return { restPerMinute: rest, graphqlPerMinute: graphql };
}
