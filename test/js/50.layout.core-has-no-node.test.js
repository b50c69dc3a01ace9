// addon/core is plain C++: testable without Node, reusable outside it. Only addon/napi
// may include the Node-API headers.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

import { root } from '../support/helpers.js';

const NODE_HEADERS = /^\s*#\s*include\s*[<"](napi\.h|node_api\.h|js_native_api\.h|node\.h|uv\.h|v8\.h)[>"]/m;

describe('addon/core', () => {
  it('includes no Node header', () => {
    const core = path.join(root, 'addon', 'core');
    const offenders = fs
      .readdirSync(core)
      .filter((name) => /\.(cc|h|cpp|hpp)$/.test(name))
      .filter((name) => NODE_HEADERS.test(fs.readFileSync(path.join(core, name), 'utf8')));
    assert.deepEqual(offenders, [], `Node headers belong in addon/napi, not in ${offenders.join(', ')}`);
  });
});
