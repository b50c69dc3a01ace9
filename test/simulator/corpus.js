// The simulated GitHub: repositories and their owners, generated deterministically from
// a seed. Records hold plain values (times in ms) and the lower-cased fields search
// matches on; repo-json.js turns them into GitHub's JSON.
import { Random } from './random.js';
import { normalizeLanguage, tokenize } from './search-query.js';
import {
  DESCRIPTION_FLAVOURS, DESCRIPTION_OPENERS, FAMILIES, GENERIC_TOPICS, LICENSES, NAME_PREFIXES, OWNER_WORDS,
} from './vocabulary.js';

const DAY = 86_400_000;
/** The corpus' "now": fixed, so a seed always yields the same repositories. */
export const CORPUS_END = Date.UTC(2025, 5, 30, 12, 0, 0);
const FIRST_YEAR = 2008;
// More repositories every year, as on GitHub.
const YEAR_WEIGHTS = [1, 2, 3, 4, 6, 8, 10, 12, 14, 16, 18, 20, 24, 26, 27, 28, 28, 16];
// Real repository ids grow with creation time: [epoch ms, id] anchors, interpolated.
const ID_ANCHORS = [
  [Date.UTC(2008, 0, 1), 1], [Date.UTC(2010, 0, 1), 450_000], [Date.UTC(2013, 0, 1), 7_400_000],
  [Date.UTC(2016, 0, 1), 48_900_000], [Date.UTC(2019, 0, 1), 163_700_000], [Date.UTC(2021, 0, 1), 325_400_000],
  [Date.UTC(2023, 0, 1), 583_800_000], [Date.UTC(2025, 0, 1), 910_000_000], [CORPUS_END, 1_010_000_000],
];

function idForTime(time) {
  for (let i = 1; i < ID_ANCHORS.length; i++) {
    const [t1, id1] = ID_ANCHORS[i];
    if (time <= t1) {
      const [t0, id0] = ID_ANCHORS[i - 1];
      return Math.round(id0 + ((id1 - id0) * (time - t0)) / (t1 - t0));
    }
  }
  return ID_ANCHORS[ID_ANCHORS.length - 1][1];
}

function ownerNodeId(type, id) {
  return Buffer.from(type === 'Organization' ? `012:Organization${id}` : `04:User${id}`).toString('base64');
}

function makeOwners(random, count) {
  const owners = [];
  const taken = new Set();
  for (let i = 0; i < count; i++) {
    let login;
    do {
      const style = random.int(0, 4);
      const a = random.pick(OWNER_WORDS);
      const b = random.pick(OWNER_WORDS);
      login = style === 0 ? `${a}${b}` : style === 1 ? `${a}-${b}` : style === 2 ? `${a}${random.int(1, 9999)}`
        : style === 3 ? `${a.charAt(0).toUpperCase()}${a.slice(1)}${b.charAt(0).toUpperCase()}${b.slice(1)}`
          : `${a}-${b}-${random.chars(2)}`;
    } while (taken.has(login.toLowerCase()));
    taken.add(login.toLowerCase());
    const type = random.chance(0.3) ? 'Organization' : 'User';
    const id = random.int(1_000, 190_000_000);
    owners.push({ login, id, type, node_id: ownerNodeId(type, id), names: new Set() });
  }
  return owners;
}

function pickTopics(random, family) {
  const roll = random.next();
  if (roll < 0.22) return [];
  const count = roll < 0.8 ? random.int(1, 6) : roll < 0.95 ? random.int(7, 12) : random.int(13, 20);
  const chosen = new Set();
  // Earlier topics of a family are the popular ones (topic:machine-learning beats topic:rag).
  const weighted = family.topics.map((topic, i) => [topic, 1 / (i + 1) ** 0.6]);
  let guard = 0;
  while (chosen.size < count && guard++ < 200) {
    const roll2 = random.next();
    if (roll2 < 0.75) chosen.add(random.weighted(weighted));
    else if (roll2 < 0.9) chosen.add(random.pick(GENERIC_TOPICS));
    else chosen.add(random.pick(random.pick(FAMILIES).topics));
  }
  return [...chosen].sort();
}

