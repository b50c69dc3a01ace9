// binding/index.d.ts is hand-written: check it against a usage file with the real
// TypeScript compiler (a devDependency), so the types cannot drift unnoticed.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, it } from 'node:test';

import * as binding from '../../binding/index.js';
import { node, root } from '../support/helpers.js';

describe('binding/index.d.ts', () => {
  it('type-checks test/types/binding.test-d.ts with tsc', () => {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const result = node([tsc, '-p', path.join(root, 'test', 'types', 'tsconfig.json')]);
    assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
  });

  it('declares every function the binding exports', async () => {
    const { readFile } = await import('node:fs/promises');
    const declarations = await readFile(path.join(root, 'binding', 'index.d.ts'), 'utf8');
    for (const name of Object.keys(binding)) {
      assert.match(declarations, new RegExp(`export function ${name}\\(`), name);
    }
  });
});
