import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { get, post } from '../simulator/client.js';
import { queryCost } from '../simulator/graphql/cost.js';
import { parse } from '../simulator/graphql/parser.js';
import { schema } from '../simulator/graphql/schema.js';
import { startSimulator } from '../simulator/index.js';

// The engine's query (docs/graphql.md, "Request"), whitespace as the engine sends it.
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

const README_ALIASES = ['readme_md', 'readme_lower_md', 'readme_plain', 'readme_rst', 'readme_txt', 'readme_docs', 'readme_github'];

// GitHub's documented examples ("Rate limits and node limits for the GraphQL API").
const DOCS_SCORE_EXAMPLE = `query {
  viewer {
    login
    repositories(first: 100) {
      edges { node { id issues(first: 50) { edges { node { id labels(first: 60) { edges { node { id name } } } } } } } }
    }
  }
}`;
const DOCS_SIMPLE_NODES = `query {
  viewer {
    repositories(first: 50) {
      edges { repository:node { name issues(first: 10) { totalCount edges { node { title bodyHTML } } } } }
    }
  }
}`;
const DOCS_COMPLEX_NODES = `query {
  viewer {
    repositories(first: 50) {
      edges {
        repository:node {
          name
          pullRequests(first: 20) { edges { pullRequest:node { title comments(first: 10) { edges { comment:node { bodyHTML } } } } } }
          issues(first: 20) { totalCount edges { issue:node { title bodyHTML comments(first: 10) { edges { comment:node { bodyHTML } } } } } }
        }
      }
    }
    followers(first: 10) { edges { follower:node { login } } }
  }
}`;

let sim;
let token;
before(async () => {
  sim = await startSimulator({ seed: 11, repositories: 2000, tokens: 2 });
  token = sim.tokens[0];
});
after(() => sim.close());

const graphql = (body, options = {}) => post(`${sim.url}/graphql`, body, { token, ...options });
const graphqlUsed = (t = token) => sim.rateLimit(t, 'graphql').used;
const costOf = (text, variables) => {
  const document = parse(text);
  return queryCost(document, document.definitions[0], variables, schema.types);
};

describe('simulator graphql: parser', () => {
  it('parses aliases, named and inline fragments, variables with defaults and every literal kind', () => {
    const document = parse(`
      query Q($ids: [ID!]! = ["a", "b"], $n: Int = 3, $o: LanguageOrder = {field: SIZE, direction: ASC}) {
        first: nodes(ids: $ids) { ...F ... on Repository { __typename } }
        x: repository(owner: "o\\"\\\\\\u00e9\\n", name: """
            block \\""" kept
              indented
        """) { languages(first: $n, orderBy: $o) { totalCount } }
      }
      fragment F on Repository { id, literals(i: -12, f: 1.5e3, t: true, no: null, e: DESC, l: [1 [2]], o: {a: {b: []}}) }
    `);
    const [operation, fragment] = document.definitions;
    assert.equal(operation.name, 'Q');
    assert.deepEqual(operation.variableDefinitions.map((v) => [v.variable, v.defaultValue.kind]), [['ids', 'List'], ['n', 'Int'], ['o', 'Object']]);
    const [nodes, repo] = operation.selectionSet;
    assert.deepEqual([nodes.alias, nodes.name, nodes.selectionSet.map((s) => s.kind)], ['first', 'nodes', ['FragmentSpread', 'InlineFragment']]);
    assert.equal(repo.arguments[0].value.value, 'o"\\é\n');
    assert.equal(repo.arguments[1].value.value, 'block """ kept\n  indented');
    assert.deepEqual([fragment.name, fragment.typeCondition], ['F', 'Repository']);
    const literals = fragment.selectionSet[1].arguments.map((a) => a.value.kind);
    assert.deepEqual(literals, ['Int', 'Float', 'Boolean', 'Null', 'Enum', 'List', 'Object']);
    // the `query` keyword is optional for an anonymous query; keywords are valid names
    assert.equal(parse('{ query: viewer { login } }').definitions[0].selectionSet[0].alias, 'query');
  });

  it('reports syntax errors as GitHub does', () => {
    const message = (text) => { try { parse(text); } catch (err) { return [err.message, err.locations]; } return null; };
    assert.deepEqual(message('query {\n  viewer {\n    }\n}'), ['Parse error on "}" (RCURLY) at [3, 5]', [{ line: 3, column: 5 }]]);
    assert.deepEqual(message('{ viewer { login }'), ['Unexpected end of document', []]);
    assert.deepEqual(message('{ a(x: "open) }')[0], 'Parse error on "\\"open) }" (UNTERMINATED_STRING) at [1, 8]');
    assert.deepEqual(message('{ a % }')[0], 'Parse error on "%" (UNKNOWN_CHAR) at [1, 5]');
    assert.deepEqual(message('query ($a: Int = $b) { a }')[0], 'Parse error on "$" (VAR_SIGN) at [1, 18]');
    assert.deepEqual(message('fragment on on Repository { id }')[0], 'Parse error on "on" (ON) at [1, 10]');
  });

  it('answers a syntax error with HTTP 200, free', async () => {
    const used = graphqlUsed();
    const res = await graphql({ query: 'query {\n  viewer {\n    }\n}' });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), { errors: [{ message: 'Parse error on "}" (RCURLY) at [3, 5]', locations: [{ line: 3, column: 5 }] }] });
    assert.equal(res.headers['x-ratelimit-resource'], 'graphql');
    assert.equal(graphqlUsed(), used);
  });
});

