// The end of a run: the JSON summary of the contract (docs/running.md, The JSON
// summary) and its human form.
// `pending`: repositories and search ranges pending after the run (fetched first by the next).
export function buildSummary({ config, selected, stored, added, stats, result, elapsedS, written, pending = 0, refreshed = false }) {
  const clusters = {};
  for (const name of selected) {
    clusters[name] = { quota: config.clusters[name].quota, stored: (stored[name] ?? 0) + (added[name] ?? 0), added: added[name] ?? 0 };
  }
  const outcomes = stats?.outcomes ?? {};
  const count = (...names) => names.reduce((sum, name) => sum + (outcomes[name] ?? 0), 0);
  return {
    repos_written: written,
    pending,
    clusters,
    requests: {
      total: stats?.totalRequests ?? 0,
      search: stats?.requestsByResource?.search ?? 0,
      // Of those: ranges searched again because what arrived fell short of total_count.
      search_rechecks: result?.searchRechecks ?? 0,
      // Repositories only those re-checks brought: what a client that pages once misses.
      search_recheck_found: result?.searchRecheckFound ?? 0,
      core: stats?.requestsByResource?.core ?? 0,
      graphql: result?.graphqlQueries ?? 0,
      graphql_points: result?.graphqlPoints ?? 0,
      // GraphQL queries that timed out (split in halves), and the size of query found to
      // answer in time (100 unless GitHub timed out larger ones).
      graphql_timeouts: result?.graphqlBatches?.timeouts ?? 0,
      graphql_batch_size: result?.graphqlBatches?.size ?? null,
      not_modified: count('not_modified'),
      rate_limited: count('primary_limit'),
      secondary_limited: count('secondary_limit'),
      retried: result?.retried ?? 0,
      failed: count('server_error', 'network_error', 'malformed', 'client_error'),
    },
    tokens: (stats?.tokens ?? []).map((token) => ({
      id: token.id,
      mask: token.mask,
      login: token.login,
      requests: token.requests,
      core_remaining: token.resources.core?.remaining ?? null,
      search_remaining: token.resources.search?.remaining ?? null,
      state: token.state,
    })),
    // --refresh: stored repositories re-checked, by outcome.
    ...(refreshed ? { refresh: { changed: 0, unchanged: 0, gone: 0, failed: 0, ...result?.refresh } } : {}),
    elapsed_s: Math.round(elapsedS * 10) / 10,
  };
}

export function formatSummary(summary) {
  const lines = [`${summary.repos_written} repositories written in ${summary.elapsed_s} s`];
  for (const [name, c] of Object.entries(summary.clusters)) {
    lines.push(`  ${name.padEnd(14)} ${String(c.stored).padStart(6)} / ${String(c.quota).padEnd(6)} (+${c.added})`);
  }
  if (summary.pending > 0) lines.push(`pending: ${summary.pending} (fetched first by the next run)`);
  if (summary.coordinate) {
    const c = summary.coordinate;
    lines.push(`job ${c.job} (${c.hosts ?? '?'} hosts): this host added ${c.part.added}, the job ${c.total.added} so far; ` +
      `${c.part.claimed_elsewhere} found here were another host's`);
  }
  if (summary.refresh) {
    const r = summary.refresh;
    lines.push(`refreshed: ${r.changed} changed, ${r.unchanged} unchanged (free), ${r.gone} gone from GitHub (kept), ${r.failed} failed`);
  }
  lines.push(`requests: ${summary.requests.total} (rate-limited ${summary.requests.rate_limited}, ` +
    `secondary ${summary.requests.secondary_limited}, failed ${summary.requests.failed})`);
  for (const t of summary.tokens) {
    lines.push(`  ${t.id.padEnd(9)} ${t.mask.padEnd(12)} ${String(t.login ?? '?').padEnd(16)} ${t.state.padEnd(9)} ` +
      `${t.requests} requests, core ${t.core_remaining ?? '?'}, search ${t.search_remaining ?? '?'} left`);
  }
  return `${lines.join('\n')}\n`;
}
