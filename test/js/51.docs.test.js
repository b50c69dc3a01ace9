// The docs do not rot: README.md and docs/*.md link only to files and headings that
// exist, name only scripts that exist, and document for each command exactly the options
// its --help lists. Reads the files and runs `--help` three times: no database, no token.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { promisify } from 'node:util';

import { cleanEnv, root, tempDir } from '../support/helpers.js';

const COMMANDS = ['ingest-balanced-parallel.js', 'test-tokens.js', 'check-status.js'];

const DOCS = [
  'README.md',
  ...fs.readdirSync(path.join(root, 'docs')).filter((name) => name.endsWith('.md')).sort().map((name) => `docs/${name}`),
];

/**
 * A markdown file split the way the checks need it: its headings, the prose (fenced code
 * blocks taken out), and the code (fenced blocks and inline code spans).
 */
function parseMarkdown(text) {
  const headings = [];
  const prose = [];
  const code = [];
  let fence = null;
  let block = [];
  for (const line of text.split('\n')) {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence) {
      if (marker && marker[0] === fence[0] && marker.length >= fence.length) {
        code.push(block.join('\n'));
        fence = null;
      } else {
        block.push(line);
      }
      continue;
    }
    if (marker) {
      fence = marker;
      block = [];
      continue;
    }
    const heading = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) headings.push({ level: heading[1].length, text: heading[2] });
    prose.push(line);
  }
  const proseText = prose.join('\n');
  for (const span of proseText.matchAll(/(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/g)) code.push(span[2]);
  return { headings, prose: proseText, code };
}

/** A heading's text as GitHub renders it: no inline code ticks, link targets or emphasis. */
function renderedText(heading) {
  return heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/(\*\*|__|\*|_)(\S(?:.*?\S)?)\1/g, '$2')
    .replace(/<[^>]+>/g, '');
}

/**
 * GitHub's anchors of a file's headings (github-slugger): lowercase, punctuation and
 * symbols dropped, each space a '-', a repeated slug suffixed -1, -2, ...
 */
function anchors(headings) {
  const seen = new Map();
  const slugs = new Set();
  for (const { text } of headings) {
    const base = renderedText(text).toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    slugs.add(count === 0 ? base : `${base}-${count}`);
  }
  return slugs;
}

