// Repository rows shaped like the ingest program's, for the storage tests and the
// upsert benchmark: deterministic, with the awkward values text and arrays can hold.

const CLUSTERS = ['ai_ml', 'web', 'devops', 'data', 'security'];
const LANGUAGES = ['Python', 'TypeScript', 'Go', 'Rust', 'C++', 'Java'];

/** Repository number `i` (ids start at 1000), with `overrides` applied. */
export function makeRepository(i, overrides = {}) {
  const cluster = CLUSTERS[i % CLUSTERS.length];
  const owner = `owner${i % 997}`;
  const name = `project-${i}`;
  const language = LANGUAGES[i % LANGUAGES.length];
  return {
    id: 1000 + i,
    full_name: `${owner}/${name}`,
    owner,
    name,
    description: `Project ${i}: a tool for ${cluster} work, with a description of typical length.`,
    html_url: `https://github.com/${owner}/${name}`,
    homepage: i % 3 === 0 ? `https://${name}.example.org` : null,
    language,
    languages: i % 4 === 0 ? null : { [language]: 10_000 + i, Shell: 120, Dockerfile: 40 },
    topics: ['cli', cluster, `topic-${i % 50}`, 'open-source'],
    license: i % 5 === 0 ? null : 'MIT',
    stars: 10 + ((i * 7919) % 50_000),
    forks: i % 1000,
    watchers: i % 300,
    open_issues: i % 40,
    size_kb: 100 + i,
    default_branch: 'main',
    is_fork: false,
    is_archived: i % 50 === 0,
    created_at: new Date(Date.UTC(2015, 0, 1) + i * 3_600_000).toISOString(),
    pushed_at: new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString(),
    updated_at: new Date(Date.UTC(2024, 0, 2) + i * 60_000).toISOString(),
    cluster,
    clusters: [cluster],
    tech_stack: [language.toLowerCase(), 'docker'],
    complexity: ['low', 'medium', 'high'][i % 3],
    activity: ['active', 'maintained', 'stale'][i % 3],
    health_score: i % 101,
    badges: i % 7 === 0 ? ['popular'] : [],
    is_gem: i % 11 === 0,
    ...overrides,
  };
}

/** `count` repositories numbered from `from`. */
export function makeRepositories(count, from = 0) {
  return Array.from({ length: count }, (_, k) => makeRepository(from + k));
}

/** Values that break naive quoting: quotes, backslashes, commas, braces, unicode. */
export const AWKWARD = Object.freeze({
  description: 'It\'s "quoted", back\\slashed \\n, tab\there, ünïcødé 日本語 🚀, {braces}, NULL',
  homepage: null,
  topics: ['a,b', 'with "quotes"', 'back\\slash', '{curly}', 'NULL', '', 'ünï 🚀'],
  tech_stack: [],
  badges: ['comma, inside', "single'quote"],
  languages: { 'C++': 1, 'Jupyter "Notebook"': 2, 'Ünï,code': 3, 'back\\slash': 4 },
});
