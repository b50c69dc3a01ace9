// Every GraphQL query the engine sends, checked against GitHub's published schema
// (@octokit/graphql-schema, validated with graphql-js) rather than only against the
// simulator, which we wrote. A recording proxy sits between the engine and the
// simulator: it forwards every request and keeps the bodies of POST /graphql. The engine
// is driven through each query it can build: `query Details` for every details
// selection, with repositories by node id (`nodes(ids:)`), by owner and name (aliased
// `rN: repository(...)`, for repositories without a node id) and both in one query, and
// `query Refresh` (--refresh through GraphQL: stored rows re-read) the same three ways.
// Each distinct query text must parse, validate against GitHub's schema and have its
// variables accepted; and a query GitHub would reject must be rejected here too.
// Repositories without a node id: search pages lose it in the proxy (Details), stored
// rows have node_id null (Refresh). A pending repository without its node id is no such
// case: the engine fetches it by id through REST first, which gives the node id.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';

import { schema as githubSchema } from '@octokit/graphql-schema';
import { buildClientSchema, getVariableValues, Kind, parse, validate } from 'graphql';

import { checkTokens, startRun } from '../../binding/index.js';
import { startSimulator } from '../simulator/index.js';

const SELECTIONS = [
  ['languages'], ['readme'], ['community'],
  ['languages', 'readme'], ['languages', 'community'], ['readme', 'community'],
  ['languages', 'readme', 'community'],
];
const ALL = ['languages', 'readme', 'community'];
// Which repositories of a search page lose their node_id on the way to the engine: it
// then looks them up by owner and name.
const MODES = {
  node: () => false,
  aliased: () => true,
  mixed: (index) => index % 2 === 0,
};

const schema = buildClientSchema(githubSchema.json);

/**
 * A proxy in front of `target` that records the JSON bodies of POST /graphql. While
 * `dropNodeId(index)` is set, search pages lose the node_id of the items it picks.
 */
