// Badges a README shows: the image URLs of markdown images (inline or reference-style)
// and HTML <img> tags, classified by the services that draw them. Only image URLs are
// classified, and every pattern asks for a badge path (badge.svg, a shields.io route...),
// so a plain link to npmjs.com or codecov.io is not taken for a badge.

/** The README badges, in the order they are listed. */
export const README_BADGES = Object.freeze([
  'ci', 'coverage', 'npm', 'pypi', 'crates', 'docs', 'docker', 'license', 'downloads',
]);
/** Badges are looked for in the first this many characters (they sit at the top). */
export const README_SCAN_CHARS = 200_000;

const BIT = Object.fromEntries(README_BADGES.map((name, i) => [name, 1 << i]));

const SHIELDS = String.raw`(?:img\.shields\.io|badgen\.net|flat\.badgen\.net)`;

// [badge, pattern over one image URL]. A URL can earn several (docker pulls: docker and
// downloads).
const RULES = [
  // Continuous integration
  ['ci', /github\.com\/[^/]+\/[^/]+\/(?:actions\/)?workflows\/[^?#]*badge\.svg/i],
  ['ci', /travis-ci\.(?:org|com)\/.+\.(?:svg|png)/i],
  ['ci', /circleci\.com\/.+(?:\.svg|\/badge|status-badge)/i],
  ['ci', /ci\.appveyor\.com\/api\/projects\/status/i],
  ['ci', /(?:dev\.azure\.com|visualstudio\.com)\/.*_apis\/build\/status/i],
  ['ci', /\/badges\/[^?#]+\/pipeline\.svg/i],
  ['ci', /badge\.buildkite\.com\//i],
  ['ci', /drone\.[^/]+\/api\/badges\//i],
  ['ci', /\/buildStatus\/icon|\/badge\/icon\b/i],
  ['ci', new RegExp(String.raw`${SHIELDS}\/(?:github\/(?:actions\/)?workflow\/status|github\/actions\/status|github\/checks-status|github\/check-runs|travis|circleci|appveyor|azure-devops\/build|gitlab\/pipeline-status|gitlab\/pipeline|jenkins\/build|buildkite|drone)\/`, 'i')],
  // Coverage
  ['coverage', /codecov\.io\/.+(?:badge|graph)/i],
  ['coverage', /coveralls\.io\/repos\/.+badge/i],
  ['coverage', /api\.codeclimate\.com\/v1\/badges\/[^/]+\/test_coverage/i],
  ['coverage', /app\.codacy\.com\/project\/badge\/coverage/i],
  ['coverage', /\/badges\/[^?#]+\/coverage\.svg/i],
  ['coverage', new RegExp(String.raw`${SHIELDS}\/(?:codecov|coveralls|codeclimate\/coverage|sonar\/coverage|scrutinizer\/coverage|codacy\/coverage|gitlab\/pipeline-coverage)\/`, 'i')],
  // Package registries (the version badge)
  ['npm', new RegExp(String.raw`${SHIELDS}\/npm\/v\/`, 'i')],
  ['npm', /badge\.fury\.io\/js\/|nodei\.co\/npm\//i],
  ['pypi', new RegExp(String.raw`${SHIELDS}\/pypi\/v\/`, 'i')],
  ['pypi', /badge\.fury\.io\/py\//i],
  ['crates', new RegExp(String.raw`${SHIELDS}\/crates\/v\/`, 'i')],
  // Documentation
  ['docs', /docs\.rs\/[^/]+\/badge\.svg/i],
  ['docs', /readthedocs\.(?:org|io)\/projects\/[^/]+\/badge/i],
  ['docs', /pkg\.go\.dev\/badge\/|godoc\.org\/.+\?status\.svg/i],
  ['docs', new RegExp(String.raw`${SHIELDS}\/(?:readthedocs|docsrs)\/`, 'i')],
  // Docker
  ['docker', new RegExp(String.raw`${SHIELDS}\/docker\/`, 'i')],
  // License
  ['license', new RegExp(String.raw`${SHIELDS}\/(?:github\/license|npm\/l|pypi\/l|crates\/l|packagist\/l|gem\/l|hexpm\/l|cocoapods\/l|conda\/l|aur\/license)\/`, 'i')],
  ['license', /app\.fossa\.(?:com|io)\/api\/projects\/.+shield|licensebuttons\.net\//i],
  // Downloads
  ['downloads', new RegExp(String.raw`${SHIELDS}\/(?:npm\/d(?:w|m|y|t|18m)|pypi\/d[dwm]|crates\/d[rv]?|github\/downloads|gem\/dt|nuget\/dt|packagist\/d[dmt]|docker\/pulls|pepy\/dt|conda\/dn|homebrew\/installs|visual-studio-marketplace\/(?:d|i)|vscode-marketplace\/(?:d|i)|jsdelivr)\/`, 'i')],
  ['downloads', /pepy\.tech\/(?:personalized-)?badge\//i],
];

// Static badges (shields.io/badge/<label>-<message>-<color>, badgen.net/badge/<label>/...,
// shields.io/static/v1?label=...): the label names the badge.
const STATIC_LABEL = new RegExp(
  String.raw`${SHIELDS}\/(?:badge\/|static\/v1\?label=)(build|ci|tests?|pipeline|coverage|npm|pypi|crates(?:\.io)?|licen[sc]e|downloads|docs|documentation|docker)(?=[-_/%:& ]|$)`,
  'i',
);
const LABEL_BADGE = new Map([
  ['build', 'ci'], ['ci', 'ci'], ['test', 'ci'], ['tests', 'ci'], ['pipeline', 'ci'],
  ['coverage', 'coverage'], ['npm', 'npm'], ['pypi', 'pypi'], ['crates', 'crates'], ['crates.io', 'crates'],
  ['license', 'license'], ['licence', 'license'], ['downloads', 'downloads'],
  ['docs', 'docs'], ['documentation', 'docs'], ['docker', 'docker'],
]);

// One pass over the README for image URLs: ![alt](url), <img src="url">, and reference
// definitions "[name]: url" (the targets of ![alt][name]).
const IMAGE_URL =
  /!\[[^\]\n]*\]\(\s*<?([^\s)>]+)|<img\b[^>]*?\bsrc\s*=\s*["']?([^"'\s>]+)|^[ \t]{0,3}\[[^\]\n]+\]:[ \t]*<?([^\s>]+)/gim;

/** The badges one image URL stands for, as a bit set over README_BADGES. */
export function classifyBadgeUrl(url) {
  let bits = 0;
  for (const [badge, pattern] of RULES) if (pattern.test(url)) bits |= BIT[badge];
  const label = STATIC_LABEL.exec(url);
  if (label !== null) bits |= BIT[LABEL_BADGE.get(label[1].toLowerCase())];
  return bits;
}

/** The bit set of README_BADGES found in `readme`; 0 for none or no README. */
export function readmeBadgeBits(readme) {
  if (typeof readme !== 'string' || readme === '') return 0;
  // A slice of a long string shares its characters: no copy.
  const text = readme.length > README_SCAN_CHARS ? readme.slice(0, README_SCAN_CHARS) : readme;
  let bits = 0;
  IMAGE_URL.lastIndex = 0;
  let match;
  while ((match = IMAGE_URL.exec(text)) !== null) {
    bits |= classifyBadgeUrl(match[1] ?? match[2] ?? match[3]);
  }
  return bits;
}

/** The README badges found in `readme`, in README_BADGES order. */
export function readmeBadges(readme) {
  const bits = readmeBadgeBits(readme);
  const names = [];
  if (bits === 0) return names;
  for (const name of README_BADGES) if (bits & BIT[name]) names.push(name);
  return names;
}
