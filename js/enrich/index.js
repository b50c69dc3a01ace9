// Enrichment: the derived columns of one repository row. Pure: the same repository and
// `now` always give the same fields; nothing here reads the clock, the network or the
// database. Each rule lives in its own module and is documented in README.md
// ("Enrichment rules").
import { activityOf } from './activity.js';
import { badgesOf, isTrending } from './badges.js';
import { clustersOf } from './clusters.js';
import { complexityOf } from './complexity.js';
import { isGem } from './gem.js';
import { healthScoreOf } from './health.js';
import { techStackOf } from './tech-stack.js';
import { nowMs } from './time.js';

export { activityOf } from './activity.js';
export { BADGES, badgesOf } from './badges.js';
export { clustersOf } from './clusters.js';
export { complexityOf } from './complexity.js';
export { isGem } from './gem.js';
export { healthScoreOf } from './health.js';
export { README_BADGES, readmeBadges } from './readme-badges.js';
export { techStackOf } from './tech-stack.js';
export { TECH_TABLE } from './tech-stack-table.js';

/**
 * The enrichment columns of one repository.
 *
 * @param {object} repo one repository as the engine delivers it (schema field names)
 * @param {{now: Date|number}} options `now`: the instant the time-dependent rules measure from
 * @returns {{cluster: string, clusters: string[], tech_stack: string[],
 *            complexity: 'low'|'medium'|'high'|null,
 *            activity: 'active'|'maintained'|'stale'|'abandoned'|null,
 *            health_score: number, badges: string[], is_gem: boolean}}
 */
export function enrich(repo, { now } = {}) {
  if (repo === null || typeof repo !== 'object') {
    throw new TypeError(`Expected a repository object for repo but received ${repo === null ? 'null' : typeof repo}`);
  }
  const nowMillis = nowMs(now);
  const { cluster, clusters } = clustersOf(repo);
  const activity = activityOf(repo, nowMillis);
  const health_score = healthScoreOf(repo);
  const badges = badgesOf(repo, nowMillis);
  return {
    cluster,
    clusters,
    tech_stack: techStackOf(repo),
    complexity: complexityOf(repo),
    activity,
    health_score,
    badges,
    is_gem: isGem(repo, { activity, health_score, badges }),
  };
}

/**
 * A stored row that GitHub reports unchanged (a refresh answered 304) is still a day
 * older: the rules that measure from `now` (activity, the trending badge, and is_gem,
 * which depends on both) are applied again; the rest was derived from data that has not
 * changed, the README and community profile included, and is kept as stored.
 *
 * @param {object} row a stored `repositories` row
 * @param {{now: Date|number}} options
 * @returns {{activity: string|null, badges: string[], is_gem: boolean}}
 */
export function rederiveStored(row, { now } = {}) {
  const nowMillis = nowMs(now);
  const activity = activityOf(row, nowMillis);
  const badges = (row.badges ?? []).filter((badge) => badge !== 'trending');
  if (isTrending(row, nowMillis)) badges.unshift('trending');
  return { activity, badges, is_gem: isGem(row, { activity, health_score: row.health_score, badges }) };
}