/** Links of the prose: inline `[text](target)` and reference definitions `[text]: target`. */
function links(prose) {
  // Inline code may hold brackets and parentheses that are not links.
  const text = prose.replace(/(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/g, 'code');
  const found = [];
  for (const match of text.matchAll(/!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) found.push(match[1]);
  for (const match of text.matchAll(/^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)) found.push(match[1]);
  return found;
}

const files = new Map();
function file(relative) {
  if (!files.has(relative)) files.set(relative, parseMarkdown(fs.readFileSync(path.join(root, relative), 'utf8')));
  return files.get(relative);
}

/** What is wrong with one link of `from` (a path relative to the root), or null. */
function brokenLink(from, target) {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return null;  // https:, mailto:: not ours to check
  const hash = target.indexOf('#');
  const filePart = decodeURI(hash === -1 ? target : target.slice(0, hash));
  const anchor = hash === -1 ? null : decodeURIComponent(target.slice(hash + 1));
  if (filePart.startsWith('/')) return 'is absolute: links must be relative to the file';
  const resolved = filePart === '' ? path.join(root, from) : path.resolve(root, path.dirname(from), filePart);
  const relative = path.relative(root, resolved);
  if (relative.startsWith('..') || path.isAbsolute(relative)) return 'points outside the repository';
  if (!fs.existsSync(resolved)) return `names ${relative}, which does not exist`;
  if (anchor === null) return null;
  if (!relative.endsWith('.md')) {
    return /^L\d+(-L\d+)?$/.test(anchor) ? null : `has the anchor #${anchor} on a file that has no headings`;
  }
  const slugs = anchors(file(relative).headings);
  return slugs.has(anchor) ? null : `has the anchor #${anchor}, and ${relative} has no such heading (it has: ${[...slugs].join(', ')})`;
}

/** Whether `pattern` (a path relative to the root, '*' in its last part) names a file. */
function exists(pattern) {
  if (!pattern.includes('*')) return fs.existsSync(path.join(root, pattern));
  const dir = path.join(root, path.dirname(pattern));
  const escaped = path.basename(pattern).replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*');
  return fs.existsSync(dir) && fs.readdirSync(dir).some((name) => new RegExp(`^${escaped}$`).test(name));
}

/** The section of `text` under the heading `title` (any level), up to the next heading of its level or above. */
function section(relative, title) {
  const lines = fs.readFileSync(path.join(root, relative), 'utf8').split('\n');
  const { headings } = file(relative);
  const heading = headings.find((h) => renderedText(h.text) === title);
  if (!heading) return null;
  // Headings in order, matched to their lines outside code blocks.
  let inFence = false;
  let start = -1;
  for (let i = 0; i < lines.length; i += 1) {
    if (/^\s*(`{3,}|~{3,})/.test(lines[i])) inFence = !inFence;
    if (inFence) continue;
    const match = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(lines[i]);
    if (!match) continue;
    if (start === -1) {
      if (renderedText(match[2]) === title) start = i;
    } else if (match[1].length <= heading.level) {
      return lines.slice(start, i).join('\n');
    }
  }
  return lines.slice(start).join('\n');
}

const optionNames = (text) => new Set([...text.matchAll(/(?<![\w-])--([a-z][a-z0-9-]*)/g)].map((m) => m[1]));

describe('docs: README.md and docs/*.md', () => {
  it('every relative link leads to a file of the repository, and every #anchor to a heading', () => {
    const problems = [];
    for (const relative of DOCS) {
      for (const target of links(file(relative).prose)) {
        const problem = brokenLink(relative, target);
        if (problem) problems.push(`${relative}: (${target}) ${problem}`);
      }
    }
    assert.deepEqual(problems, []);
  });

  it('every `node <script>` and `npm run <script>` in their code names a file or script that exists', () => {
    const scripts = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).scripts;
    const problems = [];
    let checked = 0;
    for (const relative of DOCS) {
      for (const code of file(relative).code) {
        // `node [flags] file.js`, where the flags take no separate value.
        for (const match of code.matchAll(/(?<![\w./-])node((?:\s+--?[\w-]+(?:=\S+)?)*)\s+([^\s'"`]+\.m?js)(?![\w.])/g)) {
          checked += 1;
          if (!exists(match[2])) problems.push(`${relative}: \`node${match[1]} ${match[2]}\`: no such file`);
        }
        for (const match of code.matchAll(/(?<![\w-])npm\s+(?:run(?:-script)?\s+([\w:.-]+)|(test|start)\b)/g)) {
          checked += 1;
          const script = match[1] ?? match[2];
          if (!Object.hasOwn(scripts, script)) problems.push(`${relative}: \`npm run ${script}\`: package.json has no such script`);
        }
      }
    }
    assert.ok(checked >= 10, `only ${checked} commands found: is the code still parsed?`);
    assert.deepEqual(problems, []);
  });

  it('no absolute path of some machine (/work/, /tmp/, /root/, /home/)', () => {
    const problems = [];
    for (const relative of DOCS) {
      const text = fs.readFileSync(path.join(root, relative), 'utf8');
      text.split('\n').forEach((line, i) => {
        if (/(^|[\s(`"'=:])\/(work|tmp|root|home)\//.test(line)) problems.push(`${relative}:${i + 1}: ${line.trim()}`);
      });
    }
    assert.deepEqual(problems, []);
  });
});

describe('docs: each command\'s options, README.md against --help', () => {
  const help = new Map();

  before(async () => {
    const run = promisify(execFile);
    const cwd = tempDir();  // no .env of the checkout
    await Promise.all(COMMANDS.map(async (command) => {
      const { stdout } = await run(process.execPath, [path.join(root, command), '--help'], { cwd, env: cleanEnv(), timeout: 20_000 });
      help.set(command, stdout);
    }));
  });

  for (const command of COMMANDS) {
    it(`node ${command}: README documents every option --help lists, and no other`, () => {
      const text = help.get(command);
      assert.ok(text.startsWith(`Usage: node ${command}`), text);
      // The option rows of --help: the indented lines under "Options:".
      const block = /^Options:\n((?:[ \t]+.*\n)+)/m.exec(text)?.[1];
      assert.ok(block, `no Options: block in --help of ${command}:\n${text}`);
      const listed = new Set([...block.matchAll(/^\s+--([a-z][a-z0-9-]*)/gm)].map((m) => m[1]));
      assert.ok(listed.has('help') && listed.has('version'), block);

      const readme = section('README.md', `node ${command}`);
      assert.ok(readme, `README.md has no section titled \`node ${command}\``);
      const documented = optionNames(readme);

      const undocumented = [...listed].filter((name) => !documented.has(name)).map((name) => `--${name}`);
      const unknown = [...documented].filter((name) => !listed.has(name)).map((name) => `--${name}`);
      assert.deepEqual(undocumented, [], `--help of ${command} lists options README.md does not document`);
      assert.deepEqual(unknown, [], `README.md documents options of ${command} that its --help does not list`);
    });
  }
});
