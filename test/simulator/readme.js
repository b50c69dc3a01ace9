// README markdown for a repository: title, badge row (CI, coverage, package version,
// license, downloads shields, like real READMEs), sections, code blocks. Deterministic
// per repository; sizes range from a few lines to tens of KB.
import { Random } from './random.js';

const INSTALL = {
  Python: (name) => `pip install ${name}`,
  'Jupyter Notebook': (name) => `pip install -r requirements.txt  # ${name}`,
  TypeScript: (name) => `npm install ${name}`,
  JavaScript: (name) => `npm install ${name}`,
  Vue: (name) => `npm install ${name}`,
  Go: (name, full) => `go install github.com/${full}@latest  # ${name}`,
  Rust: (name) => `cargo add ${name}`,
  Kotlin: (name, full) => `implementation("io.github.${full.split('/')[0].toLowerCase()}:${name}:1.0.0")`,
  Java: (name, full) => `<dependency><groupId>io.github.${full.split('/')[0].toLowerCase()}</groupId><artifactId>${name}</artifactId></dependency>`,
  Swift: (name, full) => `.package(url: "https://github.com/${full}.git", from: "1.0.0")`,
  Dart: (name) => `flutter pub add ${name}`,
  'C#': (name) => `dotnet add package ${name}`,
  Solidity: (name) => `forge install ${name}`,
};

function packageName(repo) {
  return repo.name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'pkg';
}

function badges(random, repo) {
  const full = repo.fullName;
  const pkg = packageName(repo);
  const branch = repo.defaultBranch;
  const lines = [];
  if (random.chance(0.6)) lines.push(`[![CI](https://github.com/${full}/actions/workflows/ci.yml/badge.svg?branch=${branch})](https://github.com/${full}/actions/workflows/ci.yml)`);
  if (random.chance(0.15)) lines.push(`[![Build Status](https://travis-ci.org/${full}.svg?branch=${branch})](https://travis-ci.org/${full})`);
  if (random.chance(0.3)) lines.push(`[![codecov](https://codecov.io/gh/${full}/branch/${branch}/graph/badge.svg)](https://codecov.io/gh/${full})`);
  if (random.chance(0.1)) lines.push(`[![Coverage Status](https://coveralls.io/repos/github/${full}/badge.svg?branch=${branch})](https://coveralls.io/github/${full}?branch=${branch})`);
  const language = repo.language;
  if ((language === 'TypeScript' || language === 'JavaScript') && random.chance(0.6)) {
    lines.push(`[![npm version](https://img.shields.io/npm/v/${pkg}.svg)](https://www.npmjs.com/package/${pkg})`);
    if (random.chance(0.5)) lines.push(`[![npm downloads](https://img.shields.io/npm/dm/${pkg}.svg)](https://www.npmjs.com/package/${pkg})`);
  }
  if (language === 'Python' && random.chance(0.6)) {
    lines.push(`[![PyPI](https://img.shields.io/pypi/v/${pkg})](https://pypi.org/project/${pkg}/)`);
    if (random.chance(0.5)) lines.push(`[![Downloads](https://static.pepy.tech/badge/${pkg}/month)](https://pepy.tech/project/${pkg})`);
    if (random.chance(0.4)) lines.push(`[![Python](https://img.shields.io/pypi/pyversions/${pkg}.svg)](https://pypi.org/project/${pkg}/)`);
  }
  if (language === 'Rust' && random.chance(0.6)) {
    lines.push(`[![Crates.io](https://img.shields.io/crates/v/${pkg}.svg)](https://crates.io/crates/${pkg})`);
    lines.push(`[![docs.rs](https://docs.rs/${pkg}/badge.svg)](https://docs.rs/${pkg})`);
  }
  if (language === 'Go' && random.chance(0.5)) {
    lines.push(`[![Go Report Card](https://goreportcard.com/badge/github.com/${full})](https://goreportcard.com/report/github.com/${full})`);
    lines.push(`[![Go Reference](https://pkg.go.dev/badge/github.com/${full}.svg)](https://pkg.go.dev/github.com/${full})`);
  }
  if (repo.license && random.chance(0.6)) {
    const spdx = repo.license.spdx_id;
    lines.push(`[![License: ${spdx}](https://img.shields.io/badge/License-${spdx.replace(/-/g, '--')}-blue.svg)](LICENSE)`);
  }
  if (random.chance(0.15)) lines.push(`[![Docker Pulls](https://img.shields.io/docker/pulls/${repo.owner.login.toLowerCase()}/${pkg})](https://hub.docker.com/r/${repo.owner.login.toLowerCase()}/${pkg})`);
  if (random.chance(0.12)) lines.push(`[![Discord](https://img.shields.io/discord/${random.int(1e8, 9e8)}?label=discord)](https://discord.gg/${random.chars(7)})`);
  if (repo.stars > 100 && random.chance(0.3)) lines.push(`![GitHub stars](https://img.shields.io/github/stars/${full}?style=social)`);
  return lines;
}

