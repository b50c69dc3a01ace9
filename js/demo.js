// `npm run demo`: the whole product with no token and no server. It starts the project's
// GitHub simulator (ten tokens, 20,000 repositories) in a child process, runs the main
// job against it into the embedded PostgreSQL under ./data, then shows check-status.
import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

import { runCommand } from './cli/run.js';
import { CliError, EXIT_INCOMPLETE, EXIT_OK } from './cli/errors.js';
import { integerAtLeast } from './cli/values.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function startSimulator() {
  const child = spawn(process.execPath, [path.join(root, 'test', 'simulator', 'cli.js'), '--tokens=10', '--repos=20000'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new CliError(`the GitHub simulator stopped (exit ${code})`)));
    readline.createInterface({ input: child.stdout }).once('line', (line) => resolve({ child, ...JSON.parse(line) }));
  });
}

function node(script, args, env) {
  const child = spawn(process.execPath, [path.join(root, script), ...args], { stdio: 'inherit', env });
  return new Promise((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
}

const demo = {
  name: 'demo.js',
  synopsis: 'npm run demo [-- --limit=N]',
  description:
    'Run the ingest job against the built-in GitHub simulator (ten tokens), into the embedded\n' +
    'PostgreSQL under ./data, then show check-status: the whole product, no token, no server.',
  options: {
    limit: { type: 'string', value: 'N', parse: integerAtLeast(1), description: 'New repositories to fetch (default 2000)' },
  },
  async run({ limit = 2000 }) {
    const sim = await startSimulator();
    try {
      process.stderr.write(`GitHub simulator at ${sim.url} with ${sim.tokens.length} tokens\n`);
      const env = { ...process.env, GITHUB_TOKENS: sim.tokens.join(','), GITHUB_API_URL: sim.url };
      delete env.GITHUB_TOKEN;
      delete env.GITHUB_TOKENS_FILE;
      delete env.DATABASE_URL;
      delete env.SUPABASE_URL;
      delete env.SUPABASE_SERVICE_ROLE_KEY;
      const ingest = await node('ingest-balanced-parallel.js', ['--cluster=all', `--limit=${limit}`], env);
      // Incomplete (exit 3): check-status shows what is pending; the exit status stays 3.
      if (ingest !== EXIT_OK && ingest !== EXIT_INCOMPLETE) return ingest;
      process.stdout.write('\n');
      const status = await node('check-status.js', [], env);
      return status === EXIT_OK ? ingest : status;
    } finally {
      sim.child.kill('SIGTERM');
    }
  },
};

await runCommand(demo);
