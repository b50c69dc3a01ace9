// What check-status shows of coordinated jobs (--coordinate): each open job's hosts,
// whether they are alive, their tokens (masked) and users, and their share of the work.
// Read straight from the job's tables; a database that never ran a coordinated job has
// none of them, and then there is nothing to show.
import pg from 'pg';

const JOBS = `
  SELECT j.id, j.created_at,
         (SELECT count(*) FROM coord_claims c WHERE c.job = j.id) AS claimed,
         (SELECT coalesce(jsonb_object_agg(q.state, q.n), '{}')
            FROM (SELECT state, count(*) AS n FROM coord_queries WHERE job = j.id GROUP BY state) q) AS queries
    FROM coord_jobs j
   WHERE j.finished_at IS NULL
   ORDER BY j.id`;

const HOSTS = `
  SELECT h.host, h.label, h.joined_at, h.left_at, h.masks, h.logins, h.progress,
         h.left_at IS NULL AND h.expires_at > clock_timestamp() AS live,
         (SELECT count(*) FROM coord_claims c WHERE c.job = h.job AND c.host = h.host) AS claimed,
         (SELECT count(*) FROM coord_users u WHERE u.holder = h.host) AS lanes
    FROM coord_hosts h
   WHERE h.job = $1
   ORDER BY h.joined_at`;

/**
 * The open coordinated jobs of the database at `connectionString`, or [] when it has
 * none (or no job tables).
 * @returns {Promise<Array<{id: number, created_at: string, claimed: number,
 *   queries: Record<string, number>, hosts: Array<{host: string, label: string, state: string,
 *   tokens: string[], users: number, lanes: number, claimed: number, share: number}>}>>}
 */
export async function openJobs(connectionString) {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 5000 });
  client.on('error', () => {});
  await client.connect();
  try {
    const { rows: [exists] } = await client.query("SELECT to_regclass('coord_jobs') IS NOT NULL AS present");
    if (!exists.present) return [];
    const jobs = [];
    for (const job of (await client.query(JOBS)).rows) {
      const claimed = Number(job.claimed);
      const hosts = (await client.query(HOSTS, [job.id])).rows.map((h) => ({
        host: h.host,
        label: h.label,
        state: h.live ? 'live' : h.left_at ? 'left' : 'dead',
        tokens: h.masks,
        users: h.logins.length,
        lanes: Number(h.lanes),
        claimed: Number(h.claimed),
        share: claimed ? Number(h.claimed) / claimed : 0,
      }));
      jobs.push({ id: Number(job.id), created_at: job.created_at.toISOString(), claimed, queries: job.queries, hosts });
    }
    return jobs;
  } finally {
    await client.end().catch(() => {});
  }
}

const number = (n) => n.toLocaleString('en-US');

/** check-status's lines for the open jobs (none: no lines). */
export function jobLines(jobs) {
  const lines = [];
  for (const job of jobs) {
    const live = job.hosts.filter((h) => h.state === 'live').length;
    const queries = Object.entries(job.queries).map(([state, n]) => `${n} ${state}`).join(', ') || 'none yet';
    lines.push(`Coordinated job #${job.id} (since ${job.created_at}): ${live} of ${job.hosts.length} hosts live, ` +
      `${number(job.claimed)} repositories claimed, queries ${queries}`);
    const rows = job.hosts.map((h) => [
      h.label, h.state, `${h.users} users, ${h.lanes} lanes held`, h.tokens.join(' ') || '-',
      number(h.claimed), `${(h.share * 100).toFixed(1)}%`,
    ]);
    const header = ['host', 'state', 'users', 'tokens', 'claimed', 'share'];
    const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i].length)));
    for (const row of [header, ...rows]) {
      lines.push(`  ${row.map((cell, i) => (i >= 4 ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join('  ').trimEnd()}`);
    }
    lines.push('');
  }
  return lines;
}