describe('simulator graphql: cost', () => {
  it('matches the documented score example: 5,101 requests, 51 points', () => {
    assert.deepEqual(costOf(DOCS_SCORE_EXAMPLE), { cost: 51, requests: 5101, nodeCount: 305_100 });
  });

  it('matches the documented node-limit examples: 550 and 22,060 nodes', () => {
    assert.equal(costOf(DOCS_SIMPLE_NODES).nodeCount, 550);
    assert.equal(costOf(DOCS_SIMPLE_NODES).cost, 1);  // 51 requests / 100 → 1 (the minimum)
    assert.equal(costOf(DOCS_COMPLEX_NODES).nodeCount, 22_060);
    assert.equal(costOf(DOCS_COMPLEX_NODES).cost, 21);  // 1 + 50 + 1,000 + 50 + 1,000 + 1 = 2,102 requests
  });

  it('costs the engine query 1 point and counts fragments and variables', () => {
    assert.equal(costOf(DETAILS, { ids: [] }).cost, 1);
    const viaFragment = costOf('query($n: Int = 100) { search(query: "x", type: REPOSITORY, first: $n) { nodes { ...R } } } ' +
      'fragment R on Repository { languages(first: 100) { totalSize } repositoryTopics(first: 50) { totalCount } }', { n: 100 });
    assert.deepEqual([viaFragment.requests, viaFragment.cost], [201, 2]);
  });

  it('charges the computed cost and reports it in rateLimit and the headers', async () => {
    const used = graphqlUsed();
    const res = await graphql({
      query: '{ rateLimit { cost used remaining limit nodeCount } search(query: "stars:>10", type: REPOSITORY, first: 100) { nodes { ... on Repository { languages(first: 100) { totalSize } repositoryTopics(first: 50) { totalCount } } } } }',
    });
    const { rateLimit } = res.json().data;
    assert.equal(rateLimit.cost, 2);
    assert.equal(rateLimit.nodeCount, 100 + 100 * 100 + 100 * 50);
    assert.equal(rateLimit.used, used + 2);
    assert.equal(graphqlUsed(), used + 2);
    assert.deepEqual([res.headers['x-ratelimit-used'], res.headers['x-ratelimit-remaining'], res.headers['x-ratelimit-resource']],
      [String(used + 2), String(rateLimit.limit - used - 2), 'graphql']);
  });
});

