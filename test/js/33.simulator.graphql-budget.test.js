// The simulator's GraphQL work budget (faults.graphqlBudget): GitHub ends a request it
// cannot process in 10 seconds with 502 (JSON) or 504 (nginx HTML), whatever the
// query's point cost, and charges it. Everything here goes through the HTTP server.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { get, post } from '../simulator/client.js';
import { startSimulator } from '../simulator/index.js';
import { DEFAULT_WORK_BUDGET, WORK } from '../simulator/graphql/work.js';

// The engine's details query (addon/core/graphql_query.cc; the same text as in
// 33.simulator.graphql.test.js), whitespace as the engine sends it.
const DETAILS = `query Details($ids: [ID!]!) {
  rateLimit { cost remaining resetAt limit used }
  nodes(ids: $ids) {
    ... on Repository {
      databaseId
      watchers { totalCount }
      languages(first: 100, orderBy: {field: SIZE, direction: DESC}) { edges { size node { name } } }
      codeOfConduct { key }
      contributingGuidelines { url }
      issueTemplates { name }
      pullRequestTemplates { filename }
      licenseInfo { spdxId }
      root: object(expression: "HEAD:") { ... on Tree { entries { name type } } }
      readme_md: object(expression: "HEAD:README.md") { ... on Blob { text } }
      readme_lower_md: object(expression: "HEAD:readme.md") { ... on Blob { text } }
      readme_plain: object(expression: "HEAD:README") { ... on Blob { text } }
      readme_rst: object(expression: "HEAD:README.rst") { ... on Blob { text } }
      readme_txt: object(expression: "HEAD:README.txt") { ... on Blob { text } }
      readme_docs: object(expression: "HEAD:docs/README.md") { ... on Blob { text } }
      readme_github: object(expression: "HEAD:.github/README.md") { ... on Blob { text } }
    }
  }
}`;
const README_PATHS = ['README.md', 'readme.md', 'README', 'README.rst', 'README.txt', 'docs/README.md', '.github/README.md'];
const TIMEOUT_MESSAGE = /^Something went wrong while executing your query\. This may be the result of a timeout, or it could be a GitHub bug\. Please include `([0-9A-F]{4}:[0-9A-F]{4}:[0-9A-F]{6}:[0-9A-F]{6}:[0-9A-F]{8})` when reporting this issue\.$/;

let sim;
let token;
before(async () => {
  sim = await startSimulator({ seed: 11, repositories: 2000, tokens: 2 });
  token = sim.tokens[0];
});
after(() => sim.close());

const graphql = (body, t = token) => post(`${sim.url}/graphql`, body, { token: t });
const details = (repos, t = token) => graphql({ query: DETAILS, variables: { ids: repos.map((repo) => repo.node_id) } }, t);
const used = (t = token) => sim.rateLimit(t, 'graphql').used;
/** `count` repositories starting at `start`: a batch as the engine would send it. */
const batch = (start, count) => sim.corpus.repositories.slice(start, start + count);

