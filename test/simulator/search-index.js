// Runs repository searches over the corpus: the matching records in result order,
// cached per (query, sort, order) so that paging through a query filters once, and
// pages shaped like GitHub's (1,000-result cap, per_page <= 100, Link header).
import { comparatorFor, compileQuery } from './search-query.js';

export const SEARCH_CAP = 1000;
const CACHE_SIZE = 512;

export class SearchIndex {
  constructor(corpus, documents) {
    this.corpus = corpus;
    this.documents = documents;
    this.cache = new Map();  // insertion-ordered: a small LRU
    corpus.onUpdate(() => this.cache.clear());
  }

  /** The records matching q, sorted. Throws QueryError. */
  results(q, sort, order) {
    const key = `${sort ?? ''}\u0000${order ?? ''}\u0000${q.trim().replace(/\s+/g, ' ')}`;
    let records = this.cache.get(key);
    if (records) {
      this.cache.delete(key);
    } else {
      const { match } = compileQuery(q);
      records = this.corpus.repositories.filter(match).sort(comparatorFor(sort, order));
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
