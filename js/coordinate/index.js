// --coordinate for the ingest program: whether this storage can coordinate, and joining
// the job before the run starts (see coordinator.js for what a host does in the job).
import { maskToken } from '../../binding/index.js';
import { CliError } from '../cli/errors.js';
import { Coordinator } from './coordinator.js';
import { CoordinatedJob, jobKey } from './job.js';

const positiveInteger = (value, fallback) => (Number.isInteger(Number(value)) && Number(value) > 0 ? Number(value) : fallback);

/**
 * The one-line refusal for storage that cannot hold a job's leases, or null.
 * @param {{kind: string}} sink
 */
export function coordinationRefusal(sink) {
  if (sink.kind === 'postgres') return null;
  if (sink.kind === 'supabase') {
    return '--coordinate needs a PostgreSQL connection: the hosts of a job share leases through row locks, which ' +
      "Supabase's REST API cannot take. Set DATABASE_URL to the project's connection string (Supabase: Project " +
      'Settings > Database) and unset SUPABASE_URL';
  }
  return '--coordinate needs a PostgreSQL server that every host reaches: the embedded database belongs to this ' +
    'machine alone. Set DATABASE_URL (a Supabase connection string works too)';
}

/**
 * Joins the job this run belongs to and checks this host's tokens within it.
 * GH_INGEST_COORDINATE_TICK_MS / GH_INGEST_COORDINATE_TTL_MS tune the heartbeat (tests use
 * short ones): a host is dead once its heartbeat is TTL old.
 * @returns {Promise<{coordinator: Coordinator, joined: object, tokens: string[], logins: string[]}>}
 */
export async function joinJob({ env, config, selected, values, wanted, stored, tokens, apiUrl, graphqlUrl, stderr, onLost }) {
  const connectionString = env.DATABASE_URL.trim();
  const tickMs = positiveInteger(env.GH_INGEST_COORDINATE_TICK_MS, 1000);
  const ttlMs = positiveInteger(env.GH_INGEST_COORDINATE_TTL_MS, Math.max(10_000, tickMs * 10));
  const job = new CoordinatedJob({ connectionString, ttlMs });
  const coordinator = new Coordinator({ job, tickMs, stderr, onLost });
  try {
    const key = jobKey({ config, selected, limit: values.limit, api: values.api, details: values.details });
    const joined = await coordinator.join({ key, createdUpper: Math.floor(Date.now() / 1000), wanted, stored });
    const checked = await coordinator.checkTokens(tokens, { apiUrl, graphqlUrl, maskToken });
    if (!checked.tokens.length) {
      const reasons = [...new Set(checked.checks.map((c) => c.error).filter(Boolean))].join('; ');
      throw new CliError(`no usable token: every token failed its check${reasons ? ` (${reasons})` : ''}`);
    }
    return { coordinator, joined, tokens: checked.tokens, logins: checked.logins };
  } catch (err) {
    await coordinator.leave().catch(() => {});
    await job.close().catch(() => {});
    throw err;
  }
}

/**
 * The summary's `coordinate` part: this host's share and the job's total so far (the
 * stored counts now against those when the job opened). `final`: clusterCounts() now;
 * `finished`: this host closed the job.
 */
export async function coordinationSummary({ coordination, result, added, final, finished = false }) {
  const { coordinator, joined } = coordination;
  const startCounts = joined.storedAtStart ?? {};
  const jobAdded = Object.fromEntries(Object.keys(joined.wanted).map((name) => [name, Math.max(0, (final[name] ?? 0) - (startCounts[name] ?? 0))]));
  const sum = (counts) => Object.values(counts).reduce((a, b) => a + b, 0);
  return {
    job: joined.job,
    host: coordinator.job.host,
    hosts: await coordinator.job.hostCount().catch(() => null),
    // This host left last and closed the job: its exit status answers for the job.
    finished,
    part: {
      added: sum(added),
      claimed: coordinator.counts.claimed,
      claimed_elsewhere: result?.claimedElsewhere ?? 0,
      queries: coordinator.counts.queries + coordinator.counts.adoptedQueries,
      queries_elsewhere: result?.queriesElsewhere ?? 0,
      adopted_queries: coordinator.counts.adoptedQueries,
      adopted_repositories: coordinator.counts.adoptedRepositories,
      // Claimed here, then taken over by other hosts while this one's heartbeat had expired.
      taken_over: coordinator.counts.takenOver,
      // Found here and handed to idle hosts with their search fields; taken from others so.
      offered: result?.offered ?? 0,
      adopted_offered: result?.adoptedOffered ?? 0,
      database_statements: coordinator.job.statements,
    },
    total: { added: sum(jobAdded), clusters: jobAdded },
  };
}
