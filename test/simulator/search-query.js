// GitHub repository search syntax → a predicate over corpus records. Supports the
// qualifiers the engine and the clusters use: topic:, language:, stars:, forks:, size:,
// topics:, created:, pushed:, updated:, fork:, archived:, is:, mirror:, template:,
// user:/org:, repo:, license:, in:, negation with a leading '-' or NOT, and free-text
// words matched against name, description and topics. Throws QueryError on bad input.

export class QueryError extends Error {}

const DAY = 86_400_000;

// GitHub's language qualifier takes linguist names or aliases, case-insensitive.
const LANGUAGE_ALIASES = {
  cpp: 'c++', 'c-plus-plus': 'c++', csharp: 'c#', 'c-sharp': 'c#', cs: 'c#', js: 'javascript', node: 'javascript',
  ts: 'typescript', golang: 'go', py: 'python', python3: 'python', rs: 'rust', kt: 'kotlin', sol: 'solidity',
  'objective-c': 'objective-c', objc: 'objective-c', jupyter: 'jupyter notebook', 'jupyter-notebook': 'jupyter notebook',
  shell: 'shell', bash: 'shell', sh: 'shell', hcl: 'hcl', terraform: 'hcl', vim: 'vim script', 'vim-script': 'vim script',
  gdscript: 'gdscript', dockerfile: 'dockerfile',
};

export function normalizeLanguage(value) {
  const v = value.toLowerCase();
  return LANGUAGE_ALIASES[v] ?? v;
}

/** Splits a query into terms, keeping "quoted phrases" (also after a qualifier) together. */
export function tokenize(q) {
  const terms = [];
  const re = /(-?)([A-Za-z-]+:)?("([^"]*)"|\S+)/g;
  let m;
  while ((m = re.exec(q)) !== null) {
    const [, minus, qualifier, raw, quoted] = m;
    terms.push({ negated: minus === '-', qualifier: qualifier ? qualifier.slice(0, -1).toLowerCase() : null, value: quoted ?? raw, quoted: quoted !== undefined });
  }
  return terms;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** A date or datetime as the interval [start, end) of epoch ms it denotes. */
function dateInterval(text) {
  const m = DATE_RE.exec(text);
  if (!m) throw new QueryError(`invalid date '${text}'`);
  const [, y, mo, d, h, mi, s, zone] = m;
  if (h === undefined) {
    const start = Date.UTC(+y, +mo - 1, +d);
    if (Number.isNaN(start)) throw new QueryError(`invalid date '${text}'`);
    return [start, start + DAY];
  }
  let start = Date.UTC(+y, +mo - 1, +d, +h, +mi, s === undefined ? 0 : +s);
  if (zone && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    start -= sign * ((+digits.slice(0, 2)) * 60 + +digits.slice(2, 4)) * 60_000;
  }
  return [start, start + (s === undefined ? 60_000 : 1000)];
}

function numberInterval(text) {
  if (!/^\d+$/.test(text)) throw new QueryError(`invalid number '${text}'`);
  return [+text, +text + 1];
}

/** A range qualifier value (>N, >=N, <N, <=N, A..B with * ends, or N) → [lo, hi). */
export function rangeOf(text, parse) {
  let m;
  if ((m = /^(>=|<=|>|<)(.+)$/.exec(text))) {
    const [start, end] = parse(m[2]);
    switch (m[1]) {
      case '>': return [end, Infinity];
      case '>=': return [start, Infinity];
      case '<': return [-Infinity, start];
      default: return [-Infinity, end];
    }
  }
  if ((m = /^(.+?)\.\.(.+)$/.exec(text))) {
    const lo = m[1] === '*' ? -Infinity : parse(m[1])[0];
    const hi = m[2] === '*' ? Infinity : parse(m[2])[1];
    return [lo, hi];
  }
  return parse(text);
}

function rangePredicate(field, value, parse) {
  const [lo, hi] = rangeOf(value, parse);
  return (repo) => repo[field] >= lo && repo[field] < hi;
}

function booleanValue(value, qualifier) {
  const v = value.toLowerCase();
  if (v !== 'true' && v !== 'false') throw new QueryError(`${qualifier}: expects true or false, got '${value}'`);
  return v === 'true';
}

const TEXT_FIELDS = {
  name: (repo) => repo.nameLower,
  description: (repo) => repo.descriptionLower,
  topics: (repo) => repo.topics.join(' '),
  readme: () => '',
};

/**
 * Compiles `q` into { match(repo) → boolean, hints }. Forks are excluded unless fork:true
 * or fork:only, as on GitHub. `hints` name what every match must have, for an index to
 * narrow the records `match` is tried on (match still decides): topics (each required),
 * languages (one of them required; null when any), owners and repos (lower-cased, each
 * required), created ([lo, hi) epoch ms that createdAt must fall in).
 */