function features(random, repo) {
  const items = [];
  const count = random.int(3, 8);
  for (let i = 0; i < count; i++) {
    const topic = repo.topics.length ? random.pick(repo.topics) : repo.family;
    items.push(`- ${random.pick(['⚡ Fast', '🔒 Secure', '🧩 Pluggable', '📦 Zero-dependency', '🌍 Cross-platform', '🧪 Well tested', 'Supports'])} ${topic.replace(/-/g, ' ')} ${random.pick(['workflows', 'out of the box', 'integration', 'with sane defaults', 'at scale'])}`);
  }
  return items.join('\n');
}

/** The README's markdown text, or null when the repository has none. */
export function readmeMarkdown(repo, seed) {
  if (!repo.readme) return null;
  const random = new Random(`readme:${seed}:${repo.id}:${repo.version}`);
  const title = repo.name;
  const parts = [];
  if (random.chance(0.2)) parts.push(`<p align="center">\n  <img src="https://raw.githubusercontent.com/${repo.fullName}/${repo.defaultBranch}/docs/logo.png" width="200" alt="${title} logo">\n</p>\n`);
  parts.push(`# ${title}\n`);
  const badgeLines = badges(random, repo);
  if (badgeLines.length) parts.push(`${badgeLines.join('\n')}\n`);
  if (repo.description) parts.push(`> ${repo.description}\n`);
  if (random.chance(0.8)) parts.push(`## Features\n\n${features(random, repo)}\n`);
  const install = INSTALL[repo.language];
  if (install && random.chance(0.85)) {
    parts.push(`## Installation\n\n\`\`\`bash\n${install(packageName(repo), repo.fullName)}\n\`\`\`\n`);
  }
  if (random.chance(0.7)) {
    const lang = (repo.language ?? 'text').toLowerCase().replace('jupyter notebook', 'python');
    parts.push(`## Usage\n\n\`\`\`${lang}\n// ${repo.name}: quick start\nconst client = create("${repo.owner.login}");\nclient.run({ verbose: true, path: "C:\\\\data\\\\in" });\n\`\`\`\n`);
  }
  // Some READMEs are long (docs in the README): repeat reference sections.
  const extra = random.chance(0.1) ? random.int(10, 60) : random.int(0, 2);
  for (let i = 0; i < extra; i++) {
    parts.push(`### Option \`${random.chars(8)}\`\n\n| Name | Type | Default | Description |\n|------|------|---------|-------------|\n` +
      `| \`${random.chars(6)}\` | \`string\` | \`"${random.chars(4)}"\` | ${random.pick(['Sets the mode.', 'Enables caching.', 'Timeout in ms.', 'Log level: "debug" | "info".'])} |\n` +
      `| \`${random.chars(5)}\` | \`number\` | \`${random.int(0, 1000)}\` | Limits the ${random.pick(['retries', 'workers', 'batch size'])}. |\n`);
  }
  if (repo.community.contributing) parts.push('## Contributing\n\nPull requests are welcome. See [CONTRIBUTING.md](CONTRIBUTING.md).\n');
  if (repo.license) parts.push(`## License\n\n[${repo.license.spdx_id}](LICENSE) © ${repo.owner.login}\n`);
  return parts.join('\n');
}
