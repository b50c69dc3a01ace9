// The work of a GraphQL query: what makes GitHub take more than its 10 seconds and
// answer 502/504. A query's point cost (cost.js) does not predict it: the engine's
// 100-repository details query costs 1 point, yet GitHub times out on it, because what
// takes time is reading each repository and, per repository, its git objects (the root
// tree's entries, README blobs) and nested connections such as languages(first: 100)
// (cli/cli#12715: "the cost comes from requesting multiple nested (first:100)
// sub-collections ... multiplied across each repo in the page"; apache/devlake#3708:
// 30 pull requests x 100 commits per page timed out, fewer per page did not).
//
// The work is measured while the query runs (resolvers.js reports what it reads), so a
// README that exists costs and seven guessed README paths that do not cost nothing:
//
//   work = sum over the repositories the query reads (each nodes(ids:) / node(id:) entry
//          and each repository(owner:, name:) field that resolves, each search result)
//          of 1
//          + 1 per git object read: each object(expression:|oid:) that resolves and
//            each tree entry's `object`
//          + 1 per tree entry listed (a tree's `entries`)
//          + 1 per blob `text` returned
//          + 0.5 per languages edge returned
//
// The engine's details query (languages, root tree, seven README paths) reads 4 to 14.5
// units per repository, ~9.8 on average (5,000-repository corpora, seeds 1, 5, 11): 50
// repositories read 450-520, 100 read 940-1,020. DEFAULT_WORK_BUDGET (750) lets any 50
// through (50 x 14.5 = 725) and times out a typical 100, as GitHub does.

export const WORK = Object.freeze({
  repository: 1,
  gitObject: 1,
  treeEntry: 1,
  blobText: 1,
  languageEdge: 0.5,
});

/** The work a realistic budget allows: 50 repositories of the engine's details query fit, 100 do not. */
export const DEFAULT_WORK_BUDGET = 750;

/**
 * What one query has read so far. Resolvers call it through `context.work` (absent
 * when no budget and no broken repository is configured, so that metering costs
 * nothing then). `isBroken(repo)` says whether a repository times out every read.
 */
export class QueryWork {
  constructor(isBroken = () => false) {
    this.isBroken = isBroken;
    this.total = 0;
    this.repositories = 0;
    /** The first broken repository the query read, or null. */
    this.broken = null;
  }

  /** A repository read; `listed` ones come from a search index, which a broken repository does not trouble. */
  repository(repo, { listed = false } = {}) {
    this.repositories++;
    this.total += WORK.repository;
    if (!listed && this.broken === null && this.isBroken(repo)) this.broken = repo;
  }

  gitObject() {
    this.total += WORK.gitObject;
  }

  treeEntries(count) {
    this.total += WORK.treeEntry * count;
  }

  blobText() {
    this.total += WORK.blobText;
  }

  languageEdges(count) {
    this.total += WORK.languageEdge * count;
  }
}