export function compileQuery(q) {
  if (typeof q !== 'string' || q.trim() === '') throw new QueryError('missing q');
  if (q.length > 256) throw new QueryError('The search is longer than 256 characters.');
  const predicates = [];
  const languages = [];  // repeated language: qualifiers are OR'ed
  const words = [];
  let forkMode = 'exclude';
  let textFields = ['name', 'description', 'topics'];
  let negateNext = false;
  const hints = { topics: [], languages: null, owners: [], repos: [], created: [-Infinity, Infinity] };
  for (const term of tokenize(q)) {
    if (!term.qualifier && !term.quoted && (term.value === 'AND' || term.value === 'OR')) continue;
    if (!term.qualifier && !term.quoted && term.value === 'NOT') { negateNext = true; continue; }
    const negated = term.negated !== negateNext;
    negateNext = false;
    const { qualifier, value } = term;
    let predicate;
    switch (qualifier) {
      case 'topic': {
        const topic = value.toLowerCase();
        if (!negated) hints.topics.push(topic);
        predicate = (repo) => repo.topicSet.has(topic);
        break;
      }
      case 'language': {
        const language = normalizeLanguage(value);
        if (!negated) { languages.push(language); continue; }
        predicate = (repo) => repo.languageLower === language;
        break;
      }
      case 'stars': predicate = rangePredicate('stars', value, numberInterval); break;
      case 'forks': predicate = rangePredicate('forks', value, numberInterval); break;
      case 'size': predicate = rangePredicate('size', value, numberInterval); break;
      case 'topics': { const [lo, hi] = rangeOf(value, numberInterval); predicate = (repo) => repo.topics.length >= lo && repo.topics.length < hi; break; }
      case 'created': {
        predicate = rangePredicate('createdAt', value, dateInterval);
        if (!negated) {
          const [lo, hi] = rangeOf(value, dateInterval);
          hints.created = [Math.max(hints.created[0], lo), Math.min(hints.created[1], hi)];
        }
        break;
      }
      case 'pushed': predicate = rangePredicate('pushedAt', value, dateInterval); break;
      case 'updated': predicate = rangePredicate('updatedAt', value, dateInterval); break;
      case 'fork': {
        const v = value.toLowerCase();
        if (!['true', 'false', 'only'].includes(v)) throw new QueryError(`fork: expects true, false or only, got '${value}'`);
        forkMode = v === 'true' ? 'include' : v === 'only' ? 'only' : 'exclude';
        continue;
      }
      case 'archived': { const archived = booleanValue(value, 'archived'); predicate = (repo) => repo.archived === archived; break; }
      case 'template': { const template = booleanValue(value, 'template'); predicate = (repo) => repo.isTemplate === template; break; }
      case 'mirror': { const mirror = booleanValue(value, 'mirror'); predicate = () => !mirror; break; }
      case 'is': {
        const v = value.toLowerCase();
        if (v === 'public') predicate = () => true;
        else if (v === 'private' || v === 'internal') predicate = () => false;
        else if (v === 'archived') predicate = (repo) => repo.archived;
        else if (v === 'fork') { forkMode = 'only'; continue; }
        else if (v === 'template') predicate = (repo) => repo.isTemplate;
        else throw new QueryError(`is: does not take '${value}'`);
        break;
      }
      case 'user': case 'org': case 'owner': {
        const owner = value.toLowerCase();
        if (!negated) hints.owners.push(owner);
        predicate = (repo) => repo.ownerLower === owner;
        break;
      }
      case 'repo': {
        const full = value.toLowerCase();
        if (!negated) hints.repos.push(full);
        predicate = (repo) => repo.fullName.toLowerCase() === full;
        break;
      }
      case 'license': {
        const license = value.toLowerCase();
        predicate = (repo) => repo.license !== null && (repo.license.key === license || repo.license.spdx_id.toLowerCase() === license);
        break;
      }
      case 'in': {
        textFields = value.toLowerCase().split(',').filter((field) => field in TEXT_FIELDS);
        if (textFields.length === 0) throw new QueryError(`in: does not take '${value}'`);
        continue;
      }
      default: {
        // Free text, or an unknown qualifier, which GitHub searches as text.
        const word = (qualifier ? `${qualifier}:${value}` : value).toLowerCase();
        if (!negated) { words.push(word); continue; }
        predicate = (repo) => textFields.some((field) => TEXT_FIELDS[field](repo).includes(word));
      }
    }
    predicates.push(negated ? (repo) => !predicate(repo) : predicate);
  }
  if (languages.length) {
    hints.languages = languages;
    predicates.push((repo) => languages.includes(repo.languageLower));
  }
  if (words.length) {
    const fields = textFields.map((field) => TEXT_FIELDS[field]);
    predicates.push((repo) => words.every((word) => fields.some((field) => field(repo).includes(word))));
  }
  if (forkMode === 'exclude') predicates.unshift((repo) => !repo.fork);
  else if (forkMode === 'only') predicates.unshift((repo) => repo.fork);
  return { match: (repo) => predicates.every((p) => p(repo)), hints };
}

const SORT_FIELDS = { stars: 'stars', forks: 'forks', updated: 'updatedAt', 'help-wanted-issues': 'openIssues' };

/**
 * A comparator for ?sort=&order=. Best match (no sort) is stars descending; ties go by
 * id so that pages never overlap or skip.
 */
export function comparatorFor(sort, order) {
  const field = SORT_FIELDS[sort] ?? 'stars';
  const direction = sort in SORT_FIELDS && order === 'asc' ? 1 : -1;
  return (a, b) => (a[field] - b[field]) * direction || a.id - b.id;
}
