// health_score 0..100. GitHub's own community-profile health percentage when it was
// fetched; otherwise points for what a newcomer looks for, which add up to 100.

export const POINTS = Object.freeze({
  license: 20,
  description: 15,
  readme: 20,
  homepage: 10,
  /** One or two topics give half of it, three or more all of it. */
  topics: 10,
  /** Open issues per star: see ISSUE_RATIO_STEPS. */
  issues: 25,
});
export const TOPICS_FOR_FULL_POINTS = 3;
/** [ratio at most, points]: open issues (and PRs) per star, stars counted as at least 1. */
export const ISSUE_RATIO_STEPS = Object.freeze([
  [0.05, 25],
  [0.1, 15],
  [0.25, 5],
]);

function present(text) {
  return typeof text === 'string' && text.trim() !== '';
}

function issuePoints(openIssues, stars) {
  const issues = typeof openIssues === 'number' && openIssues > 0 ? openIssues : 0;
  const ratio = issues / Math.max(typeof stars === 'number' ? stars : 0, 1);
  for (const [limit, points] of ISSUE_RATIO_STEPS) if (ratio <= limit) return points;
  return 0;
}

/** The score from the repository's own fields, ignoring the community profile's percentage. */
export function computedHealth(repo) {
  const community = repo.community ?? null;
  let score = 0;
  if (present(repo.license) || community?.license === true) score += POINTS.license;
  if (present(repo.description)) score += POINTS.description;
  if (present(repo.readme) || community?.readme === true) score += POINTS.readme;
  if (present(repo.homepage)) score += POINTS.homepage;
  const topics = Array.isArray(repo.topics) ? repo.topics.length : 0;
  if (topics >= TOPICS_FOR_FULL_POINTS) score += POINTS.topics;
  else if (topics > 0) score += POINTS.topics / 2;
  score += issuePoints(repo.open_issues, repo.stars);
  return score;
}

/** @returns {number} an integer 0..100 */
export function healthScoreOf(repo) {
  const percentage = repo.community?.health_percentage;
  if (typeof percentage === 'number' && Number.isFinite(percentage)) {
    return Math.min(100, Math.max(0, Math.round(percentage)));
  }
  return computedHealth(repo);
}