function makeName(random, family, topics) {
  const noun = random.pick(family.nouns);
  switch (random.int(0, 7)) {
    case 0: return `${random.pick(NAME_PREFIXES)}-${noun}`;
    case 1: return noun;
    case 2: return `${topics[0] ?? random.pick(family.topics)}-${noun}`;
    case 3: return `${noun}${random.int(2, 99)}`;
    case 4: return `${random.pick(NAME_PREFIXES)}${noun.charAt(0).toUpperCase()}${noun.slice(1)}`;
    case 5: return `${noun}.${random.pick(['js', 'nvim', 'py', 'rs', 'go', 'io'])}`;
    case 6: return `${random.pick(NAME_PREFIXES)}_${noun}_${random.pick(family.nouns)}`;
    default: return `${random.pick(family.nouns)}-${noun}`;
  }
}

function makeDescription(random, family, language, topics) {
  if (random.chance(0.08)) return null;
  if (random.chance(0.01)) return '';
  const subject = (topics[0] ?? random.pick(family.topics)).replace(/-/g, ' ');
  let text = `${random.pick(DESCRIPTION_OPENERS)} ${subject} ${random.pick(family.nouns)}` +
    (language ? ` written in ${language}` : ' for developers');
  if (random.chance(0.22)) text += random.pick(DESCRIPTION_FLAVOURS);
  if (random.chance(0.05)) {
    // The long ones: GitHub allows 350 characters and people use them.
    while (text.length < 280) text += `, ${random.pick(family.topics).replace(/-/g, ' ')} and ${random.pick(family.nouns)}`;
    text = `${text.slice(0, 340)}.`;
  }
  return text;
}

function heavyTailedStars(random) {
  // log10(stars + 1) = 5.3 * u^2.2: about half have >= 10 stars, a few percent >= 10k, max ~200k.
  return Math.max(0, Math.floor(10 ** (5.3 * random.next() ** 2.2)) - 1);
}

// GitHub allows 20 topics per repository.
const MAX_TOPICS = 20;

/** `topics` with every one of `wanted` in it, still at most MAX_TOPICS, sorted. */
function withTopics(topics, wanted) {
  const kept = topics.filter((topic) => !wanted.includes(topic)).slice(0, MAX_TOPICS - wanted.length);
  return [...kept, ...wanted].sort();
}

/**
 * `wanted` (null unless the corpus is shaped for clusters, below): {topics, language} a
 * cluster query asks for, given to this repository on top of its family's own.
 */
function makeRepository(random, family, owners, createdAt, wanted = null) {
  const language = wanted?.language ?? random.weighted(family.languages);
  const topics = wanted ? withTopics(pickTopics(random, family), wanted.topics) : pickTopics(random, family);
  const owner = owners[Math.floor(owners.length * random.next() ** 2)];  // some owners have many repos
  let name = makeName(random, family, topics);
  while (owner.names.has(name.toLowerCase())) name = `${name}-${random.int(2, 999)}`;
  owner.names.add(name.toLowerCase());
  const stars = heavyTailedStars(random);
  const span = CORPUS_END - createdAt;
  const pushedAt = random.chance(0.3) ? CORPUS_END - random.int(0, 90) * DAY - random.int(0, DAY)
    : createdAt + Math.floor(span * random.next());
  const updatedAt = Math.min(CORPUS_END, Math.max(pushedAt, stars > 50 ? CORPUS_END - random.int(0, 20 * DAY) : pushedAt + random.int(0, 5 * DAY)));
  const license = random.chance(0.24) ? null : random.weighted(LICENSES.map((l) => [l, l.weight]));
  const popular = stars > 1000;
  return {
    owner, name, family: family.name, language, topics,
    description: makeDescription(random, family, language, topics),
    fork: random.chance(0.07),
    archived: random.chance(0.05),
    createdAt, pushedAt: Math.max(createdAt, Math.min(pushedAt, CORPUS_END)), updatedAt: Math.max(createdAt, updatedAt),
    homepage: random.chance(0.55) ? null : random.chance(0.2) ? '' : random.chance(0.5)
      ? `https://${name.toLowerCase().replace(/[^a-z0-9]+/g, '')}.dev` : `https://${owner.login.toLowerCase()}.github.io/${name}`,
    size: Math.floor(10 ** (random.next() * 5.7)),
    stars,
    forks: Math.floor(stars * (0.02 + random.next() * 0.25)),
    openIssues: Math.floor(stars * random.next() * 0.04) + (random.chance(0.5) ? random.int(0, 5) : 0),
    subscribers: Math.floor(stars * 0.02 + random.int(0, 5)),
    license,
    defaultBranch: createdAt > Date.UTC(2020, 9, 1) ? (random.chance(0.95) ? 'main' : 'master')
      : random.weighted([['master', 80], ['main', 12], ['develop', 5], ['trunk', 3]]),
    hasIssues: random.chance(0.93), hasProjects: random.chance(0.85), hasWiki: random.chance(0.8),
    hasPages: random.chance(0.15), hasDiscussions: random.chance(popular ? 0.4 : 0.08),
    isTemplate: random.chance(0.02),
    readme: random.chance(0.9) ? random.weighted([['README.md', 90], ['readme.md', 4], ['README.rst', 3], ['README', 2], ['Readme.markdown', 1]]) : null,
    community: {
      contributing: random.chance(popular ? 0.7 : 0.2),
      codeOfConduct: random.chance(popular ? 0.5 : 0.1),
      issueTemplate: random.chance(popular ? 0.6 : 0.15),
      pullRequestTemplate: random.chance(popular ? 0.45 : 0.08),
    },
    version: 0,
  };
}

