// `node check-status.js`: per cluster stored vs quota, totals, last run. It reads the
// storage that the ingest job writes, so it arrives with the ingest issue.
import { CliError } from './errors.js';

export default {
  name: 'check-status.js',
  synopsis: 'node check-status.js [options]',
  description: 'Show, per cluster, the repositories stored against the quota, the totals and the last run.',
  options: {
    json: { type: 'boolean', description: 'Print one JSON object on stdout' },
    config: { type: 'string', value: 'PATH', description: 'Clusters file (default: the set shipped with gh-ingest)' },
    'db-dir': { type: 'string', value: 'DIR', description: 'Embedded PostgreSQL directory (default: ./data)' },
  },
  notes: [
    'Storage: SUPABASE_URL + SUPABASE_SERVICE_ROLE_KEY, else DATABASE_URL, else ./data.',
    'Not built yet: the status report arrives with the ingest issue (it reads what the ingest job stores).',
  ],
  async run() {
    throw new CliError(
      'the status report is not built yet: it arrives with the ingest issue, together with the storage it reads',
    );
  },
};
