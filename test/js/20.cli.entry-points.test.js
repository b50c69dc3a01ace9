import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

import { formatVersion } from '../../binding/index.js';
import { node, root, tempDir } from '../support/helpers.js';

const ENTRY_POINTS = ['ingest-balanced-parallel.js', 'test-tokens.js', 'check-status.js'];
const TOKEN = 'ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1111';

// Runs an entry point from a directory with no .env, unless one is written there.
function cli(script, args, { env, dotEnv } = {}) {
  const cwd = tempDir();
  if (dotEnv) fs.writeFileSync(path.join(cwd, '.env'), dotEnv);
  return node([path.join(root, script), ...args], { env, cwd });
}

function assertOneLineError(result, status, pattern) {
  assert.equal(result.status, status, result.stderr);
  assert.equal(result.stdout, '');
  const lines = result.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0], pattern);
}

for (const script of ENTRY_POINTS) {
  const program = path.basename(script, '.js');
  describe(`node ${script}`, () => {
    it('--help prints the usage and exits 0', () => {
      const result = cli(script, ['--help']);
      assert.equal(result.status, 0, result.stderr);
      assert.ok(result.stdout.startsWith(`Usage: node ${script}`), result.stdout);
      assert.match(result.stdout, /--version/);
    });

    it('--version prints the version line and exits 0', () => {
      const result = cli(script, ['--version']);
      assert.equal(result.status, 0, result.stderr);
      assert.equal(result.stdout, `${formatVersion()}\n`);
    });

    it('an unknown option is a one-line usage error, exit 2', () => {
      assertOneLineError(cli(script, ['--no-such-option']), 2, new RegExp(`^${program}: unknown option --no-such-option`));
    });

    it('a positional argument is a one-line usage error, exit 2', () => {
      assertOneLineError(cli(script, ['extra']), 2, new RegExp(`^${program}: unexpected argument 'extra'`));
    });
  });
}

describe('node ingest-balanced-parallel.js', () => {
  it('--help lists every option of the contract', () => {
    const { stdout } = cli('ingest-balanced-parallel.js', ['--help']);
    for (const option of [
      '--cluster=all|NAME[,NAME...]', '--config=PATH', '--limit=N', '--workers=N', '--batch-size=N',
      '--details=LIST', '--requests-per-token=N', '--min-remaining=N', '--refresh', '--api=graphql|rest',
      '--concurrency-per-user=N', '--dry-run', '--json', '--help', '--version',
    ]) {
      assert.ok(stdout.includes(option), `missing ${option}`);
    }
  });

  it('a malformed value is a usage error, exit 2', () => {
    assertOneLineError(cli('ingest-balanced-parallel.js', ['--workers=abc']), 2, /--workers expects a whole number/);
    assertOneLineError(cli('ingest-balanced-parallel.js', ['--api=soap']), 2, /--api expects one of graphql, rest/);
    assertOneLineError(cli('ingest-balanced-parallel.js', ['--details=none,readme']), 2, /--details expects/);
    // GitHub allows at most 100 concurrent requests per user; 0 would never send one.
    for (const value of ['0', '101', 'two']) {
      assertOneLineError(cli('ingest-balanced-parallel.js', [`--concurrency-per-user=${value}`]), 2,
        /--concurrency-per-user expects a whole number from 1 to 100/);
    }
  });

  it('without a token: one line pointing to the demo, exit 1 (the job itself: 45.ingest.run)', () => {
    assertOneLineError(cli('ingest-balanced-parallel.js', ['--cluster=web', '--limit=10']), 1,
      /^ingest-balanced-parallel: no GitHub token.*npm run demo/);
  });
});

describe('node check-status.js', () => {
  it('storage unreachable is one clear line, exit 1 (the full report: 44.cli.check-status)', () => {
    const result = cli('check-status.js', ['--json'], { env: { DATABASE_URL: 'postgres://gh@127.0.0.1:1/gh', SUPABASE_URL: '' } });
    assertOneLineError(result, 1, /^check-status: storage unreachable/);
  });
});

describe('node test-tokens.js', () => {
  it('without a token: one line pointing to the demo, exit 1', () => {
    assertOneLineError(cli('test-tokens.js', []), 1, /^test-tokens: no GitHub token.*npm run demo/);
  });

  it('a malformed GITHUB_API_URL is one clear line, exit 1', () => {
    const result = cli('test-tokens.js', [], { env: { GITHUB_TOKEN: TOKEN, GITHUB_API_URL: 'api.github.com' } });
    assertOneLineError(result, 1, /^test-tokens: GITHUB_API_URL is not a URL/);
  });
});

