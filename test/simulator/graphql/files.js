// The files of a simulated repository at HEAD, for object(expression: "HEAD:path"):
// the README under its record name (the same bytes as REST's raw README), LICENSE when
// licensed, CONTRIBUTING.md, CODE_OF_CONDUCT.md, SECURITY.md and a .github tree
// (ISSUE_TEMPLATE/bug_report.md, PULL_REQUEST_TEMPLATE.md, the paths REST's community
// profile names) when the record says so, plus ordinary entries (.gitignore, src/).
// Git object ids are real SHA-1s of the contents. Built per repository version, on use.
import crypto from 'node:crypto';

import { unitHash } from '../random.js';

const HTML = 'https://github.com';
const BLOB_MODE = 0o100644;
const TREE_MODE = 0o40000;
const EXTENSIONS = {
  Python: 'py', 'Jupyter Notebook': 'ipynb', JavaScript: 'js', TypeScript: 'ts', Vue: 'vue', Go: 'go', Rust: 'rs',
  Java: 'java', Kotlin: 'kt', Swift: 'swift', Dart: 'dart', 'C#': 'cs', 'C++': 'cpp', C: 'c', Ruby: 'rb', PHP: 'php',
  Shell: 'sh', Solidity: 'sol', Lua: 'lua', Scala: 'scala', Elixir: 'ex', Haskell: 'hs', Zig: 'zig',
};

export const ISSUE_TEMPLATE = {
  name: 'Bug report', about: 'Create a report to help us improve', title: '[Bug] ', filename: 'bug_report.md',
  body: '**Describe the bug**\nA clear and concise description of what the bug is.\n\n**To reproduce**\nSteps to reproduce the behavior.\n\n**Expected behavior**\nWhat you expected to happen.\n',
};

const PULL_REQUEST_TEMPLATE = '## Description\n\nWhat does this change and why?\n\n## Checklist\n\n- [ ] Tests added\n- [ ] Docs updated\n';

function gitOid(kind, content) {
  const bytes = Buffer.isBuffer(content) ? content : Buffer.from(content);
  return crypto.createHash('sha1').update(`${kind} ${bytes.length}\0`).update(bytes).digest('hex');
}

function blob(name, text) {
  const bytes = Buffer.from(text);
  return { kind: 'blob', name, text, byteSize: bytes.length, oid: gitOid('blob', bytes) };
}

function tree(name, entries) {
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const listing = entries.map((e) => `${(e.kind === 'tree' ? TREE_MODE : BLOB_MODE).toString(8)} ${e.name}\0${e.oid}`).join('');
  return { kind: 'tree', name, entries, oid: gitOid('tree', listing) };
}

function licenseText(repo) {
  const year = new Date(repo.createdAt).getUTCFullYear();
  if (repo.license.key === 'other') return `Copyright (c) ${year} ${repo.owner.login}\n\nAll rights reserved unless stated otherwise.\n`;
  return `${repo.license.name}\n\nCopyright (c) ${year} ${repo.owner.login}\n\nSPDX-License-Identifier: ${repo.license.spdx_id}\n`;
}

/** The contributing guide's text (also ContributingGuidelines.body). */
export function contributingText(repo) {
  return `# Contributing to ${repo.name}\n\nThanks for your interest! Please open an issue to discuss a change before sending a pull request.\n\n` +
    '1. Fork the repository and create a branch.\n2. Add tests for your change.\n3. Open a pull request.\n';
}

export function codeOfConductText(repo) {
  return '# Contributor Covenant Code of Conduct\n\n## Our Pledge\n\nWe as members, contributors, and leaders pledge to make participation in our community a harassment-free experience for everyone.\n\n' +
    `## Enforcement\n\nReport unacceptable behavior to the maintainers of ${repo.fullName}.\n`;
}

/** Whether the repository has a security policy (SECURITY.md); not part of REST's records. */
export function hasSecurityPolicy(repo) {
  return unitHash(`security:${repo.id}`) < (repo.stars > 1000 ? 0.5 : 0.06);
}

/** An html URL of a file at the default branch. */
export function blobUrl(repo, path) {
  return `${HTML}/${repo.fullName}/blob/${repo.defaultBranch}/${path}`;
}

export class RepoFiles {
  /** @param {import('../github-json.js').RepoDocuments} documents */
  constructor(documents) {
    this.documents = documents;
    this.cache = new WeakMap();  // repo → {version, root, byPath, byOid}
  }

  build(repo) {
    const entries = [];
    const readme = this.documents.readme(repo);
    if (readme) entries.push(blob(repo.readme, readme.raw.body.toString('utf8')));
    if (repo.license) entries.push(blob('LICENSE', licenseText(repo)));
    if (repo.community.contributing) entries.push(blob('CONTRIBUTING.md', contributingText(repo)));
    if (repo.community.codeOfConduct) entries.push(blob('CODE_OF_CONDUCT.md', codeOfConductText(repo)));
    if (hasSecurityPolicy(repo)) entries.push(blob('SECURITY.md', `# Security Policy\n\nReport vulnerabilities privately to the ${repo.owner.login} maintainers.\n`));
    const github = [];
    if (repo.community.issueTemplate) {
      const { name, about, title, body, filename } = ISSUE_TEMPLATE;
      github.push(tree('ISSUE_TEMPLATE', [blob(filename, `---\nname: ${name}\nabout: ${about}\ntitle: '${title}'\nlabels: bug\n---\n\n${body}`)]));
    }
    if (repo.community.pullRequestTemplate) github.push(blob('PULL_REQUEST_TEMPLATE.md', PULL_REQUEST_TEMPLATE));
    if (github.length) entries.push(tree('.github', github));
    entries.push(blob('.gitignore', 'node_modules/\n*.log\n.env\nbuild/\n'));
    const extension = EXTENSIONS[repo.language] ?? 'txt';
    entries.push(tree('src', [blob(`main.${extension}`, `// ${repo.fullName}: ${repo.description ?? 'no description'}\n`)]));
    const root = tree('', entries);
    const byPath = new Map();
    const byOid = new Map();
    const index = (node, path) => {
      node.path = path;
      byPath.set(path, node);
      byOid.set(node.oid, node);
      for (const child of node.entries ?? []) index(child, path ? `${path}/${child.name}` : child.name);
    };
    index(root, '');
    return { version: repo.version, root, byPath, byOid };
  }

  files(repo) {
    let files = this.cache.get(repo);
    if (!files || files.version !== repo.version) this.cache.set(repo, (files = this.build(repo)));
    return files;
  }

  /**
   * The blob or tree a rev-parse expression names ("HEAD:", "HEAD:README.md",
   * "main:src/"), or null: paths are case-sensitive, as in git.
   */
  resolve(repo, expression) {
    const colon = expression.indexOf(':');
    if (colon < 0) return null;  // commits are not simulated
    const rev = expression.slice(0, colon);
    if (rev !== 'HEAD' && rev !== repo.defaultBranch) return null;
    const path = expression.slice(colon + 1).replace(/^\.?\/+/, '').replace(/\/+$/, '');
    return this.files(repo).byPath.get(path) ?? null;
  }

  byOid(repo, oid) {
    return this.files(repo).byOid.get(oid) ?? null;
  }

  static modeOf(node) {
    return node.kind === 'tree' ? TREE_MODE : BLOB_MODE;
  }
}
