// is_gem: a hidden gem is a live, healthy repository whose quality shows in several
// independent signals while few people have starred it yet.

/** Modest stars: at least GEM_MIN_STARS (someone besides the author noticed it)... */
export const GEM_MIN_STARS = 10;
/** ...and fewer than GEM_MAX_STARS (the popular badge's threshold: no longer hidden). */
export const GEM_MAX_STARS = 1000;
/** health_score at least this. */
export const GEM_MIN_HEALTH = 70;
/** At least this many of the quality signals (see qualitySignals). */
export const GEM_MIN_SIGNALS = 3;
/** Forks per star at or above this count as a signal: people build on it. */
export const GEM_FORK_RATIO = 0.1;

const LIVE = new Set(['active', 'maintained']);
const PACKAGE_BADGES = ['npm', 'pypi', 'crates'];

function present(text) {
  return typeof text === 'string' && text.trim() !== '';
}

/**
 * How many quality signals the repository shows: well-documented, a CI badge, a coverage
 * badge, a published package (npm, PyPI or crates.io badge), a homepage, forks at
 * GEM_FORK_RATIO per star or more.
 */
export function qualitySignals(repo, badges) {
  let signals = 0;
  if (badges.includes('well-documented')) signals++;
  if (badges.includes('ci')) signals++;
  if (badges.includes('coverage')) signals++;
  if (PACKAGE_BADGES.some((badge) => badges.includes(badge))) signals++;
  if (present(repo.homepage)) signals++;
  if (repo.stars > 0 && repo.forks / repo.stars >= GEM_FORK_RATIO) signals++;
  return signals;
}

/**
 * @param {object} repo
 * @param {{activity: string|null, health_score: number, badges: string[]}} derived the other rules' results
 */
export function isGem(repo, { activity, health_score: health, badges }) {
  if (repo.is_fork === true || repo.is_archived === true) return false;
  if (!(repo.stars >= GEM_MIN_STARS && repo.stars < GEM_MAX_STARS)) return false;
  if (!LIVE.has(activity) || !(health >= GEM_MIN_HEALTH)) return false;
  return qualitySignals(repo, badges) >= GEM_MIN_SIGNALS;
}