describe('npm run demo (js/demo.js)', () => {
  const cwd = tempDir();
  it('runs the job against the simulator into ./data, shows check-status, then the cost on GitHub', () => {
    const result = node([path.join(root, 'js', 'demo.js'), '--limit=80'], { cwd, timeout: 120_000 });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^80 repositories written in [\d.]+ s$/m);
    assert.match(result.stdout, /Storage: embedded PostgreSQL at .*pglite/);
    assert.match(result.stdout, /total +80 +20,000/);
    assert.ok(fs.existsSync(path.join(cwd, 'data', 'pglite')), 'the embedded database is under ./data');
    assert.match(result.stdout, /^Quotas: 0 of 8 clusters full, 80 of 20,000 stored; /m);

    // The cost lines come from the run's own counts: together they are its requests.
    const count = (pattern) => Number(pattern.exec(result.stdout)?.[1].replaceAll(',', ''));
    const total = count(/^requests: ([\d,]+) \(/m);
    const search = count(/^ {2}search +([\d,]+) requests +30\/min /m);
    const core = count(/^ {2}core +([\d,]+) requests +5,000\/h /m);
    const points = count(/^ {2}GraphQL +([\d,]+) points \(/m);
    const queries = count(/^ {2}GraphQL +[\d,]+ points \(([\d,]+) queries\)/m);
    assert.ok(search > 0 && core > 0 && queries > 0, result.stdout);
    assert.equal(search + core + queries, total, result.stdout);
    assert.ok(points >= queries);
    // Ten users' quota: 300 searches a minute, 50,000 core requests an hour.
    const seconds = (line) => Number(new RegExp(`^ {2}${line} .* (\\d+) s$`, 'm').exec(result.stdout)?.[1]);
    assert.equal(seconds('search'), Math.round((search / 300) * 60));
    assert.equal(seconds('core'), Math.round((core / 50_000) * 3600));
    assert.match(result.stdout, /^ {2}about \d+ s at GitHub's limits: \w+ sets the pace/m);
    assert.match(result.stdout, new RegExp(`--api=rest\\): ${(core + 80 * 3).toLocaleString('en-US')} core requests`));
  });

  it('refuses --full with --limit, before starting anything', () => {
    const result = node([path.join(root, 'js', 'demo.js'), '--full', '--limit=5'], { cwd });
    assert.equal(result.status, 2);
    assert.equal(result.stderr, 'demo: --full and --limit cannot be combined (see --help)\n');
  });
});

// 21.windows-launcher runs it under Wine's cmd.exe; what Wine forgives or cannot reach
// (line endings; the job itself, which needs an addon built for Windows) is checked here.
describe('run-parallel-ingestion.bat', () => {
  const text = fs.readFileSync(path.join(root, 'run-parallel-ingestion.bat'), 'latin1');
  const lines = text.split('\r\n');
  it('has CRLF line endings only, and plain ASCII', () => {
    assert.ok(text.endsWith('\r\n'));
    assert.doesNotMatch(text.replaceAll('\r\n', ''), /[\r\n]/);
    assert.doesNotMatch(text, /[^\x09\x0d\x0a\x20-\x7e]/);
  });
  it('checks for Node, builds a missing addon, runs every cluster with the arguments, passes the exit code back', () => {
    assert.equal(lines[0], '@echo off');
    const at = (pattern) => lines.findIndex((line) => pattern.test(line));
    const where = at(/^where node /);
    const build = at(/^if exist "%ROOT%build\\Release\\gh_ingest\.node" goto run$/);
    const run = at(/^node "%ROOT%ingest-balanced-parallel\.js" --cluster=all %\*$/);
    assert.ok(where > 0 && build > where && run > build, text);
    assert.equal(lines[run + 1], 'exit /b %ERRORLEVEL%');
    // %ERRORLEVEL% would be read when a parenthesised block is parsed, not after the call.
    assert.ok(!lines.slice(0, run).some((line) => /^\s+.*%ERRORLEVEL%/.test(line)));
    for (const label of ['run', 'build_failed']) assert.ok(lines.includes(`:${label}`), label);
  });
});