async function startRecorder(target) {
  const recorder = { bodies: [], label: null, dropNodeId: null };
  const server = http.createServer(async (req, res) => {
    try {
      const chunks = [];
      for await (const chunk of req) chunks.push(chunk);
      const body = Buffer.concat(chunks);
      const url = new URL(req.url, target);
      if (req.method === 'POST' && url.pathname === '/graphql') {
        recorder.bodies.push({ label: recorder.label, ...JSON.parse(body.toString('utf8')) });
      }
      const rewrite = recorder.dropNodeId !== null && req.method === 'GET' && url.pathname === '/search/repositories';
      const headers = { ...req.headers, host: url.host };
      if (rewrite) delete headers['accept-encoding'];  // a plain body, to edit
      const upstream = await new Promise((resolve, reject) => {
        const request = http.request(url, { method: req.method, headers }, (response) => {
          const parts = [];
          response.on('data', (chunk) => parts.push(chunk));
          response.on('end', () => resolve({ response, body: Buffer.concat(parts) }));
          response.on('error', reject);
        });
        request.on('error', reject);
        request.end(body);
      });
      let answer = upstream.body;
      if (rewrite && upstream.response.statusCode === 200) {
        const page = JSON.parse(answer.toString('utf8'));
        page.items.forEach((item, index) => { if (recorder.dropNodeId(index)) delete item.node_id; });
        answer = Buffer.from(JSON.stringify(page));
      }
      const out = { ...upstream.response.headers };
      for (const name of ['connection', 'keep-alive', 'transfer-encoding', 'content-length']) delete out[name];
      // Next pages through the proxy too.
      if (out.link) out.link = out.link.split(target).join(recorder.url);
      if (upstream.response.statusCode !== 304) out['content-length'] = answer.length;
      res.writeHead(upstream.response.statusCode, out);
      res.end(answer);
    } catch (err) {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`recorder: ${err.message}`);
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  recorder.url = `http://127.0.0.1:${server.address().port}`;
  recorder.close = () => new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  return recorder;
}

/** GitHub's verdict on one request body: error messages, none when it would run. */
function githubErrors({ query, variables }) {
  let document;
  try {
    document = parse(query);
  } catch (err) {
    return [err.message];
  }
  const errors = validate(schema, document).map((error) => error.message);
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  if (operations.length !== 1) return [...errors, `${operations.length} operations`];
  const coerced = getVariableValues(schema, operations[0].variableDefinitions ?? [], variables ?? {});
  return [...errors, ...(coerced.errors ?? []).map((error) => error.message)];
}

/** The top-level fields of the query's operation. */
function topFields(query) {
  const operation = parse(query).definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
  return { operation, fields: operation.selectionSet.selections.filter((s) => s.kind === Kind.FIELD) };
}

/** What a query asks: "Details languages+readme mixed" (operation, parts, how repositories are named). */
function variantOf(query) {
  const { operation, fields } = topFields(query);
  const byNode = fields.some((f) => f.name.value === 'nodes');
  const lookups = fields.filter((f) => f.name.value === 'repository');
  assert.ok(lookups.every((f) => /^r\d+$/.test(f.alias?.value)), 'a repository lookup without its rN alias');
  const names = new Set();
  const collect = (node) => {
    for (const s of node.selectionSet?.selections ?? []) {
      if (s.kind === Kind.FIELD) names.add(s.alias?.value ?? s.name.value);
      collect(s);
    }
  };
  for (const f of fields) if (f.name.value !== 'rateLimit') collect(f);
  const parts = [
    names.has('languages') && 'languages',
    names.has('readme_md') && 'readme',
    names.has('codeOfConduct') && 'community',
    names.has('nameWithOwner') && 'row',
  ].filter(Boolean);
  const mode = byNode && lookups.length ? 'mixed' : byNode ? 'node' : lookups.length ? 'aliased' : 'none';
  return `${operation.name?.value} ${parts.join('+') || 'none'} ${mode}`;
}

/** Each distinct query text of `bodies` with its errors, grouped by variant. */
function verdicts(bodies) {
  const byText = new Map();
  for (const body of bodies) if (!byText.has(body.query)) byText.set(body.query, body);
  const variants = new Map();
  for (const [query, body] of byText) {
    const variant = variantOf(query);
    if (!variants.has(variant)) variants.set(variant, { texts: 0, errors: [] });
    const entry = variants.get(variant);
    entry.texts++;
    for (const message of githubErrors(body)) entry.errors.push({ message, query });
  }
  return variants;
}

function assertValid(variants, t) {
  for (const [variant, { texts, errors }] of variants) {
    t.diagnostic(`${variant}: ${texts} distinct ${texts === 1 ? 'query' : 'queries'}, ${errors.length} errors`);
    assert.deepEqual(errors, [], `${variant}: GitHub's schema rejects it`);
  }
}

let sim;
let recorder;
before(async () => {
  sim = await startSimulator({ seed: 341, repositories: 400, tokens: 2, badTokens: 0 });
  recorder = await startRecorder(sim.url);
});
after(async () => {
  await recorder?.close();
  await sim?.close();
});

async function runThroughRecorder(label, options) {
  recorder.label = label;
  const repositories = [];
  const run = startRun(
    { tokens: sim.tokens, apiUrl: recorder.url, api: 'graphql', checkTokens: false, workers: 1, ...options },
    { onBatch: (batch) => { repositories.push(...batch.repositories); } },
  );
  const result = await run.done;
  assert.equal(result.ok, true, `${label}: ${result.error}`);
  assert.ok(result.graphqlQueries > 0, `${label}: no GraphQL query sent`);
  return { result, repositories, bodies: recorder.bodies.filter((body) => body.label === label) };
}

describe('the GraphQL queries the engine sends, against GitHub\'s published schema', () => {
  it('the validator knows GitHub\'s schema and rejects what GitHub would reject', () => {
    const repository = schema.getType('Repository');
    assert.ok(repository.getFields().stargazerCount, 'Repository.stargazerCount missing: not GitHub\'s schema');
    const good = 'query Q($ids: [ID!]!) { nodes(ids: $ids) { ... on Repository { databaseId stargazerCount } } }';
    assert.deepEqual(githubErrors({ query: good, variables: { ids: ['R_1'] } }), []);
    // REST's name for stars: GitHub's GraphQL has no such field.
    assert.match(githubErrors({ query: good.replace('stargazerCount', 'stargazers_count'), variables: { ids: ['R_1'] } }).join('\n'),
      /Cannot query field "stargazers_count" on type "Repository"/);
    assert.match(githubErrors({ query: '{ repository(owner: "o") { id } }' }).join('\n'),
      /argument "name" of type "String!" is required/);
    assert.match(githubErrors({ query: good, variables: {} }).join('\n'), /"\$ids" of required type "\[ID!\]!" was not provided/);
    assert.match(githubErrors({ query: '{ viewer { login }' }).join('\n'), /Syntax Error/);
  });

  it('query Details: every details selection, repositories by node id, by owner and name, and both', async (t) => {
    const bodies = [];
    try {
      for (const details of SELECTIONS) {
        for (const [mode, dropNodeId] of Object.entries(MODES)) {
          recorder.dropNodeId = mode === 'node' ? null : dropNodeId;
          const label = `details ${details.join('+')} ${mode}`;
          const { repositories, bodies: sent } = await runThroughRecorder(label, {
            details, groups: [{ name: 'all', queries: ['stars:>=0'], limit: 30 }],
          });
          assert.equal(repositories.length, 30, label);
          bodies.push(...sent);
        }
      }
    } finally {
      recorder.dropNodeId = null;
    }
    const variants = verdicts(bodies);
    const expected = SELECTIONS.flatMap((details) => Object.keys(MODES).map((mode) => `Details ${details.join('+')} ${mode}`));
    assert.deepEqual([...variants.keys()].sort(), expected.sort(), 'the variants captured');
    assertValid(variants, t);

    // The same check on a captured query with one field GitHub does not have fails:
    // the captured texts were really checked.
    const [captured] = bodies;
    const broken = { ...captured, query: captured.query.replace('databaseId', 'databaseId starsCount') };
    assert.notEqual(broken.query, captured.query);
    assert.match(githubErrors(broken).join('\n'), /Cannot query field "starsCount" on type "Repository"/);
  });

  it('query Refresh: stored rows re-read by node id, by owner and name (no node id stored), and both', async (t) => {
    const { repositories: found } = await runThroughRecorder('refresh source', {
      details: ALL, groups: [{ name: 'all', queries: ['stars:>=0'], limit: 40 }],
    });
    assert.equal(found.length, 40);
    // A stored row: the engine's fields under the same names (js/ingest/rows.js), every
    // third one out of date so that the changed ones have their details fetched again.
    const rowOf = (repo, index, nodeId) => ({
      node_id: nodeId ? repo.node_id : null, full_name: repo.full_name, owner: repo.owner, name: repo.name,
      description: repo.description, html_url: repo.html_url, homepage: repo.homepage, language: repo.language,
      topics: repo.topics, license: repo.license, stars: repo.stars - (index % 3 === 0 ? 1 : 0), forks: repo.forks,
      watchers: repo.watchers, open_issues: repo.open_issues, size_kb: repo.size_kb, default_branch: repo.default_branch,
      is_fork: repo.is_fork, is_archived: repo.is_archived,
      created_at: repo.created_at, pushed_at: repo.pushed_at, updated_at: repo.updated_at,
    });
    // A name GitHub would not allow, looked up by owner and name: the engine's escaping
    // must give a string GraphQL reads back as it was.
    const awkward = { owner: 'ow"ner\\', name: 'na\tme\n\u0001é' };
    const bodies = [];
    for (const [mode, hasNodeId] of Object.entries({ node: () => true, aliased: () => false, mixed: (i) => i % 2 === 1 })) {
      const refresh = found.map((repo, index) => ({ id: repo.id, cluster: 'all', row: rowOf(repo, index, hasNodeId(index)) }));
      if (mode === 'aliased') {
        const row = { ...rowOf(found[0], 0, false), ...awkward, full_name: `${awkward.owner}/${awkward.name}` };
        refresh.push({ id: 999_999_001, cluster: 'all', row });
      }
      const { result, bodies: sent } = await runThroughRecorder(`refresh ${mode}`, {
        details: ALL, groups: [{ name: 'all', queries: ['stars:>=0'], limit: 0 }],
        knownIds: refresh.map((target) => target.id), refresh,
      });
      assert.equal(result.refresh.changed + result.refresh.unchanged, found.length, `refresh ${mode}: ${JSON.stringify(result.refresh)}`);
      assert.ok(result.refresh.changed > 0, `refresh ${mode}: nothing changed`);
      bodies.push(...sent);
    }
    const variants = verdicts(bodies);
    for (const mode of ['node', 'aliased', 'mixed']) {
      assert.ok([...variants.keys()].some((v) => v.startsWith('Refresh ') && v.endsWith(` ${mode}`)),
        `no Refresh query ${mode}: captured ${[...variants.keys()].join(', ')}`);
    }
    // The changed repositories' details: the run's Details query.
    assert.ok(variants.has('Details languages+readme+community node'), [...variants.keys()].join(', '));
    assertValid(variants, t);

    const awkwardQuery = bodies.map((body) => body.query).find((query) => query.includes('ow\\"ner'));
    assert.ok(awkwardQuery, 'the awkward row was not looked up by owner and name');
    const lookup = topFields(awkwardQuery).fields.find((f) => f.name.value === 'repository'
      && f.arguments.find((a) => a.name.value === 'owner').value.value === awkward.owner);
    assert.ok(lookup, 'the awkward owner did not read back as it was');
    assert.equal(lookup.arguments.find((a) => a.name.value === 'name').value.value, awkward.name);
  });
});

describe('the GraphQL query of the token check, against GitHub\'s published schema', () => {
  it('a token whose core quota is spent is asked who it is through `viewer`: the query GitHub would run', async () => {
    // One core request per user: GET /user spends it, and the check turns to GraphQL.
    const spentSim = await startSimulator({ seed: 342, repositories: 10, tokens: 2, badTokens: 0, limits: { core: 1 } });
    const viewerRecorder = await startRecorder(spentSim.url);
    try {
      for (const token of spentSim.tokens) {
        const reply = await fetch(`${spentSim.url}/user`, { headers: { authorization: `Bearer ${token}` } });
        await reply.arrayBuffer();
      }
      viewerRecorder.label = 'check';
      const checks = await checkTokens(spentSim.tokens, { apiUrl: viewerRecorder.url, rateLimitFirst: true, threads: 1 });
      assert.deepEqual(checks.map((c) => [c.status, c.login]), spentSim.users.map((u) => ['ok', u.login]));
      assert.equal(viewerRecorder.bodies.length, spentSim.tokens.length, 'one viewer query per token');
      for (const body of viewerRecorder.bodies) assert.deepEqual(githubErrors(body), [], body.query);
    } finally {
      await viewerRecorder.close();
      await spentSim.close();
    }
  });
});
