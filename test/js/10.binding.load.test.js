import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, it } from 'node:test';

import { formatVersion, versions } from '../../binding/index.js';
import { node, root, tempDir } from '../support/helpers.js';

const pkg = createRequire(import.meta.url)('../../package.json');
const binding = path.join(root, 'binding', 'index.js');

// Imports the binding in a child process with GH_INGEST_ADDON=addonPath and reports the
// error that versions() throws, if any.
function loadInChild(addonPath) {
  const script =
    `import { versions } from ${JSON.stringify(binding)};` +
    'try { versions(); console.log(JSON.stringify({ ok: true })); }' +
    'catch (err) { console.log(JSON.stringify({ code: err.code, message: err.message })); }';
  const result = node(['--input-type=module', '-e', script], { env: { GH_INGEST_ADDON: addonPath } });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout);
}

describe('binding: versions()', () => {
  it('reports the package version, so the build is current', () => {
    assert.equal(versions().addon, pkg.version);
  });

  it('reports every library version as a non-empty string', () => {
    const v = versions();
    assert.deepEqual(Object.keys(v).sort(), ['addon', 'libcurl', 'napi', 'simdjson', 'simdjsonImplementation', 'ssl']);
    for (const [name, value] of Object.entries(v)) {
      assert.equal(typeof value, 'string', name);
      assert.ok(value.length > 0, name);
    }
    assert.match(v.libcurl, /^\d+\.\d+\.\d+/);
    assert.match(v.simdjson, /^\d+\.\d+\.\d+$/);
    assert.equal(v.napi, '8');
  });

  it('formatVersion() gives one line naming each library', () => {
    const v = versions();
    assert.equal(
      formatVersion(),
      `gh-ingest ${v.addon} (libcurl ${v.libcurl} ${v.ssl}, simdjson ${v.simdjson} ${v.simdjsonImplementation}, Node-API 8)`,
    );
  });
});

describe('binding: loading the addon', () => {
  it('a missing addon gives one error with the cause and the possible solutions', () => {
    const missing = path.join(tempDir(), 'nowhere', 'gh_ingest.node');
    const { code, message } = loadInChild(missing);
    assert.equal(code, 'E_ADDON_LOAD');
    assert.match(message, /^Could not load the gh-ingest native addon/);
    assert.ok(message.includes(`${missing}: not found`), message);
    assert.match(message, /Possible solutions:/);
    assert.match(message, /npm run build/);
    assert.match(message, /libcurl4-openssl-dev/);
    assert.match(message, /Node\.js >= 20\.6/);
    assert.doesNotMatch(message, /Require stack|MODULE_NOT_FOUND/);
  });

  it('a file that is not an addon is reported with the loader message', () => {
    const bogus = path.join(tempDir(), 'gh_ingest.node');
    fs.writeFileSync(bogus, 'not a shared library');
    const { code, message } = loadInChild(bogus);
    assert.equal(code, 'E_ADDON_LOAD');
    assert.ok(message.includes(`${bogus}: `), message);
    assert.doesNotMatch(message, /not found/);
  });

  it('a stale build (another version) is refused with the build command', () => {
    const stale = path.join(tempDir(), 'stale.cjs');
    fs.writeFileSync(stale, "module.exports = { versions: () => ({ addon: '0.0.1' }) };\n");
    const { code, message } = loadInChild(stale);
    assert.equal(code, 'E_ADDON_STALE');
    assert.match(message, /built for version 0\.0\.1/);
    assert.ok(message.includes(`this is version ${pkg.version}`), message);
    assert.match(message, /npm run build/);
  });

  it('an entry point reports a missing addon without a stack trace and exits 1', () => {
    const result = node(['test-tokens.js', '--version'], { env: { GH_INGEST_ADDON: path.join(tempDir(), 'x.node') } });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /^test-tokens: Could not load the gh-ingest native addon/);
    assert.match(result.stderr, /Possible solutions:/);
    assert.doesNotMatch(result.stderr, /^\s+at /m);
  });
});
