// Progress display: plain lines for logs, live bars on a terminal, waits always shown.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';

import { createProgress } from '../../js/ingest/progress.js';

function capture({ tty }) {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk) => { text += chunk; });
  stream.isTTY = tty;
  stream.columns = 120;
  return { stream, text: () => text };
}

const NOW = Date.UTC(2026, 10, 23, 14, 0, 0);

describe('progress', () => {
  it('prints a plain line every 50 repositories when not on a terminal', () => {
    const out = capture({ tty: false });
    const progress = createProgress({ stream: out.stream, wanted: { ai_ml: 100, web: 60 }, now: () => NOW, live: false });
    progress.add('ai_ml', 30);
    assert.equal(out.text(), '');
    progress.add('web', 25);
    assert.match(out.text(), /^55 new repositories \(\d+\/min\) \| ai_ml 30\/100 \| web 25\/60\n$/);
    progress.add('web', 10);
    assert.equal(out.text().split('\n').length, 2);
    progress.finish();
    assert.match(out.text(), /65 new repositories .* web 35\/60\n$/);
  });

  it('says clearly when every token is exhausted, and when a token is retired', () => {
    const out = capture({ tty: false });
    const progress = createProgress({ stream: out.stream, wanted: { web: 10 }, now: () => NOW, live: false });
    progress.event({ type: 'pool', pool: 'waiting', resource: 'core', until: NOW / 1000 + 12 * 60, message: 'x' });
    progress.event({ type: 'pool', pool: 'retired', message: 'Token #2 (ghp_…abcd) retired for this run: 401' });
    progress.event({ type: 'progress', message: 'web: 10 of 10' });
    const lines = out.text().trim().split('\n');
    assert.equal(lines.length, 2);
    assert.match(lines[0], /^all tokens exhausted for core, resuming at .+ \(in 12 min\)$/);
    assert.match(lines[1], /^warning: Token #2 \(ghp_…abcd\) retired/);
  });

  it('draws live bars per cluster on a terminal', async () => {
    const out = capture({ tty: true });
    const progress = createProgress({
      stream: out.stream, wanted: { ai_ml: 20, web: 10 }, live: true,
      stats: () => ({ totalRequests: 42, tokens: [{ state: 'ok' }, { state: 'exhausted' }] }),
    });
    progress.add('ai_ml', 20);
    progress.add('web', 5);
    progress.finish();
    const text = out.text();
    assert.match(text, /ai_ml +\[#+\] 20\/20/);
    assert.match(text, /web +\[#+\.+\] 5\/10/);
    assert.match(text, /all +\[#+\.*\] 25\/30 \| \d+\/min \| 42 requests \| tokens 1\/2 ok/);
  });
});
