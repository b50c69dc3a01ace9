// badges: what the numbers say about a repository (trending, popular, well-documented,
// beginner-friendly), then what its README shows (readme-badges.js).
import { ACTIVE_DAYS } from './activity.js';
import { README_BADGES, readmeBadgeBits } from './readme-badges.js';
import { daysSince, nowMs } from './time.js';

/** trending: created at most this many days ago... */
export const TRENDING_MAX_AGE_DAYS = 365;
/** ...pushed within ACTIVE_DAYS, with at least this many stars... */
export const TRENDING_MIN_STARS = 100;
/** ...gained at this average rate per day of its life (its age counted as at least 1 day). */
export const TRENDING_STARS_PER_DAY = 5;
/** popular: at least this many stars. */
export const POPULAR_STARS = 1000;
/** well-documented: a README of at least this many characters, with WELL_DOCUMENTED_HEADINGS headings, and a description. */
export const WELL_DOCUMENTED_CHARS = 2000;
export const WELL_DOCUMENTED_HEADINGS = 3;

/** Topics by which maintainers invite newcomers. */
export const BEGINNER_TOPICS = Object.freeze([
  'good-first-issue', 'good-first-issues', 'beginner-friendly', 'beginners', 'beginner', 'first-timers-only',
  'first-timers', 'first-contributions', 'up-for-grabs', 'help-wanted', 'hacktoberfest', 'newcomers',
]);
const BEGINNER_TOPIC_SET = new Set(BEGINNER_TOPICS);
const BEGINNER_MENTION = /good[ _-]first[ _-]issues?|first[ _-]timers[ _-]only|beginner[ _-]friendly|up[ _-]for[ _-]grabs/i;

/** The computed badges first, then README_BADGES: every badge this module can give. */
export const BADGES = Object.freeze(['trending', 'popular', 'well-documented', 'beginner-friendly', ...README_BADGES]);

// ATX headings ("## Usage", up to 3 spaces in) and HTML headings (<h2 align="center">).
const HEADING = /^ {0,3}#{1,6}[ \t]+\S|<h[1-6][\s>]/gim;

function present(text) {
  return typeof text === 'string' && text.trim() !== '';
}

export function isTrending(repo, nowMillis) {
  if (repo.is_archived === true || !(repo.stars >= TRENDING_MIN_STARS)) return false;
  const age = daysSince(repo.created_at, nowMillis);
  if (!(age <= TRENDING_MAX_AGE_DAYS)) return false;
  if (!(daysSince(repo.pushed_at, nowMillis) <= ACTIVE_DAYS)) return false;
  return repo.stars / Math.max(age, 1) >= TRENDING_STARS_PER_DAY;
}

export function isPopular(repo) {
  return repo.stars >= POPULAR_STARS;
}

/** At least `wanted` headings in `readme` (stops counting there). */
function hasHeadings(readme, wanted) {
  HEADING.lastIndex = 0;
  let found = 0;
  while (found < wanted && HEADING.exec(readme) !== null) found++;
  return found >= wanted;
}

export function isWellDocumented(repo) {
  const readme = repo.readme;
  return (
    typeof readme === 'string' &&
    readme.length >= WELL_DOCUMENTED_CHARS &&
    present(repo.description) &&
    hasHeadings(readme, WELL_DOCUMENTED_HEADINGS)
  );
}

export function isBeginnerFriendly(repo) {
  if (repo.is_archived === true) return false;
  if (Array.isArray(repo.topics)) {
    for (const topic of repo.topics) if (BEGINNER_TOPIC_SET.has(topic)) return true;
  }
  if (typeof repo.readme === 'string' && BEGINNER_MENTION.test(repo.readme)) return true;
  const community = repo.community;
  return community != null && community.contributing === true && community.code_of_conduct === true;
}

/**
 * @param {object} repo
 * @param {Date|number} now
 * @returns {string[]} in BADGES order
 */
export function badgesOf(repo, now) {
  const nowMillis = nowMs(now);
  const badges = [];
  if (isTrending(repo, nowMillis)) badges.push('trending');
  if (isPopular(repo)) badges.push('popular');
  if (isWellDocumented(repo)) badges.push('well-documented');
  if (isBeginnerFriendly(repo)) badges.push('beginner-friendly');
  const bits = readmeBadgeBits(repo.readme);
  if (bits !== 0) {
    for (let i = 0; i < README_BADGES.length; i++) if (bits & (1 << i)) badges.push(README_BADGES[i]);
  }
  return badges;
}
