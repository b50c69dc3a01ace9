import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

import { loadTokens, maskToken } from '../../binding/index.js';
import { tempDir } from '../support/helpers.js';

const A = 'ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1111';
const B = 'ghp_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb2222';
const C = 'github_pat_cccccccccccccccccccccccccccc3333';

function writeFile(name, text) {
  const file = path.join(tempDir(), name);
  fs.writeFileSync(file, text);
  return file;
}

function noToken(env) {
  let thrown;
  assert.throws(() => loadTokens(env), (err) => {
    thrown = err;
    return err.code === 'E_NO_TOKEN';
  });
  assert.doesNotMatch(thrown.message, /\n/, 'one line');
  return thrown.message;
}

describe('binding: maskToken()', () => {
  it('shows the type prefix and the last four characters', () => {
    assert.equal(maskToken(A), 'ghp_…1111');
    assert.equal(maskToken(C), 'github_pat_…3333');
    assert.equal(maskToken('0123456789abcdef0123456789abcdef01234567'), '…4567');
  });

  it('never shows more than four characters of the secret, nor more than a quarter', () => {
    const secret = 'Zk9Q8w7e6r5t4y3u2i1o0pAsDfGhJkLzXcVbNm1234567890';
    for (const prefix of ['', 'ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_']) {
      for (let length = 0; length <= secret.length; ++length) {
        const mask = maskToken(prefix + secret.slice(0, length));
        const [shownPrefix, shown] = mask.split('…');
        assert.equal(shownPrefix, prefix, mask);
        assert.ok(shown.length <= 4, `${mask} shows ${shown.length} characters`);
        assert.ok(shown.length <= length / 4, `${mask} shows more than a quarter of ${length}`);
      }
    }
  });

  it('rejects a non-string with the shared TypeError wording', () => {
    assert.throws(() => maskToken(42), {
      name: 'TypeError',
      code: 'ERR_INVALID_ARG_TYPE',
      message: 'Expected a string for token but received 42 of type number',
    });
    assert.throws(() => maskToken(), { message: 'Expected a string for token but received undefined of type undefined' });
  });
});

describe('binding: loadTokens()', () => {
  it('splits GITHUB_TOKENS on commas and whitespace, in order', () => {
    const list = loadTokens({ GITHUB_TOKENS: ` ${A},${B}\n\t${C} ,` });
    assert.deepEqual(list, { tokens: [A, B, C], warnings: [], source: 'GITHUB_TOKENS' });
  });

  it('prefers GITHUB_TOKENS, then GITHUB_TOKEN, then GITHUB_TOKENS_FILE', () => {
    const file = writeFile('tokens.txt', `${C}\n`);
    assert.deepEqual(loadTokens({ GITHUB_TOKENS: A, GITHUB_TOKEN: B, GITHUB_TOKENS_FILE: file }).tokens, [A]);
    assert.deepEqual(loadTokens({ GITHUB_TOKEN: B, GITHUB_TOKENS_FILE: file }).tokens, [B]);
    assert.equal(loadTokens({ GITHUB_TOKEN: B, GITHUB_TOKENS_FILE: file }).source, 'GITHUB_TOKEN');
    assert.deepEqual(loadTokens({ GITHUB_TOKENS_FILE: file }).tokens, [C]);
  });

  it('skips a blank variable and uses the next one', () => {
    assert.deepEqual(loadTokens({ GITHUB_TOKENS: ' , \n', GITHUB_TOKEN: B }).tokens, [B]);
  });

  it('reads a tokens file with comments and blank lines', () => {
    const file = writeFile('tokens.txt', `# team tokens\n${A}  # alice\n\n   \n${B}\n#${C}\n`);
    const list = loadTokens({ GITHUB_TOKENS_FILE: file });
    assert.deepEqual(list.tokens, [A, B]);
    assert.ok(list.source.startsWith('GITHUB_TOKENS_FILE'), list.source);
  });

  it('drops duplicates with a masked warning', () => {
    const list = loadTokens({ GITHUB_TOKENS: `${A},${B},${A}` });
    assert.deepEqual(list.tokens, [A, B]);
    assert.equal(list.warnings.length, 1);
    assert.match(list.warnings[0], /ghp_…1111/);
    assert.ok(!list.warnings[0].includes(A), 'the warning must not show the token');
  });

  it('throws E_NO_TOKEN pointing to the demo when nothing is set', () => {
    assert.match(noToken({}), /no GitHub token.*npm run demo/);
  });

  it('throws E_NO_TOKEN for an unreadable tokens file, naming it', () => {
    const missing = path.join(tempDir(), 'missing.txt');
    assert.match(noToken({ GITHUB_TOKENS_FILE: missing }), new RegExp(`cannot read GITHUB_TOKENS_FILE=${missing}`));
  });

  it('throws E_NO_TOKEN for a file holding only comments', () => {
    assert.match(noToken({ GITHUB_TOKENS_FILE: writeFile('empty.txt', '# nothing yet\n') }), /holds no token/);
  });

  it('throws E_NO_TOKEN for a malformed token without revealing it', () => {
    const message = noToken({ GITHUB_TOKENS: `"${A}"` });
    assert.match(message, /contains '"'/);
    assert.ok(!message.includes(A.slice(4)), message);
  });

  it('defaults to process.env', () => {
    const names = ['GITHUB_TOKENS', 'GITHUB_TOKEN', 'GITHUB_TOKENS_FILE'];
    const saved = Object.fromEntries(names.map((name) => [name, process.env[name]]));
    try {
      for (const name of names) delete process.env[name];
      process.env.GITHUB_TOKEN = B;
      assert.deepEqual(loadTokens().tokens, [B]);
    } finally {
      for (const name of names) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
    }
  });

  it('rejects a non-object environment and non-string variables with TypeErrors', () => {
    assert.throws(() => loadTokens(null), {
      name: 'TypeError',
      message: 'Expected an object of environment variables for env but received null of type null',
    });
    assert.throws(() => loadTokens({ GITHUB_TOKEN: 5 }), {
      name: 'TypeError',
      code: 'ERR_INVALID_ARG_TYPE',
      message: 'Expected a string or undefined for env.GITHUB_TOKEN but received 5 of type number',
    });
  });
});