describe('simulator graphql: work budget', () => {
  it('answers a 100-repository details query like any other while the budget is off (the default)', async () => {
    sim.setGraphqlBudget(null);
    const res = await details(batch(0, 100));
    assert.equal(res.status, 200);
    assert.equal(res.json().data.nodes.length, 100);
    assert.equal(sim.stats().graphqlTimeouts, 0);
    assert.equal(sim.stats().graphqlMaxWork, 0, 'no metering while every switch is off');
  });

  it('measures a repository\'s work as 1 + git objects read + tree entries listed + blob texts + 0.5 per languages edge', async () => {
    sim.setGraphqlBudget(null);
    const [repo] = batch(7, 1);
    // What the query reads of this repository, asked of the simulator itself.
    const probe = (await graphql({
      query: `query($id: ID!) { node(id: $id) { ... on Repository { languages(first: 100) { totalCount }
        root: object(expression: "HEAD:") { ... on Tree { entries { name } } } } } }`,
      variables: { id: repo.node_id },
    })).json().data.node;
    const readmes = README_PATHS.filter((path) => path === repo.readme).length;
    const expected = WORK.repository + WORK.gitObject + WORK.treeEntry * probe.root.entries.length +
      (WORK.gitObject + WORK.blobText) * readmes + WORK.languageEdge * probe.languages.totalCount;

    sim.setGraphqlBudget({ work: expected, form: 'json' });
    assert.equal((await details([repo])).status, 200, 'a query of exactly the budget fits');
    assert.equal(sim.stats().graphqlMaxWork, expected);
    sim.setGraphqlBudget({ work: expected - 0.5, form: 'json' });
    assert.equal((await details([repo])).status, 502, 'half a unit less does not');

    // A tree entry's `object` and a blob's text read through it count too.
    const walk = `query($id: ID!) { node(id: $id) { ... on Repository {
      object(expression: "HEAD:") { ... on Tree { entries { name object { ... on Blob { text } } } } } } } }`;
    sim.setGraphqlBudget(null);
    const tree = (await graphql({ query: walk, variables: { id: repo.node_id } })).json().data.node.object.entries;
    const blobs = tree.filter((entry) => entry.object.text !== undefined).length;
    const walked = WORK.repository + WORK.gitObject + tree.length * (WORK.treeEntry + WORK.gitObject) + blobs * WORK.blobText;
    sim.setGraphqlBudget({ work: walked, form: 'json' });
    assert.equal((await graphql({ query: walk, variables: { id: repo.node_id } })).status, 200);
    sim.setGraphqlBudget({ work: walked - 1, form: 'json' });
    assert.equal((await graphql({ query: walk, variables: { id: repo.node_id } })).status, 502);
  });

  it('lets 25 and 50 repositories of the engine\'s details query through the default budget and times out 100', async (t) => {
    sim.setGraphqlBudget({ form: 'json' });  // work: DEFAULT_WORK_BUDGET
    const passed = {};
    for (const size of [25, 50, 75, 100]) {
      passed[size] = 0;
      for (let i = 0; i < 4; i++) {
        const res = await details(batch(i * 400, size));
        assert.ok([200, 502].includes(res.status), String(res.status));
        if (res.status === 200) passed[size]++;
      }
    }
    t.diagnostic(`default budget ${DEFAULT_WORK_BUDGET}: batches passed of 4 per size ${JSON.stringify(passed)}; largest work seen ${sim.stats().graphqlMaxWork}`);
    assert.equal(passed[25], 4);
    assert.equal(passed[50], 4);
    assert.equal(passed[100], 0);
  });

  it('answers an over-budget query 502 with GitHub\'s JSON, after the delay, and charges its cost', async () => {
    sim.setGraphqlBudget({ work: DEFAULT_WORK_BUDGET, delayMs: 40, form: 'json' });
    const before = { used: used(), timeouts: sim.stats().graphqlTimeouts, points: sim.stats().graphql.points };
    const started = Date.now();
    const res = await details(batch(0, 100));
    assert.ok(Date.now() - started >= 35, 'answered after delayMs');
    assert.equal(res.status, 502);
    assert.match(res.headers['content-type'], /^application\/json/);
    const body = res.json();
    assert.equal(body.data, null);
    assert.equal(body.errors.length, 1);
    const [, requestId] = TIMEOUT_MESSAGE.exec(body.errors[0].message) ?? [];
    assert.ok(requestId, body.errors[0].message);
    assert.equal(res.headers['x-github-request-id'], requestId);
    // Charged, as GitHub's "Timeouts" documentation says, and the headers say so.
    assert.equal(used(), before.used + 1);
    assert.equal(Number(res.headers['x-ratelimit-used']), before.used + 1);
    assert.equal(res.headers['x-ratelimit-resource'], 'graphql');
    const stats = sim.stats();
    assert.equal(stats.graphqlTimeouts, before.timeouts + 1);
    assert.equal(stats.graphql.points, before.points + 1);
    assert.equal(stats.byKind.graphql.byStatus['502'] >= 1, true);
  });

  it('answers an over-budget query 504 with nginx\'s HTML page in the HTML form', async () => {
    sim.setGraphqlBudget({ form: 'html' });
    const before = used();
    const res = await details(batch(0, 100));
    assert.equal(res.status, 504);
    assert.equal(res.headers['content-type'], 'text/html');
    assert.equal(res.text(), '<html>\r\n<head><title>504 Gateway Time-out</title></head>\r\n<body>\r\n' +
      '<center><h1>504 Gateway Time-out</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n');
    assert.equal(used(), before + 1);
  });

  it('alternates the two forms in the mixed form, the same way for the same seed', async () => {
    const forms = async (simulator) => {
      const statuses = [];
      for (let i = 0; i < 4; i++) {
        const res = await post(`${simulator.url}/graphql`, { query: DETAILS, variables: { ids: simulator.corpus.repositories.slice(0, 100).map((r) => r.node_id) } },
          { token: simulator.tokens[0] });
        statuses.push(`${res.status} ${res.headers['content-type']}`);
      }
      return statuses;
    };
    const other = await startSimulator({ seed: 11, repositories: 2000, tokens: 1, graphqlBudget: { form: 'mixed' } });
    try {
      const first = await forms(other);
      other.reset();
      assert.deepEqual(await forms(other), first);
      assert.deepEqual(new Set(first), new Set(['502 application/json; charset=utf-8', '504 text/html']));
      assert.notEqual(first[0], first[1]);
      assert.equal(first[0], first[2]);
    } finally {
      await other.close();
    }
  });

  it('still answers a query that fits, and RATE_LIMITED before any work when the bucket is short', async () => {
    sim.setGraphqlBudget({ form: 'json' });
    assert.equal((await details(batch(0, 25))).status, 200);
    const limited = await startSimulator({ seed: 11, repositories: 2000, tokens: 1, limits: { graphql: 0 }, graphqlBudget: true });
    try {
      const res = await post(`${limited.url}/graphql`, { query: DETAILS, variables: { ids: limited.corpus.repositories.slice(0, 100).map((r) => r.node_id) } },
        { token: limited.tokens[0] });
      assert.equal(res.status, 200);
      assert.equal(res.json().errors[0].type, 'RATE_LIMITED');
      assert.equal(limited.stats().graphqlTimeouts, 0);
    } finally {
      await limited.close();
    }
  });

  it('is switched by startSimulator({graphqlBudget}), setGraphqlBudget(), faults.graphqlBudget and POST /_simulator/faults', async () => {
    sim.setGraphqlBudget(null);
    assert.equal((await details(batch(0, 100))).status, 200);
    sim.setFaults({ graphqlBudget: { work: 10, form: 'html' } });
    assert.equal((await details(batch(0, 2))).status, 504);
    const control = await post(`${sim.url}/_simulator/faults`, { graphqlBudget: null });
    assert.equal(control.status, 200);
    assert.equal((await details(batch(0, 100))).status, 200);
    assert.equal((await post(`${sim.url}/_simulator/faults`, { graphqlBudget: { form: 'xml' } })).status, 400);
    assert.throws(() => sim.setGraphqlBudget({ work: -1 }), /work must be a number >= 0/);
    sim.setFaults({});
  });
});

