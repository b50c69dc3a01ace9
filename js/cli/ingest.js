// `node ingest-balanced-parallel.js`: the main job. Its options are the contract of
// README.md (Commands); js/ingest/run-ingest.js does the work.
import { runIngest } from '../ingest/run-ingest.js';
import { clusterList, integerAtLeast, integerBetween, listOf, oneOf } from './values.js';

export default {
  name: 'ingest-balanced-parallel.js',
  synopsis: 'node ingest-balanced-parallel.js [options]',
  description:
    'Search GitHub for the repositories of each cluster, fetch their details with a pool of\n' +
    'tokens, enrich them and upsert them into Supabase, PostgreSQL or an embedded PostgreSQL.\n' +
    'Safe to stop and restart at any time.',
  options: {
    cluster: {
      type: 'string', value: 'all|NAME[,NAME...]', default: 'all', parse: clusterList,
      description: 'Clusters to fill',
    },
    config: { type: 'string', value: 'PATH', description: 'Clusters file (default: the set shipped with gh-ingest)' },
    limit: {
      type: 'string', value: 'N', parse: integerAtLeast(1),
      description: 'Stop after N new repositories, shared between clusters by quota',
    },
    workers: {
      type: 'string', value: 'N', parse: integerAtLeast(1),
      description: 'Worker threads (default: min(number of tokens, 10) x --concurrency-per-user)',
    },
    'batch-size': { type: 'string', value: 'N', parse: integerAtLeast(1), description: 'Repositories per stored batch' },
    details: {
      type: 'string', value: 'LIST', parse: listOf(['languages', 'readme', 'community'], 'none'),
      description: 'Per-repository endpoints to fetch: languages,readme,community, or none',
    },
    'requests-per-token': {
      type: 'string', value: 'N', parse: integerAtLeast(1),
      description: 'Rotate to another token after N consecutive requests',
    },
    'concurrency-per-user': {
      type: 'string', value: 'N', parse: integerBetween(1, 100),
      description: 'Requests of one GitHub user in flight at once (default 1: GitHub asks for serial requests)',
    },
    'min-remaining': {
      type: 'string', value: 'N', parse: integerAtLeast(0),
      description: 'Treat a token as exhausted below N remaining requests',
    },
    refresh: { type: 'boolean', description: 'Also re-check stored repositories (unchanged ones cost nothing)' },
    api: {
      type: 'string', value: 'graphql|rest', parse: oneOf(['graphql', 'rest']),
      description: 'How details are fetched: one GraphQL query per 100 repositories (default), or REST',
    },
    coordinate: {
      type: 'boolean',
      description: 'Share one job, its tokens\' quota and its work with every process started so (DATABASE_URL)',
    },
    'db-dir': { type: 'string', value: 'DIR', description: 'Embedded PostgreSQL directory (default: ./data)' },
    'dry-run': { type: 'boolean', description: 'Plan and report, write nothing' },
    json: { type: 'boolean', description: 'Print one JSON summary on stdout at the end' },
  },
  notes: [
    'Tokens: GITHUB_TOKENS (comma- or whitespace-separated), else GITHUB_TOKEN, else',
    'GITHUB_TOKENS_FILE; a .env file in the working directory is read. Storage: SUPABASE_URL +',
    'SUPABASE_SERVICE_ROLE_KEY, else DATABASE_URL, else an embedded PostgreSQL under ./data.',
    '',
    'Exit status: 0 done and complete, 1 failed, 2 usage error, 3 incomplete (pending),',
    '130 interrupted. Incomplete: repositories that could not be fetched, or search ranges',
    'that could not be searched, after retries; the next run does them first.',
  ],
  run(values) {
    return runIngest(values);
  },
};