describe('simulator graphql: the engine query', () => {
  it('answers 100 ids with the right data for 1 point, agreeing with REST', async () => {
    // 100 repositories, with every README name the corpus uses among them.
    const all = sim.corpus.repositories;
    const unusual = ['readme.md', 'README.rst', 'README', 'Readme.markdown'].map((name) => all.find((repo) => repo.readme === name));
    const repos = [...unusual, ...all.slice(300, 396)];
    const used = graphqlUsed();
    const res = await graphql({ query: DETAILS, variables: { ids: repos.map((repo) => repo.node_id) } });
    assert.equal(res.status, 200);
    const body = res.json();
    assert.equal(body.errors, undefined);
    assert.equal(body.data.rateLimit.cost, 1);
    assert.equal(body.data.rateLimit.used, used + 1);
    assert.match(body.data.rateLimit.resetAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(graphqlUsed(), used + 1);
    assert.equal(body.data.nodes.length, 100);
    body.data.nodes.forEach((node, i) => assert.equal(node.databaseId, repos[i].id));

    // A sample checked field by field against the REST endpoints.
    const sample = [...unusual, ...repos.slice(4).filter((repo, i) => i % 8 === 0)];
    assert.ok(sample.some((repo) => repo.readme === null) && sample.some((repo) => repo.community.contributing) && sample.some((repo) => !repo.license));
    for (const repo of sample) {
      const node = body.data.nodes[repos.indexOf(repo)];
      const rest = (path, headers) => get(`${sim.url}/repos/${repo.fullName}${path}`, { token, headers });
      const full = (await rest('')).json();
      const languages = (await rest('/languages')).json();
      const community = (await rest('/community/profile')).json();
      const readmeRes = await rest('/readme', { accept: 'application/vnd.github.raw' });

      assert.equal(node.watchers.totalCount, full.subscribers_count, repo.fullName);
      assert.deepEqual(node.languages.edges.map((e) => [e.node.name, e.size]), Object.entries(languages), repo.fullName);
      assert.equal(node.licenseInfo?.spdxId ?? null, full.license?.spdx_id ?? null);

      // The README as the engine finds it: the root entry, then the alias that holds it.
      const entry = node.root.entries.find((e) => e.type === 'blob' && /^readme(\..*)?$/i.test(e.name));
      const aliased = README_ALIASES.map((alias) => node[alias]).find(Boolean);
      assert.equal(readmeRes.status === 200, Boolean(entry), repo.fullName);
      if (entry) {
        assert.equal(entry.name, repo.readme);
        if (aliased) assert.equal(aliased.text, readmeRes.body.toString('utf8'), `README bytes of ${repo.fullName}`);
        else assert.equal(repo.readme, 'Readme.markdown');  // no alias asks for it: the engine falls back to REST
      }

      const files = community.files;
      const signals = {
        code_of_conduct: node.codeOfConduct !== null, contributing: node.contributingGuidelines !== null,
        issue_template: node.issueTemplates.length > 0, pull_request_template: node.pullRequestTemplates.length > 0,
        license: node.licenseInfo !== null, readme: Boolean(entry),
      };
      for (const [key, value] of Object.entries(signals)) assert.equal(value, files[key] !== null, `${key} of ${repo.fullName}`);
      if (signals.contributing) assert.equal(node.contributingGuidelines.url, files.contributing.html_url);
      const checks = [Boolean(full.description), ...Object.values(signals)];
      assert.equal(Math.round((100 * checks.filter(Boolean).length) / 7), community.health_percentage, repo.fullName);
    }
  });

  it('serves the same files in the root tree that REST\'s community profile names', async () => {
    const repo = sim.corpus.repositories.find((r) => r.community.issueTemplate && r.community.pullRequestTemplate && r.license && r.readme);
    const res = await graphql({
      query: `query($o: String!, $n: String!) { repository(owner: $o, name: $n) {
        root: object(expression: "HEAD:") { __typename ... on Tree { entries { name type path } } }
        github: object(expression: "HEAD:.github") { ... on Tree { entries { path type } } }
        template: object(expression: "HEAD:.github/ISSUE_TEMPLATE/bug_report.md") { ... on Blob { byteSize isBinary } }
        missing: object(expression: "HEAD:no/such/file") { __typename }
      } }`,
      variables: { o: repo.owner.login, n: repo.name },
    });
    const { root, github, template, missing } = res.json().data.repository;
    assert.equal(root.__typename, 'Tree');
    const names = root.entries.map((e) => e.name);
    for (const name of [repo.readme, 'LICENSE', '.github', 'src']) assert.ok(names.includes(name), name);
    assert.deepEqual(github.entries, [
      { path: '.github/ISSUE_TEMPLATE', type: 'tree' }, { path: '.github/PULL_REQUEST_TEMPLATE.md', type: 'blob' },
    ]);
    assert.ok(template.byteSize > 0 && template.isBinary === false);
    assert.equal(missing, null);
  });
});

describe('simulator graphql: queries beyond the engine\'s', () => {
  it('resolves repository(owner, name) case-insensitively, with aliases, named fragments and variable defaults', async () => {
    const repo = sim.corpus.repositories.find((r) => r.language && r.topics.length >= 3);
    const res = await graphql({
      query: `query Other { viewer { login } }
        query Repo($owner: String!, $name: String = "${repo.name}", $n: Int = 2) {
          r0: repository(owner: $owner, name: $name) { ...Basics languages(first: 1, orderBy: {field: SIZE, direction: ASC}) { totalCount totalSize nodes { name } } }
        }
        fragment Basics on Repository {
          __typename id databaseId nameWithOwner url stargazerCount forkCount isFork isArchived diskUsage
          owner { login ... on Organization { __typename } }
          primaryLanguage { name }
          defaultBranchRef { name }
          issues(states: [OPEN]) { totalCount }
          pullRequests(states: [OPEN]) { totalCount }
          repositoryTopics(first: $n) { totalCount nodes { topic { name } } }
          createdAt pushedAt
        }`,
      variables: { owner: repo.owner.login.toUpperCase() },
      operationName: 'Repo',
    });
    const r0 = res.json().data.r0;
    const full = (await get(`${sim.url}/repos/${repo.fullName}`, { token })).json();
    const languages = Object.entries((await get(`${sim.url}/repos/${repo.fullName}/languages`, { token })).json());
    assert.equal(r0.__typename, 'Repository');
    assert.deepEqual([r0.id, r0.databaseId, r0.nameWithOwner, r0.url], [full.node_id, full.id, full.full_name, full.html_url]);
    assert.deepEqual([r0.stargazerCount, r0.forkCount, r0.isFork, r0.isArchived, r0.diskUsage], [full.stargazers_count, full.forks_count, full.fork, full.archived, full.size]);
    assert.equal(r0.owner.login, full.owner.login);
    assert.equal(r0.owner.__typename, full.owner.type === 'Organization' ? 'Organization' : undefined);
    // REST's open_issues_count counts open pull requests too.
    assert.deepEqual([r0.primaryLanguage.name, r0.defaultBranchRef.name, r0.issues.totalCount + r0.pullRequests.totalCount],
      [full.language, full.default_branch, full.open_issues_count]);
    assert.deepEqual([r0.createdAt, r0.pushedAt], [full.created_at, full.pushed_at]);
    assert.deepEqual([r0.repositoryTopics.totalCount, r0.repositoryTopics.nodes.map((n) => n.topic.name)], [full.topics.length, full.topics.slice(0, 2)]);
    assert.equal(r0.languages.totalCount, languages.length);
    assert.equal(r0.languages.totalSize, languages.reduce((sum, [, size]) => sum + size, 0));
    assert.equal(r0.languages.nodes[0].name, languages[languages.length - 1][0]);  // ASC: the smallest first
  });

  it('searches with REST\'s engine: same count and order, cursors, the 1,000-result cap', async () => {
    const q = 'stars:>=0';
    const rest = (await get(`${sim.url}/search/repositories?q=${encodeURIComponent(q)}&per_page=5&page=2`, { token })).json();
    const page = (after) => graphql({
      query: `query($q: String!, $after: String) { search(query: $q, type: REPOSITORY, first: 5, after: $after) {
        repositoryCount pageInfo { hasNextPage endCursor } edges { cursor } nodes { ... on Repository { databaseId } } } }`,
      variables: { q, after },
    }).then((res) => res.json().data.search);
    const first = await page(null);
    const second = await page(first.pageInfo.endCursor);
    assert.equal(second.repositoryCount, rest.total_count);
    assert.deepEqual(second.nodes.map((n) => n.databaseId), rest.items.map((item) => item.id));
    assert.equal(second.edges[0].cursor, Buffer.from('cursor:6').toString('base64'));
    const last = await page(Buffer.from('cursor:998').toString('base64'));
    assert.equal(last.nodes.length, 2);
    assert.equal(last.pageInfo.hasNextPage, false);
  });
});

describe('simulator graphql: errors', () => {
  it('names an unknown field like GitHub (undefinedField), without data, free', async () => {
    const used = graphqlUsed();
    const res = await graphql({ query: 'query Details($ids: [ID!]!) {\n  nodes(ids: $ids) {\n    ... on Repository { x }\n  }\n}', variables: { ids: [] } });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), {
      errors: [{
        path: ['query Details', 'nodes', '... on Repository', 'x'],
        extensions: { code: 'undefinedField', typeName: 'Repository', fieldName: 'x' },
        locations: [{ line: 3, column: 25 }],
        message: "Field 'x' doesn't exist on type 'Repository'",
      }],
    });
    assert.equal(graphqlUsed(), used);
  });

  it('rejects bad arguments, variables and operation names', async () => {
    const messages = async (body) => (await graphql(body)).json().errors.map((e) => e.message);
    assert.deepEqual(await messages({ query: '{ repository(owner: "a") { id } }' }), ["Field 'repository' is missing required arguments: name"]);
    assert.deepEqual(await messages({ query: '{ search(query: "a", type: REPO, first: 1) { repositoryCount } }' }),
      ["Argument 'type' on Field 'search' has an invalid value (REPO). Expected type 'SearchType!'."]);
    assert.deepEqual(await messages({ query: 'query($ids: [ID!]!) { nodes(ids: $ids) { id } }' }), ['Variable $ids of type [ID!]! was provided invalid value']);
    assert.deepEqual(await messages({ query: '{ nodes(ids: $ids) { id } }' }), ['Variable $ids is used by anonymous query but not declared']);
    assert.deepEqual(await messages({ query: 'query A { viewer { login } } query B { viewer { login } }' }), ['An operation name is required']);
    assert.deepEqual(await messages({ query: 'query A { viewer { login } }', operationName: 'C' }), ['No operation named "C"']);
    assert.deepEqual(await messages({ query: '{ viewer }' }),
      ["Field must have selections (field 'viewer' returns User! but has no selections. Did you mean 'viewer { ... }'?)"]);
    assert.deepEqual(await messages({ query: '{ viewer { login { x } } }' }),
      ["Selections can't be made on scalars (field 'login' returns String! but has selections [x])"]);
  });

  it('limits nodes(ids:) to 100 ids and first/last to 100, free', async () => {
    const used = graphqlUsed();
    const ids = sim.corpus.repositories.slice(0, 101).map((repo) => repo.node_id);
    const many = (await graphql({ query: 'query($ids: [ID!]!) { batch: nodes(ids: $ids) { id } }', variables: { ids } })).json();
    assert.deepEqual(many, {
      data: null,
      errors: [{ type: 'ARGUMENT_LIMIT', path: ['batch'], locations: [{ line: 1, column: 23 }], message: 'You may not provide more than 100 node ids; you provided 101.' }],
    });
    const big = (await graphql({ query: '{ search(query: "a", type: REPOSITORY, first: 101) { repositoryCount } }' })).json();
    assert.equal(big.errors[0].type, 'EXCESSIVE_PAGINATION');
    assert.equal(big.errors[0].message, 'Requesting 101 records on the `search` connection exceeds the `first` limit of 100 records.');
    const unbounded = (await graphql({ query: '{ search(query: "a", type: REPOSITORY) { nodes { __typename } } }' })).json();
    assert.equal(unbounded.errors[0].type, 'MISSING_PAGINATION_BOUNDARIES');
    assert.equal(graphqlUsed(), used);
  });

  it('answers 401 for a bad token and for no token', async () => {
    const bad = await graphql({ query: '{ viewer { login } }' }, { token: sim.badTokens[0] });
    assert.equal(bad.status, 401);
    assert.equal(bad.json().message, 'Bad credentials');
    const anonymous = await post(`${sim.url}/graphql`, { query: '{ viewer { login } }' });
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.json().message, 'This endpoint requires you to be authenticated.');
  });

  it('answers 400 for a body that is not JSON', async () => {
    const res = await graphql('{"query": ');
    assert.equal(res.status, 400);
    assert.equal(res.json().message, 'Problems parsing JSON');
  });
});

