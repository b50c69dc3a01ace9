// node test-tokens.js against the project's GitHub simulator: logins, quotas, bad tokens
// and tokens sharing one user's quota, through the addon's real libcurl requests.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { startSimulator } from '../simulator/index.js';
import { nodeAsync, root, tempDir } from '../support/helpers.js';

let sim;

before(async () => {
  // Tokens 1 and 2 belong to one user; one bad token besides.
  sim = await startSimulator({ seed: 3, repositories: 200, tokens: 3, badTokens: 1, users: ['alice', 'alice', 'bob'] });
});
after(() => sim.close());

function testTokens(args, env, dotEnv) {
  const cwd = tempDir();
  if (dotEnv) fs.writeFileSync(path.join(cwd, '.env'), dotEnv);
  return nodeAsync([path.join(root, 'test-tokens.js'), ...args], { cwd, env });
}

describe('node test-tokens.js', () => {
  it('reports each token: login, quotas, the bad one, the shared quota', async () => {
    const tokens = [...sim.tokens, ...sim.badTokens];
    const result = await testTokens(['--json'], { GITHUB_TOKENS: tokens.join(','), GITHUB_API_URL: sim.url });
    assert.equal(result.status, 0, result.stderr);
    const report = JSON.parse(result.stdout);
    assert.equal(report.usable, 3);
    assert.equal(report.users, 2);
    assert.equal(report.api_url, sim.url);
    const [first, second, third, bad] = report.tokens;
    assert.equal(first.login, 'alice');
    assert.equal(second.login, 'alice');
    assert.equal(third.login, 'bob');
    assert.deepEqual(first.shares_quota_with, ['Token #2']);
    assert.deepEqual(third.shares_quota_with, []);
    assert.equal(first.core_limit, 5000);
    assert.equal(first.search_limit, 30);
    // alice's two GET /user requests came out of one quota.
    assert.ok(first.core_remaining <= 4998, `core_remaining ${first.core_remaining}`);
    assert.ok(first.core_reset > Date.now() / 1000);
    assert.equal(bad.status, 'rejected');
    assert.match(bad.error, /^Token #4 \(ghp_…\w{4}\) was rejected: 401/);
    for (const token of tokens) assert.ok(!result.stdout.includes(token), 'a whole token was printed');
  });

  it('a token whose core quota is spent is still named, through GraphQL, without a second request on the empty bucket', async () => {
    const spent = await startSimulator({ seed: 4, repositories: 10, tokens: 2, badTokens: 0, users: ['carol', 'dan'], limits: { core: 1 } });
    try {
      // carol's one core request is spent; dan's is not.
      const reply = await fetch(`${spent.url}/user`, { headers: { authorization: `Bearer ${spent.tokens[0]}` } });
      await reply.arrayBuffer();
      spent.resetStats();
      const result = await testTokens(['--json'], { GITHUB_TOKENS: spent.tokens.join(','), GITHUB_API_URL: spent.url });
      assert.equal(result.status, 0, result.stderr);
      const [carol, dan] = JSON.parse(result.stdout).tokens;
      assert.deepEqual([carol.status, carol.login, carol.core_remaining], ['ok', 'carol', 0]);
      assert.deepEqual([dan.status, dan.login], ['ok', 'dan']);
      const byKind = spent.stats().byKind;
      // carol: GET /user refused (a primary limit), then one viewer query; dan: GET /user.
      assert.equal(byKind.user.requests, 2);
      assert.equal(byKind.graphql.requests, 1);
      assert.equal(spent.stats().wasted, 1, 'only the first GET /user of the spent token');
    } finally {
      await spent.close();
    }
  });

  it('prints a readable table on a terminal-less stdout too', async () => {
    const result = await testTokens([], { GITHUB_TOKENS: sim.tokens.join(' '), GITHUB_API_URL: sim.url });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^3 tokens from GITHUB_TOKENS, checked against http:\/\/127\.0\.0\.1:\d+:\n/);
    assert.match(result.stdout, /Token #1 +ghp_…\w{4} +alice +core \d+\/5000 \(resets \d\d:\d\d:\d\d UTC\) +search 30\/30/);
    assert.match(result.stdout, /shares alice's quota with Token #2/);
    assert.match(result.stdout, /3 usable of 3; 2 GitHub users/);
  });

  it('reads the tokens and the API URL from .env', async () => {
    const result = await testTokens(['--json'], {}, `GITHUB_TOKEN=${sim.tokens[2]}\nGITHUB_API_URL=${sim.url}\n`);
    assert.equal(result.status, 0, result.stderr);
    const report = JSON.parse(result.stdout);
    assert.equal(report.source, 'GITHUB_TOKEN');
    assert.equal(report.tokens[0].login, 'bob');
  });

  it('exits 1 when no token is usable', async () => {
    const result = await testTokens([], { GITHUB_TOKENS: sim.badTokens.join(','), GITHUB_API_URL: sim.url });
    assert.equal(result.status, 1);
    assert.match(result.stdout, /REJECTED: Token #1/);
    assert.match(result.stderr, /no usable token/);
  });

  it('an unreachable API fails each token in one line, exit 1', async () => {
    const result = await testTokens(['--json'], { GITHUB_TOKEN: sim.tokens[0], GITHUB_API_URL: 'http://127.0.0.1:9' });
    assert.equal(result.status, 1);
    const report = JSON.parse(result.stdout);
    assert.equal(report.tokens[0].status, 'failed');
    assert.match(report.tokens[0].error, /^Token #1: GET \/user failed: connect_failed/);
  });
});
