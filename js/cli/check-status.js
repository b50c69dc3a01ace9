// `node check-status.js`: per cluster stored vs quota and pending work, totals, the hosts
// of a coordinated job still running (--coordinate), last run.
// It reads the storage the ingest job writes, chosen from the same settings (openSink),
// and the same clusters file (--config).
import { DEFAULT_CLUSTERS_PATH, loadClusters } from '../config/clusters.js';
import { loadDotEnv } from '../config/env.js';
import { jobLines, openJobs } from '../coordinate/status.js';
import { openSink } from '../storage/index.js';
import { EXIT_OK } from './errors.js';

// Clusters of the file first (file order), then any the database holds that the file
// no longer defines (quota null). Totals cover the file's clusters, so that stored and
// quota compare; the others are shown on their own. `pending` per cluster: repositories
// and search ranges the next ingest run does first.
function statusOf(config, counts, pendingCounts, run, storage) {
  const clusters = {};
  const total = { quota: 0, stored: 0, pending: 0 };
  const pendingOf = (name) => {
    const p = pendingCounts.byCluster[name];
    return p ? p.repositories + p.searches : 0;
  };
  for (const [name, { quota }] of Object.entries(config.clusters)) {
    const stored = counts[name] ?? 0;
    clusters[name] = { quota, stored, pending: pendingOf(name) };
    total.quota += quota;
    total.stored += stored;
    total.pending += pendingOf(name);
  }
  for (const name of [...Object.keys(counts), ...Object.keys(pendingCounts.byCluster)]) {
    if (!Object.hasOwn(clusters, name)) clusters[name] = { quota: null, stored: counts[name] ?? 0, pending: pendingOf(name) };
  }
  const pending = { repositories: pendingCounts.repositories, searches: pendingCounts.searches };
  return { clusters, total, pending, last_run: runOf(run), storage };
}

function runOf(run) {
  if (!run) return null;
  const written = run.summary?.repos_written;
  const pending = run.summary?.pending;
  return {
    id: run.id,
    status: run.status,
    started_at: run.started_at,
    finished_at: run.finished_at,
    repos_written: Number.isFinite(written) ? written : null,
    // Left pending at its end (runs from before the pending table say nothing: null).
    pending: Number.isFinite(pending) ? pending : null,
  };
}

const number = (n) => n.toLocaleString('en-US');

function percent(stored, quota) {
  return `${(Math.floor((stored / quota) * 1000) / 10).toFixed(1)}%`;
}

function pendingLine({ repositories, searches }) {
  const parts = [];
  if (repositories) parts.push(`${number(repositories)} ${repositories === 1 ? 'repository' : 'repositories'} could not be fetched`);
  if (searches) parts.push(`${number(searches)} search ${searches === 1 ? 'range' : 'ranges'} could not be searched`);
  return `Pending: ${parts.join(' and ')}; the next ingest run does ${repositories + searches === 1 ? 'it' : 'them'} first.`;
}

function toText(status, configPath) {
  // The pending column only when something is pending: the usual table stays narrow.
  const showPending = status.pending.repositories + status.pending.searches > 0;
  const rows = Object.entries(status.clusters).map(([name, { quota, stored, pending }]) => [
    name, number(stored), quota === null ? '-' : number(quota), number(pending),
    quota === null ? 'not in the clusters file' : percent(stored, quota),
  ]);
  rows.push(['total', number(status.total.stored), number(status.total.quota), number(status.total.pending),
    status.total.quota > 0 ? percent(status.total.stored, status.total.quota) : '-']);
  const header = ['cluster', 'stored', 'quota', 'pending', 'filled'];
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i].length)));
  const line = (row) => [
    `  ${row[0].padEnd(widths[0])}`, row[1].padStart(widths[1]), row[2].padStart(widths[2]),
    ...(showPending ? [row[3].padStart(widths[3])] : []), row[4],
  ].join('  ').trimEnd();
  const lines = [
    `Storage: ${status.storage}`,
    `Clusters: ${configPath}`,
    '',
    line(header),
    ...rows.slice(0, -1).map(line),
    line(['-'.repeat(widths[0]), '-'.repeat(widths[1]), '-'.repeat(widths[2]), '-'.repeat(widths[3]), '']),
    line(rows.at(-1)),
    '',
  ];
  if (showPending) lines.push(pendingLine(status.pending), '');
  lines.push(...jobLines(status.jobs ?? []));
  const run = status.last_run;
  if (!run) {
    lines.push('Last run: none yet.');
  } else {
    const finished = run.finished_at ? `, finished ${run.finished_at}` : ' (not finished)';
    const written = run.repos_written === null ? '' : `; ${number(run.repos_written)} repositories written` +
      (run.pending ? `, ${number(run.pending)} pending` : '');
    lines.push(`Last run: #${run.id} ${run.status}, started ${run.started_at}${finished}${written}.`);
  }
  return `${lines.join('\n')}\n`;
}

export default {
  name: 'check-status.js',
  synopsis: 'node check-status.js [options]',
  description: 'Show, per cluster, the repositories stored against the quota and the work pending, the totals and the last run.',
  options: {
    json: { type: 'boolean', description: 'Print one JSON object on stdout' },
    config: { type: 'string', value: 'PATH', description: 'Clusters file (default: the set shipped with gh-ingest)' },
    'db-dir': { type: 'string', value: 'DIR', description: 'Embedded PostgreSQL directory (default: ./data)' },
  },
  notes: [
    'Storage: SUPABASE_URL + SUPABASE_SERVICE_ROLE_KEY, else DATABASE_URL, else ./data;',
    '.env in the working directory is read. Needs no GitHub token.',
    '',
    'Exit status: 0 shown, 1 storage unreachable or a bad clusters file, 2 usage error.',
  ],
  async run({ json, config: configPath = DEFAULT_CLUSTERS_PATH, 'db-dir': dbDir = './data' }) {
    loadDotEnv();
    // The file first: a typo there should not wait for a database to open.
    const config = loadClusters(configPath);
    const sink = await openSink(process.env, { dbDir });
    let status;
    try {
      await sink.check();
      await sink.ensureSchema();
      const counts = await sink.clusterCounts();
      const pendingCounts = await sink.pendingCounts();
      const run = await sink.lastRun();
      status = statusOf(config, counts, pendingCounts, run, sink.description);
      // Jobs shared by several hosts (--coordinate) live in PostgreSQL only.
      if (sink.kind === 'postgres') status.jobs = await openJobs(process.env.DATABASE_URL.trim());
    } finally {
      await sink.close();
    }
    process.stdout.write(json ? `${JSON.stringify(status)}\n` : toText(status, config.path));
    return EXIT_OK;
  },
};