describe('simulator graphql: gone repositories', () => {
  it('answers NOT_FOUND for gone and unknown ids, keeping the rest of the answer', async () => {
    const other = await startSimulator({ seed: 9, repositories: 300, tokens: 1, faults: { gone: 0.3 } });
    try {
      const t = other.tokens[0];
      const status = async (repo) => (await get(`${other.url}/repos/${repo.fullName}`, { token: t })).status;
      const repos = other.corpus.repositories.slice(0, 40);
      const statuses = await Promise.all(repos.map(status));
      const alive = repos[statuses.indexOf(200)];
      const gone = repos[statuses.findIndex((s) => s === 404 || s === 451)];
      const ids = [alive.node_id, gone.node_id, 'MDEwOlJlcG9zaXRvcnkx'];
      const res = await post(`${other.url}/graphql`, {
        query: `query($ids: [ID!]!) {\n  nodes(ids: $ids) { ... on Repository { databaseId } }\n  r0: repository(owner: "${gone.owner.login}", name: "${gone.name}") { id }\n}`,
        variables: { ids },
      }, { token: t });
      const body = res.json();
      assert.equal(res.status, 200);
      assert.deepEqual(body.data, { nodes: [{ databaseId: alive.id }, null, null], r0: null });
      assert.deepEqual(body.errors, [
        { type: 'NOT_FOUND', path: ['nodes', 1], locations: [{ line: 2, column: 3 }], message: `Could not resolve to a node with the global id of '${gone.node_id}'` },
        { type: 'NOT_FOUND', path: ['nodes', 2], locations: [{ line: 2, column: 3 }], message: "Could not resolve to a node with the global id of 'MDEwOlJlcG9zaXRvcnkx'" },
        { type: 'NOT_FOUND', path: ['r0'], locations: [{ line: 3, column: 3 }], message: `Could not resolve to a Repository with the name '${gone.fullName}'.` },
      ]);
      assert.equal(other.rateLimit(t, 'graphql').used, 1);  // a partial answer is still charged
    } finally {
      await other.close();
    }
  });
});

