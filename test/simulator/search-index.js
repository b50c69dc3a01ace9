// Runs repository searches over the corpus: the matching records in result order,
// cached per (query, sort, order) so that paging through a query filters once, and
// pages shaped like GitHub's (1,000-result cap, per_page <= 100, Link header). A query
// is tried only on the records an index says may match (the shortest list of its
// topic:, language:, user: or repo: terms, cut to its created: range by binary search:
// the corpus is in created_at order); its predicate still decides. The index and the
// cache are dropped when the corpus changes and rebuilt on the next search.
import { comparatorFor, compileQuery } from './search-query.js';

export const SEARCH_CAP = 1000;
const CACHE_SIZE = 512;

export class SearchIndex {
  constructor(corpus, documents) {
    this.corpus = corpus;
    this.documents = documents;
    this.cache = new Map();  // insertion-ordered: a small LRU
    this.index = null;
    corpus.onUpdate(() => {
      this.cache.clear();
      this.index = null;
    });
  }

  /** Builds the index ahead of the first search (warm.js). */
  warm() {
    this.index ??= this.buildIndex();
  }

  /** Forgets cached results (the index stays: it depends on the corpus only). */
  clear() {
    this.cache.clear();
  }

  /** Records by exact topic, lower-cased language, owner and full name, in corpus order. */
  buildIndex() {
    const { repositories } = this.corpus;
    const byTopic = new Map();
    const byLanguage = new Map();
    const byOwner = new Map();
    const byRepo = new Map();
    const add = (map, key, repo) => {
      const list = map.get(key);
      if (list) list.push(repo);
      else map.set(key, [repo]);
    };
    let createdSorted = true;
    for (let i = 0; i < repositories.length; i++) {
      const repo = repositories[i];
      if (i > 0 && !(repositories[i - 1].createdAt <= repo.createdAt)) createdSorted = false;
      for (const topic of repo.topicSet) add(byTopic, topic, repo);
      add(byLanguage, repo.languageLower, repo);
      add(byOwner, repo.ownerLower, repo);
      add(byRepo, repo.fullName.toLowerCase(), repo);
    }
    return { byTopic, byLanguage, byOwner, byRepo, createdSorted };
  }

  /** Records (in corpus order) that include every match of a query with these hints. */
  candidates(hints) {
    const index = (this.index ??= this.buildIndex());
    let best = this.corpus.repositories;
    const consider = (list) => {
      if (list.length < best.length) best = list;
    };
    for (const topic of hints.topics) consider(index.byTopic.get(topic) ?? NONE);
    for (const owner of hints.owners) consider(index.byOwner.get(owner) ?? NONE);
    for (const full of hints.repos) consider(index.byRepo.get(full) ?? NONE);
    if (hints.languages) {
      const lists = [...new Set(hints.languages)].map((language) => index.byLanguage.get(language) ?? NONE);
      const size = lists.reduce((sum, list) => sum + list.length, 0);
      if (size < best.length) best = lists.length === 1 ? lists[0] : lists.flat().sort((a, b) => a.index - b.index);
    }
    const [lo, hi] = hints.created;
    if (index.createdSorted && (lo > -Infinity || hi < Infinity)) {
      // The first record created at or after `from`.
      const lowerBound = (from) => {
        let a = 0;
        let b = best.length;
        while (a < b) {
          const mid = (a + b) >>> 1;
          if (best[mid].createdAt < from) a = mid + 1;
          else b = mid;
        }
        return a;
      };
      const start = lo > -Infinity ? lowerBound(lo) : 0;
      const end = hi < Infinity ? lowerBound(hi) : best.length;
      return start < end ? best.slice(start, end) : NONE;
    }
    return best;
  }

  /** The records matching q, sorted. Throws QueryError. */
  results(q, sort, order) {
    const key = `${sort ?? ''}\u0000${order ?? ''}\u0000${q.trim().replace(/\s+/g, ' ')}`;
    let records = this.cache.get(key);
    if (records) {
      this.cache.delete(key);
    } else {
      const { match, hints } = compileQuery(q);
      records = this.candidates(hints).filter(match).sort(comparatorFor(sort, order));
      if (this.cache.size >= CACHE_SIZE) this.cache.delete(this.cache.keys().next().value);
    }
    this.cache.set(key, records);
    return records;
  }

  /**
   * One page: { totalCount, records, lastPage } or { beyondCap: true } when the page
   * starts past the first 1,000 results.
   */
  page(q, { sort, order, page, perPage }) {
    const records = this.results(q, sort, order);
    const start = (page - 1) * perPage;
    if (start >= SEARCH_CAP) return { beyondCap: true, totalCount: records.length };
    const reachable = Math.min(records.length, SEARCH_CAP);
    return {
      totalCount: records.length,
      records: records.slice(start, Math.min(start + perPage, reachable)),
      lastPage: Math.max(1, Math.ceil(reachable / perPage)),
    };
  }

  /** The response body for a page of records, built from cached item JSON. */
  body(totalCount, records, incomplete) {
    const parts = [Buffer.from(`{"total_count":${totalCount},"incomplete_results":${incomplete},"items":[`)];
    records.forEach((repo, i) => {
      if (i) parts.push(COMMA);
      parts.push(this.documents.searchItem(repo));
    });
    parts.push(CLOSE);
    return Buffer.concat(parts);
  }
}

const NONE = Object.freeze([]);
const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']}');

/**
 * GitHub's Link header for a search page: prev, next, last, first, each the request's
 * own URL with another page number.
 */
export function linkHeader(baseUrl, params, page, lastPage) {
  const link = (p, rel) => {
    const copy = new URLSearchParams(params);
    copy.set('page', String(p));
    return `<${baseUrl}?${copy.toString()}>; rel="${rel}"`;
  };
  const links = [];
  if (page > 1) links.push(link(Math.min(page - 1, lastPage), 'prev'));
  if (page < lastPage) links.push(link(page + 1, 'next'), link(lastPage, 'last'));
  if (page > 1) links.push(link(1, 'first'));
  return links.join(', ');
}
