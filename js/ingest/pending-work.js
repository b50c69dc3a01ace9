// Nothing dropped (docs/running.md): the work one run could not do, carried to the next. Before
// the run: which pending repositories the engine fetches first, and which queries are
// searched first. After it: what is pending now, for sink.savePending(). Pure functions;
// run-ingest.js does the reading and writing.

/**
 * The pending repositories to hand the engine (its `pending` option), oldest first: those
 * of the clusters that search this run (limit > 0), at most `limit` of each, since they
 * count towards it as new repositories (--limit stays a promise). The others wait.
 * @param {import('../storage/pending.js').PendingRepository[]} repositories  loadPending()'s
 * @param {Array<{name: string, limit: number}>} groups
 * @returns {Array<{id: number, cluster: string, nodeId?: string, fullName?: string, clusters: string[]}>}
 */
export function pendingToFetch(repositories, groups) {
  const room = new Map(groups.filter((group) => group.limit > 0).map((group) => [group.name, group.limit]));
  const chosen = [];
  for (const repo of repositories) {
    const left = room.get(repo.cluster) ?? 0;
    if (left <= 0) continue;
    room.set(repo.cluster, left - 1);
    chosen.push({
      id: repo.id,
      cluster: repo.cluster,
      ...(repo.nodeId ? { nodeId: repo.nodeId } : {}),
      ...(repo.fullName ? { fullName: repo.fullName } : {}),
      clusters: repo.clusters?.length ? repo.clusters : [repo.cluster],
    });
  }
  return chosen;
}

/**
 * A cluster's queries with those of its pending searches first (the order they failed
 * in), each query once. A pending query the clusters file no longer has is not searched.
 * @param {string[]} queries   searchQueries(config, cluster)
 * @param {Array<{query: string}>} searches   that cluster's pending searches
 */
export function queriesWithPendingFirst(queries, searches) {
  const first = searches.map((search) => search.query).filter((query) => queries.includes(query));
  return [...new Set([...first, ...queries])];
}

/**
 * The created: range of a search the engine reports as failed, as stored in
 * pending_searches.range: null for the whole query. The engine gives the query it sent
 * (the user's query plus its range), or the range alone.
 */
export function rangeQualifier(query, sent) {
  if (!sent || sent === query) return null;
  if (sent.startsWith(`${query} `)) return sent.slice(query.length).trim() || null;
  const added = sent.split(/\s+/).filter((term) => term && !query.split(/\s+/).includes(term));
  return added.length ? added.join(' ') : null;
}

const searchKey = ({ cluster, query, range }) => JSON.stringify([cluster, query, range ?? null]);

/**
 * What is pending once the run is over, for sink.savePending(work, {clusters}).
 *
 * - Repositories the engine reports pending (result.pending), with this run's attempts.
 * - Repositories pending before that this run did not settle: not handed to the engine
 *   (another cluster's turn, --limit), or handed to a run that did not finish (SIGINT,
 *   storage failure, engine error: the engine may not have reached them). They keep
 *   their attempts. One handed to a run that finished was fetched, or found gone.
 * - Search ranges the engine reports failed (result.pendingSearches).
 * - Searches pending before whose cluster did not search, or whose run did not finish.
 *   A finished run searched their query first, to its end: any failure is reported anew.
 *
 * Left out: repositories stored this run, work of clusters whose quota is met (nothing
 * is missing from them), and searches whose query the clusters file no longer has.
 *
 * @param {object} facts
 * @param {import('../storage/pending.js').PendingWork} facts.loaded   pending before the run
 * @param {Set<number>} facts.handedIds      ids given to the engine's `pending` option
 * @param {Set<string>} facts.searchedClusters   clusters that searched (limit > 0)
 * @param {object|null} facts.result         run.done's result (null: no run)
 * @param {boolean} facts.finished           the run ended on its own, without error
 * @param {Set<number>} facts.storedIds      repositories stored this run
 * @param {Set<string>} facts.completeClusters   clusters whose quota is met
 * @param {Record<string, string[]>} facts.queries   each selected cluster's queries
 * @returns {import('../storage/pending.js').PendingWork}
 */
export function pendingAfterRun({
  loaded, handedIds, searchedClusters, result, finished, storedIds, completeClusters, queries,
}) {
  const wanted = (cluster) => !completeClusters.has(cluster);

  const repositories = [];
  const reportedIds = new Set();
  for (const repo of result?.pending ?? []) {
    if (storedIds.has(repo.id) || reportedIds.has(repo.id)) continue;
    reportedIds.add(repo.id);
    repositories.push({
      id: repo.id,
      nodeId: repo.nodeId ?? null,
      fullName: repo.fullName ?? null,
      cluster: repo.cluster,
      clusters: repo.clusters?.length ? repo.clusters : [repo.cluster],
      attempts: Number.isInteger(repo.attempts) ? repo.attempts : 1,
      lastError: repo.error ?? null,
    });
  }
  for (const repo of loaded.repositories) {
    if (storedIds.has(repo.id) || reportedIds.has(repo.id)) continue;
    if (handedIds.has(repo.id) && finished) continue;
    repositories.push({ ...repo, attempts: 0 });
  }

  const searches = [];
  const reportedSearches = new Set();
  for (const search of result?.pendingSearches ?? []) {
    const entry = {
      cluster: search.cluster,
      query: search.query,
      range: rangeQualifier(search.query, search.range),
      attempts: 1,
      lastError: search.error ?? null,
    };
    if (reportedSearches.has(searchKey(entry))) continue;
    reportedSearches.add(searchKey(entry));
    searches.push(entry);
  }
  for (const search of loaded.searches) {
    if (reportedSearches.has(searchKey(search))) continue;
    if (!(queries[search.cluster] ?? []).includes(search.query)) continue;
    if (searchedClusters.has(search.cluster) && finished) continue;
    searches.push({ ...search, attempts: 0 });
  }

  return {
    repositories: repositories.filter((repo) => wanted(repo.cluster)),
    searches: searches.filter((search) => wanted(search.cluster)),
  };
}

/**
 * The pending rows loaded at the start that `pending` (pendingAfterRun's) no longer
 * holds: done, or dropped. A coordinated host saves its pending work without replacing
 * any cluster's, so it deletes these by name (savePending's `forget`).
 */
export function pendingDone(loaded, pending) {
  const stillRepositories = new Set(pending.repositories.map((repo) => repo.id));
  const stillSearches = new Set(pending.searches.map(searchKey));
  return {
    repositoryIds: loaded.repositories.map((repo) => repo.id).filter((id) => !stillRepositories.has(id)),
    searches: loaded.searches.filter((search) => !stillSearches.has(searchKey(search))),
  };
}

/** Pending repositories that were stored this run, with the clusters that had found them:
 *  appended to their rows (the engine knows only the clusters of this run). */
export function pendingFinders(loaded, storedIds) {
  return loaded.repositories
    .filter((repo) => storedIds.has(repo.id) && repo.clusters?.length > 1)
    .map((repo) => ({ id: repo.id, clusters: repo.clusters }));
}