function lowerFields(repo) {
  repo.nameLower = repo.name.toLowerCase();
  repo.descriptionLower = (repo.description ?? '').toLowerCase();
  repo.languageLower = repo.language ? repo.language.toLowerCase() : null;
  repo.topicSet = new Set(repo.topics);
  repo.ownerLower = repo.owner.login.toLowerCase();
  repo.fullName = `${repo.owner.login}/${repo.name}`;
}

/**
 * Share of a shaped corpus (`clusters` below) made for one cluster query each; the rest
 * is drawn as in any corpus, so searches still have repositories to leave out.
 */
export const CLUSTER_SHARE = 0.85;

const KNOWN_LANGUAGES = new Map(FAMILIES.flatMap((family) => family.languages)
  .filter(([name]) => name !== null).map(([name]) => [name.toLowerCase(), name]));

/** The terms of a search query that are not negated (`-topic:x`, `NOT topic:x`), as compileQuery reads them. */
function positiveTerms(query) {
  const terms = [];
  let not = false;
  for (const term of tokenize(query)) {
    if (!term.qualifier && !term.quoted && term.value === 'NOT') { not = true; continue; }
    if (term.negated === not) terms.push(term);
    not = false;
  }
  return terms;
}

/**
 * What each query of a clusters file asks a repository to have: its positive `topic:`
 * terms (all of them) and `language:` terms (GitHub ORs them: one is enough). Other
 * qualifiers and free text are not shaped; a query with neither topic nor language is
 * left out. Returns [[{family, queries: [{topics, languages}]}, quota], ...] for
 * Random.weighted; throws on a file that is not a clusters file.
 */
export function clusterShapes(config) {
  const clusters = config?.clusters;
  if (clusters === null || typeof clusters !== 'object' || Array.isArray(clusters)) {
    throw new TypeError('clusters: expected a clusters file, {"clusters": {"name": {"quota": N, "queries": [...]}}}');
  }
  const shapes = [];
  for (const [name, cluster] of Object.entries(clusters)) {
    const { quota, queries } = cluster ?? {};
    const valid = Number.isFinite(quota) && quota > 0 && Array.isArray(queries) && queries.every((q) => typeof q === 'string');
    if (!valid) {
      throw new TypeError(`clusters.${name}: expected {"quota": N > 0, "queries": ["...", ...]}`);
    }
    const wanted = queries.map((query) => {
      const terms = positiveTerms(query);
      const topics = terms.filter((term) => term.qualifier === 'topic').map((term) => term.value.toLowerCase());
      const languages = terms.filter((term) => term.qualifier === 'language')
        .map((term) => KNOWN_LANGUAGES.get(normalizeLanguage(term.value)) ?? term.value);
      return { topics: [...new Set(topics)], languages };
    }).filter((w) => w.topics.length > 0 || w.languages.length > 0);
    if (wanted.length === 0) continue;
    // The family named as the cluster (the shipped clusters are named after them), else
    // the one its first topic belongs to, else misc: names and descriptions follow it.
    const firstTopic = wanted.find((w) => w.topics.length)?.topics[0];
    const family = FAMILIES.find((f) => f.name === name)
      ?? FAMILIES.find((f) => f.topics.includes(firstTopic))
      ?? FAMILIES.find((f) => f.name === 'misc');
    shapes.push([{ family, queries: wanted }, quota]);
  }
  return shapes;
}

