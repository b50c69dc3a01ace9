// Cluster membership. `cluster` is the one whose quota the repository counts towards
// (the engine's primary group); `clusters` is every cluster whose searches found it, in
// the order they found it, the primary first, each name once.

function isName(value) {
  return typeof value === 'string' && value.trim() !== '';
}

/**
 * @param {{cluster?: string|null, clusters_found?: string[]|null}} repo
 * @returns {{cluster: string, clusters: string[]}}
 */
export function clustersOf(repo) {
  const found = Array.isArray(repo.clusters_found) ? repo.clusters_found : [];
  let cluster = isName(repo.cluster) ? repo.cluster.trim() : null;
  const clusters = cluster === null ? [] : [cluster];
  for (const raw of found) {
    if (!isName(raw)) continue;
    const name = raw.trim();
    if (!clusters.includes(name)) clusters.push(name);
  }
  // No primary given: the first cluster that found it is the one it counts towards.
  if (cluster === null) cluster = clusters.length ? clusters[0] : null;
  if (cluster === null) {
    throw new TypeError(
      `Expected a cluster name for ${repo.full_name ?? 'the repository'} (cluster or clusters_found) ` +
        `but received ${JSON.stringify(repo.cluster ?? null)} and ${JSON.stringify(repo.clusters_found ?? null)}`,
    );
  }
  return { cluster, clusters };
}