describe('simulator graphql: 502json and 504html faults', () => {
  it('answers a queued 502json with GraphQL\'s JSON body and a 504html with nginx\'s page, not charged, then recovers', async () => {
    sim.setFaults({ next: [{ path: '/graphql', kind: '502json' }, { path: '/graphql', kind: '504html', ms: 30 }] });
    const before = used();
    const json = await details(batch(0, 1));
    assert.equal(json.status, 502);
    assert.match(json.json().errors[0].message, TIMEOUT_MESSAGE);
    const started = Date.now();
    const html = await details(batch(0, 1));
    assert.ok(Date.now() - started >= 25, 'ms: a wait before the answer');
    assert.equal(html.status, 504);
    assert.match(html.text(), /<title>504 Gateway Time-out<\/title>/);
    assert.equal(used(), before, 'injected faults are not charged');
    assert.equal((await details(batch(0, 1))).status, 200);
  });

  it('fails at the configured rates http502json and http504html, deterministically', async () => {
    const run = async () => {
      const other = await startSimulator({ seed: 3, repositories: 300, tokens: 1, faults: { http502json: 0.2, http504html: 0.2 } });
      const statuses = [];
      for (const repo of other.corpus.repositories.slice(0, 40)) {
        statuses.push((await post(`${other.url}/graphql`, { query: '{ viewer { login } }' }, { token: other.tokens[0] })).status);
        statuses.push((await get(`${other.url}/repos/${repo.fullName}`, { token: other.tokens[0] })).status);
      }
      await other.close();
      return statuses;
    };
    const first = await run();
    assert.deepEqual(await run(), first);
    assert.ok(first.includes(502) && first.includes(504) && first.includes(200), String(first));
  });
});