describe('simulator graphql: rate limits, faults and stats', () => {
  it('refuses a query costing more than what is left: HTTP 200 RATE_LIMITED, nothing charged, counted as wasted', async () => {
    const other = await startSimulator({ seed: 3, repositories: 300, tokens: 1, limits: { graphql: 2 } });
    try {
      const t = other.tokens[0];
      const send = (query) => post(`${other.url}/graphql`, { query }, { token: t });
      const cheap = '{ viewer { login } }';
      const costly = '{ search(query: "stars:>=0", type: REPOSITORY, first: 100) { nodes { ... on Repository { languages(first: 100) { totalSize } repositoryTopics(first: 100) { totalCount } } } } }';
      assert.equal((await send(cheap)).status, 200);
      const refused = await send(costly);  // 2 points asked (201 requests), 1 left
      assert.equal(refused.status, 200);
      const userId = other.users[0].id;
      assert.deepEqual(refused.json(), { data: null, errors: [{ type: 'RATE_LIMITED', message: `API rate limit exceeded for user ID ${userId}.` }] });
      assert.equal(refused.headers['x-ratelimit-remaining'], '0');
      assert.equal(refused.headers['x-ratelimit-resource'], 'graphql');
      assert.equal(other.rateLimit(t, 'graphql').used, 1);
      const stats = other.stats();
      assert.equal(stats.wasted, 1);
      assert.equal(stats.rateLimited, 1);
      assert.equal(stats.users[other.users[0].login].wasted, 1);
      assert.deepEqual(stats.graphql, { queries: 1, points: 1, invalid: 0, rateLimited: 1 });
      // what is left still pays for cheaper queries
      assert.equal((await send(cheap)).json().data.viewer.login, other.users[0].login);
      assert.equal(other.rateLimit(t, 'graphql').remaining, 0);
    } finally {
      await other.close();
    }
  });

  it('applies secondary limits and server faults to /graphql without charging', async () => {
    const used = graphqlUsed();
    sim.queueFault({ path: '/graphql', kind: 'secondary', retryAfter: 1 });
    const limited = await graphql({ query: '{ viewer { login } }' });
    assert.equal(limited.status, 403);
    assert.equal(limited.headers['retry-after'], '1');
    assert.match(limited.json().message, /secondary rate limit/);
    sim.queueFault({ path: '/graphql', kind: '502' });
    assert.equal((await graphql({ query: '{ viewer { login } }' }, { token: sim.tokens[1] })).status, 502);
    assert.equal(graphqlUsed(), used);
  });

  it('counts queries, points and requests by kind', async () => {
    sim.resetStats();
    await graphql({ query: '{ viewer { login } }' }, { token: sim.tokens[1] });
    await graphql({ query: DOCS_SCORE_EXAMPLE }, { token: sim.tokens[1] });  // invalid here: User has no repositories
    const stats = sim.stats();
    assert.deepEqual(stats.graphql, { queries: 1, points: 1, invalid: 1, rateLimited: 0 });
    assert.deepEqual(stats.tokens[1].graphql, { queries: 1, points: 1 });
    assert.deepEqual(stats.users[stats.tokens[1].login].graphql, { queries: 1, points: 1 });
    assert.deepEqual(stats.byKind.graphql, { requests: 2, byStatus: { 200: 2 } });
  });
});