export class Corpus {
  /**
   * @param {{seed?: number|string, repositories?: number, clusters?: object|null}} options
   *   clusters: a clusters file's content (the ingest's format). Off (null) by default.
   *   With it, CLUSTER_SHARE of the repositories are each drawn for one cluster, by quota,
   *   and given the topics and language of one of its queries (chosen evenly), so that
   *   the clusters' searches find repositories in proportion to their quotas. Stars,
   *   forks and the rest are drawn as usual (min_stars still leaves many out). Not the
   *   corpus the same seed gives without it.
   */
  constructor({ seed = 1, repositories = 20_000, clusters = null } = {}) {
    const random = new Random(`corpus:${seed}`);
    this.seed = seed;
    const shapes = clusters ? clusterShapes(clusters) : null;
    const owners = makeOwners(random, Math.max(20, Math.ceil(repositories / 3)));
    const yearPairs = YEAR_WEIGHTS.map((weight, i) => [FIRST_YEAR + i, weight]);
    const familyPairs = FAMILIES.map((family) => [family, family.weight]);
    const records = [];
    for (let i = 0; i < repositories; i++) {
      const year = random.weighted(yearPairs);
      const start = Date.UTC(year, 0, 1);
      const end = Math.min(Date.UTC(year + 1, 0, 1), CORPUS_END - 90 * DAY);
      const createdAt = Math.floor((start + random.next() * (end - start)) / 1000) * 1000;
      // Without clusters no draw is added: a seed gives the corpus it always gave.
      const shape = shapes?.length && random.chance(CLUSTER_SHARE) ? random.weighted(shapes) : null;
      if (shape) {
        const query = random.pick(shape.queries);
        const wanted = { topics: query.topics, language: query.languages.length ? random.pick(query.languages) : null };
        records.push(makeRepository(random, shape.family, owners, createdAt, wanted));
      } else {
        records.push(makeRepository(random, random.weighted(familyPairs), owners, createdAt));
      }
    }
    // Ids grow with creation time and are unique, like GitHub's.
    records.sort((a, b) => a.createdAt - b.createdAt);
    let lastId = 0;
    for (const repo of records) {
      repo.id = Math.max(lastId + 1 + random.int(0, 40), idForTime(repo.createdAt));
      lastId = repo.id;
      repo.node_id = Buffer.from(`010:Repository${repo.id}`).toString('base64');
      lowerFields(repo);
    }
    records.forEach((repo, index) => { repo.index = index; });
    for (const owner of owners) delete owner.names;
    /** Repositories ordered by created_at (and id). */
    this.repositories = records;
    this.byFullName = new Map(records.map((repo) => [repo.fullName.toLowerCase(), repo]));
    this.byId = new Map(records.map((repo) => [repo.id, repo]));
    this.version = 0;
    this.listeners = [];
  }

  get size() {
    return this.repositories.length;
  }

  /** The repository owner/name (case-insensitive, like GitHub), or undefined. */
  find(owner, name) {
    return this.byFullName.get(`${owner}/${name}`.toLowerCase());
  }

  /**
   * Changes a repository, as if someone pushed or starred it: its ETags change and
   * searches see the new values. `patch` uses record fields (stars, pushedAt, description...).
   */
  update(fullName, patch = {}) {
    const repo = this.byFullName.get(fullName.toLowerCase());
    if (!repo) throw new Error(`no repository ${fullName}`);
    Object.assign(repo, { updatedAt: CORPUS_END + (repo.version + 1) * 1000 }, patch);
    lowerFields(repo);
    repo.version++;
    this.version++;
    for (const listener of this.listeners) listener(repo);
    return repo;
  }

  onUpdate(listener) {
    this.listeners.push(listener);
  }
}
