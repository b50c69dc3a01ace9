import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

import { DEFAULT_CLUSTERS_PATH, loadClusters, searchQueries, selectClusters } from '../../js/config/clusters.js';
import { CliError, UsageError } from '../../js/cli/errors.js';
import { tempDir } from '../support/helpers.js';

const dir = tempDir();
let files = 0;

function write(content) {
  const file = path.join(dir, `clusters-${files++}.json`);
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return file;
}

function cluster(overrides = {}) {
  return { quota: 100, queries: ['topic:react'], ...overrides };
}

// Every problem with the file: a CliError (exit 1), one line, naming the file.
function assertFileError(file, pattern) {
  assert.throws(() => loadClusters(file), (err) => {
    assert.ok(err instanceof CliError && !(err instanceof UsageError), err);
    assert.equal(err.exitCode, 1);
    assert.equal(err.message.split('\n').length, 1, err.message);
    assert.ok(err.message.includes(file), err.message);
    assert.match(err.message, pattern);
    return true;
  });
}

describe('the default clusters file', () => {
  const config = loadClusters();

  it('is js/config/clusters.default.json, absolute, and loads by default', () => {
    assert.ok(path.isAbsolute(DEFAULT_CLUSTERS_PATH));
    assert.equal(path.basename(DEFAULT_CLUSTERS_PATH), 'clusters.default.json');
    assert.equal(config.path, DEFAULT_CLUSTERS_PATH);
    assert.deepEqual(loadClusters(DEFAULT_CLUSTERS_PATH), config);
  });

  it('defines at least the 8 documented clusters, with 2 to 4 queries each', () => {
    const names = Object.keys(config.clusters);
    assert.ok(names.length >= 8, names.join());
    for (const name of ['ai_ml', 'web', 'devops', 'data', 'security', 'mobile', 'gamedev', 'blockchain']) {
      assert.ok(names.includes(name), `missing ${name}`);
      const { queries } = config.clusters[name];
      assert.ok(queries.length >= 2 && queries.length <= 4, `${name}: ${queries.length} queries`);
      for (const query of queries) assert.match(query, /topic:[a-z0-9-]+/);
    }
  });

  it('has quotas summing to exactly 20,000 and a stars floor', () => {
    const sum = Object.values(config.clusters).reduce((acc, { quota }) => acc + quota, 0);
    assert.equal(sum, 20_000);
    assert.equal(config.minStars, 10);
  });

  it('keeps the file order', () => {
    const raw = JSON.parse(fs.readFileSync(DEFAULT_CLUSTERS_PATH, 'utf8'));
    assert.deepEqual(Object.keys(config.clusters), Object.keys(raw.clusters));
  });
});

describe('loadClusters', () => {
  it('returns path, minStars and {quota, queries} per cluster', () => {
    const file = write({ min_stars: 5, description: 'ignored', clusters: { b: cluster({ quota: 7 }), a: cluster() } });
    assert.deepEqual(loadClusters(file), {
      path: file,
      minStars: 5,
      clusters: { b: { quota: 7, queries: ['topic:react'] }, a: { quota: 100, queries: ['topic:react'] } },
    });
  });

  it('min_stars defaults to 0; a UTF-8 byte order mark is accepted', () => {
    const file = write(`\uFEFF${JSON.stringify({ clusters: { web: cluster() } })}`);
    assert.equal(loadClusters(file).minStars, 0);
  });

  it('a relative path is resolved against the working directory', () => {
    const file = write({ clusters: { web: cluster() } });
    assert.equal(loadClusters(path.relative(process.cwd(), file)).path, file);
  });

  it('a missing file', () => assertFileError(path.join(dir, 'missing.json'), /cannot read it: no such file/));

  it('a directory', () => assertFileError(dir, /cannot read it: is a directory/));

  it('malformed JSON, with the line and column', () => {
    const file = write('{\n  "clusters": {\n    "web": { "quota": 1, }\n  }\n}\n');
    assertFileError(file, /not valid JSON: .*line 3 column \d+/);
  });

  it('empty and truncated files', () => {
    assertFileError(write(''), /not valid JSON/);
    assertFileError(write('{"clusters": {"web": '), /not valid JSON/);
  });

  it('not an object', () => {
    assertFileError(write([]), /expected a JSON object/);
    assertFileError(write('"clusters"'), /expected a JSON object/);
  });

  it('no clusters', () => {
    assertFileError(write({ min_stars: 1 }), /no clusters/);
    assertFileError(write({ clusters: {} }), /no clusters/);
    assertFileError(write({ clusters: [cluster()] }), /no clusters/);
  });

  it('a quota that is not a positive whole number', () => {
    for (const quota of [0, -3, 1.5, '100', null, undefined]) {
      assertFileError(write({ clusters: { web: cluster({ quota }) } }), /clusters\.web\.quota must be a positive whole number/);
    }
  });

  it('queries that are not a non-empty list of non-empty strings', () => {
    for (const queries of [[], 'topic:react', null, undefined]) {
      assertFileError(write({ clusters: { web: cluster({ queries }) } }), /clusters\.web\.queries must be a non-empty list/);
    }
    assertFileError(write({ clusters: { web: cluster({ queries: ['topic:react', '  '] }) } }),
      /clusters\.web\.queries\[1\] must be a non-empty string/);
    assertFileError(write({ clusters: { web: cluster({ queries: ['topic:react', 3] }) } }),
      /clusters\.web\.queries\[1\] must be a non-empty string, got 3/);
  });

  it('a cluster that is not an object', () => {
    assertFileError(write({ clusters: { web: 100 } }), /clusters\.web must be an object/);
  });

  it('bad cluster names, and the reserved name all', () => {
    for (const name of ['web dev', 'web.dev', 'déjà', 'a/b', '']) {
      assertFileError(write({ clusters: { [name]: cluster() } }), /may only hold letters, digits/);
    }
    assertFileError(write({ clusters: { all: cluster() } }), /"all" is reserved/);
  });

  it('a min_stars that is not a whole number (0 or more)', () => {
    for (const min_stars of [-1, 2.5, '10', null]) {
      assertFileError(write({ min_stars, clusters: { web: cluster() } }), /min_stars must be a whole number/);
    }
  });

  it('a value too long to show is cut, so the message stays short', () => {
    const file = write({ clusters: { web: cluster({ quota: 'x'.repeat(500) }) } });
    assert.throws(() => loadClusters(file), (err) => err.message.length < file.length + 200);
  });
});

describe('selectClusters', () => {
  const config = { path: '/x/clusters.json', minStars: 0, clusters: { ai_ml: cluster(), web: cluster(), data: cluster() } };

  it("'all' is every cluster in file order", () => {
    assert.deepEqual(selectClusters(config, 'all'), ['ai_ml', 'web', 'data']);
    assert.deepEqual(selectClusters(config, ['all']), ['ai_ml', 'web', 'data']);
  });

  it('names come back in file order, once each', () => {
    assert.deepEqual(selectClusters(config, ['data', 'ai_ml', 'data']), ['ai_ml', 'data']);
    assert.deepEqual(selectClusters(config, 'data,web'), ['web', 'data']);
  });

  it('unknown names: a usage error (exit 2) naming them and listing the defined clusters', () => {
    assert.throws(() => selectClusters(config, ['web', 'gaming', 'crypto']), (err) => {
      assert.ok(err instanceof UsageError);
      assert.equal(err.exitCode, 2);
      assert.equal(err.message, 'unknown clusters gaming, crypto: /x/clusters.json defines ai_ml, web, data');
      return true;
    });
    assert.throws(() => selectClusters(config, ['Web']), /^UsageError: unknown cluster Web: /);
  });

  it('an empty selection is a usage error', () => {
    assert.throws(() => selectClusters(config, []), (err) => err instanceof UsageError && /no cluster selected/.test(err.message));
  });
});

describe('searchQueries', () => {
  const config = {
    minStars: 10,
    clusters: {
      web: cluster({ queries: ['topic:react language:TypeScript', 'topic:vue stars:>500', 'topic:svelte -Stars:<3', 'topic:nextjs created:>2020-01-01'] }),
    },
  };

  it('adds the stars floor only to queries without a stars qualifier of their own', () => {
    assert.deepEqual(searchQueries(config, 'web'), [
      'topic:react language:TypeScript stars:>=10',
      'topic:vue stars:>500',
      'topic:svelte -Stars:<3',
      'topic:nextjs created:>2020-01-01 stars:>=10',
    ]);
  });

  it('adds nothing when min_stars is 0', () => {
    assert.deepEqual(searchQueries({ ...config, minStars: 0 }, 'web'), config.clusters.web.queries);
  });

  it('does not change the config', () => {
    searchQueries(config, 'web');
    assert.equal(config.clusters.web.queries[0], 'topic:react language:TypeScript');
  });

  it('a word merely ending in "stars:" is not a stars qualifier', () => {
    const own = { minStars: 5, clusters: { x: cluster({ queries: ['rockstars:fan topic:music'] }) } };
    assert.deepEqual(searchQueries(own, 'x'), ['rockstars:fan topic:music stars:>=5']);
  });

  it('the default file: every query gets stars:>=10', () => {
    const defaults = loadClusters();
    for (const name of Object.keys(defaults.clusters)) {
      for (const query of searchQueries(defaults, name)) assert.match(query, / stars:>=10$/);
    }
  });

  it('an unknown cluster is a usage error', () => {
    assert.throws(() => searchQueries(config, 'nope'), UsageError);
  });
});
