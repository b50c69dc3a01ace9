// The words the corpus is made of: topic families (so that realistic cluster queries
// such as topic:llm or language:rust match many repositories), languages, licenses and
// name parts. Data only.

/**
 * Topic families. `weight` is the share of repositories whose main subject it is;
 * `languages` are [name, weight] pairs for their primary language (null: none).
 */
export const FAMILIES = [
  {
    name: 'ai_ml', weight: 16,
    topics: ['machine-learning', 'deep-learning', 'llm', 'artificial-intelligence', 'pytorch', 'tensorflow',
      'nlp', 'computer-vision', 'transformers', 'generative-ai', 'langchain', 'rag', 'chatgpt', 'openai',
      'data-science', 'neural-network', 'reinforcement-learning', 'stable-diffusion', 'huggingface', 'ai-agents'],
    languages: [['Python', 60], ['Jupyter Notebook', 14], ['TypeScript', 8], ['C++', 6], ['Rust', 4], ['Go', 3], [null, 5]],
    nouns: ['model', 'agent', 'trainer', 'inference', 'embeddings', 'gpt', 'llama', 'vision', 'chat', 'rag', 'bench', 'notebooks'],
  },
  {
    name: 'web', weight: 18,
    topics: ['react', 'nextjs', 'vue', 'svelte', 'angular', 'javascript', 'typescript', 'tailwindcss', 'nodejs',
      'frontend', 'webpack', 'vite', 'graphql', 'express', 'css', 'html', 'web', 'ssr', 'remix', 'astro'],
    languages: [['TypeScript', 40], ['JavaScript', 32], ['Vue', 8], ['HTML', 5], ['CSS', 4], ['Svelte', 3], ['PHP', 4], [null, 4]],
    nouns: ['app', 'dashboard', 'starter', 'ui', 'components', 'router', 'store', 'admin', 'landing', 'hooks', 'template', 'blog'],
  },
  {
    name: 'devops', weight: 11,
    topics: ['kubernetes', 'docker', 'terraform', 'ansible', 'helm', 'devops', 'ci-cd', 'gitops', 'prometheus',
      'aws', 'infrastructure-as-code', 'monitoring', 'grafana', 'k8s', 'cloud-native', 'observability', 'argocd'],
    languages: [['Go', 40], ['HCL', 14], ['Shell', 14], ['Python', 14], ['Dockerfile', 5], ['Rust', 4], [null, 9]],
    nouns: ['operator', 'controller', 'charts', 'infra', 'deploy', 'pipeline', 'exporter', 'cluster', 'modules', 'runner'],
  },
  {
    name: 'data', weight: 9,
    topics: ['data-engineering', 'etl', 'apache-spark', 'airflow', 'kafka', 'dbt', 'data-pipeline', 'big-data',
      'sql', 'postgresql', 'analytics', 'data-warehouse', 'duckdb', 'streaming', 'elt'],
    languages: [['Python', 46], ['Scala', 10], ['Java', 14], ['Go', 8], ['SQL', 6], ['Rust', 6], [null, 10]],
    nouns: ['pipeline', 'connector', 'warehouse', 'lake', 'ingest', 'stream', 'sync', 'loader', 'catalog', 'flow'],
  },
  {
    name: 'security', weight: 8,
    topics: ['security', 'penetration-testing', 'ctf', 'vulnerability', 'cybersecurity', 'malware-analysis',
      'osint', 'hacking', 'fuzzing', 'cryptography', 'red-team', 'bug-bounty', 'pentest', 'infosec'],
    languages: [['Python', 36], ['Go', 20], ['C', 12], ['Rust', 10], ['PowerShell', 5], ['Shell', 7], [null, 10]],
    nouns: ['scanner', 'fuzzer', 'recon', 'exploit', 'audit', 'vault', 'detector', 'sandbox', 'toolkit', 'sniffer'],
  },
  {
    name: 'mobile', weight: 9,
    topics: ['android', 'ios', 'flutter', 'react-native', 'kotlin', 'swift', 'swiftui', 'jetpack-compose',
      'mobile', 'dart', 'android-app', 'ios-app', 'xcode', 'kotlin-multiplatform'],
    languages: [['Kotlin', 28], ['Swift', 24], ['Dart', 18], ['Java', 14], ['TypeScript', 8], ['Objective-C', 4], [null, 4]],
    nouns: ['app', 'sdk', 'widgets', 'camera', 'player', 'kit', 'navigation', 'charts', 'sample', 'wallet'],
  },
  {
    name: 'gamedev', weight: 7,
    topics: ['gamedev', 'unity', 'game-engine', 'godot', 'unreal-engine', 'opengl', 'vulkan', 'game',
      'pixel-art', 'unity3d', 'game-development', 'bevy', 'roguelike', 'shaders'],
    languages: [['C#', 34], ['C++', 26], ['GDScript', 10], ['Rust', 10], ['Lua', 6], ['JavaScript', 6], [null, 8]],
    nouns: ['engine', 'game', 'renderer', 'physics', 'shader', 'tilemap', 'ecs', 'sprites', 'quest', 'arena'],
  },
  {
    name: 'blockchain', weight: 6,
    topics: ['blockchain', 'ethereum', 'solidity', 'web3', 'smart-contracts', 'defi', 'nft', 'bitcoin',
      'solana', 'cryptocurrency', 'evm', 'dapp', 'hardhat', 'foundry'],
    languages: [['Solidity', 30], ['TypeScript', 26], ['Rust', 18], ['Go', 12], ['JavaScript', 8], [null, 6]],
    nouns: ['contracts', 'wallet', 'bridge', 'dex', 'indexer', 'node', 'vault', 'token', 'explorer', 'oracle'],
  },
  {
    name: 'systems', weight: 10,
    topics: ['rust', 'cli', 'embedded', 'linux', 'operating-system', 'compiler', 'webassembly', 'performance',
      'database', 'golang', 'networking', 'kernel', 'async', 'terminal', 'c', 'cpp', 'zig'],
    languages: [['Rust', 34], ['C', 18], ['C++', 20], ['Go', 18], ['Zig', 4], ['Assembly', 2], [null, 4]],
    nouns: ['cli', 'kernel', 'db', 'compiler', 'runtime', 'parser', 'allocator', 'shell', 'fs', 'proxy', 'vm'],
  },
  {
    name: 'misc', weight: 6,
    topics: ['awesome', 'awesome-list', 'dotfiles', 'documentation', 'tutorial', 'hacktoberfest', 'productivity',
      'learning', 'interview', 'books', 'cheatsheet', 'resources', 'list', 'neovim', 'vim'],
    languages: [[null, 40], ['Shell', 12], ['Lua', 10], ['Python', 10], ['Vim Script', 6], ['Ruby', 8], ['Java', 8], ['C#', 6]],
    nouns: ['awesome', 'dotfiles', 'notes', 'guide', 'handbook', 'resources', 'config', 'snippets', 'course', 'list'],
  },
];

/** Topics that go with any family. */
export const GENERIC_TOPICS = ['open-source', 'hacktoberfest', 'library', 'framework', 'api', 'tool', 'cli',
  'python', 'javascript', 'typescript', 'golang', 'rust', 'java', 'self-hosted', 'automation', 'sdk'];

/** Secondary languages a repository's languages endpoint may list next to its primary one. */
export const COMPANION_LANGUAGES = {
  Python: ['Shell', 'Dockerfile', 'Makefile', 'Jupyter Notebook', 'Cython', 'C'],
  TypeScript: ['JavaScript', 'CSS', 'HTML', 'SCSS', 'Shell'],
  JavaScript: ['HTML', 'CSS', 'TypeScript', 'Shell'],
  Go: ['Shell', 'Makefile', 'Dockerfile', 'HTML'],
  Rust: ['Shell', 'Python', 'C', 'Makefile'],
  'C++': ['C', 'CMake', 'Python', 'Shell'],
  C: ['Makefile', 'Assembly', 'Shell', 'C++'],
  Kotlin: ['Java', 'Shell'],
  Swift: ['Objective-C', 'Ruby', 'Shell'],
  'C#': ['ShaderLab', 'HLSL', 'C++'],
  Solidity: ['TypeScript', 'JavaScript', 'Shell'],
  Dart: ['Kotlin', 'Swift', 'C++', 'CMake', 'HTML'],
  Java: ['Kotlin', 'Shell', 'HTML'],
};

/** Licenses as GitHub's license object has them; node ids are GitHub's "07:License<n>". */
export const LICENSES = [
  ['mit', 'MIT License', 'MIT', 13, 34],
  ['apache-2.0', 'Apache License 2.0', 'Apache-2.0', 2, 18],
  ['gpl-3.0', 'GNU General Public License v3.0', 'GPL-3.0', 9, 8],
  ['bsd-3-clause', 'BSD 3-Clause "New" or "Revised" License', 'BSD-3-Clause', 5, 4],
  ['bsd-2-clause', 'BSD 2-Clause "Simplified" License', 'BSD-2-Clause', 4, 1.5],
  ['mpl-2.0', 'Mozilla Public License 2.0', 'MPL-2.0', 14, 1.5],
  ['agpl-3.0', 'GNU Affero General Public License v3.0', 'AGPL-3.0', 1, 2],
  ['lgpl-3.0', 'GNU Lesser General Public License v3.0', 'LGPL-3.0', 12, 1],
  ['unlicense', 'The Unlicense', 'Unlicense', 15, 1.5],
  ['isc', 'ISC License', 'ISC', 10, 1],
  ['other', 'Other', 'NOASSERTION', 0, 3.5],
].map(([key, name, spdx, n, weight]) => ({
  key, name, spdx_id: spdx,
  url: key === 'other' ? null : `https://api.github.com/licenses/${key}`,
  node_id: Buffer.from(`07:License${n}`).toString('base64'),
  weight,
}));

export const NAME_PREFIXES = ['awesome', 'fast', 'simple', 'tiny', 'open', 'super', 'hyper', 'go', 'py', 'rs',
  'react', 'vue', 'next', 'kube', 'cloud', 'auto', 'smart', 'mini', 'lite', 'deep', 'neo', 'quick', 'easy', 'micro'];

export const OWNER_WORDS = ['alex', 'sam', 'kai', 'mira', 'li', 'chen', 'wang', 'zhang', 'ivan', 'olga', 'lucas',
  'maria', 'noah', 'emma', 'yuki', 'hiro', 'ana', 'pedro', 'omar', 'fatima', 'dev', 'code', 'hack', 'byte',
  'pixel', 'data', 'cloud', 'labs', 'works', 'studio', 'team', 'org', 'io', 'hq', 'project', 'foundation',
  'nova', 'orbit', 'quantum', 'zen', 'atlas', 'apex', 'blue', 'red', 'green', 'dark', 'light', 'iron'];

/** Description fragments. Some are deliberately awkward for JSON and SQL: quotes, backslashes, emoji, CJK. */
export const DESCRIPTION_OPENERS = ['A', 'An opinionated', 'Blazing fast', 'Lightweight', 'Production-ready',
  'Experimental', 'Minimal', 'Modern', 'Self-hosted', 'Open-source', 'Simple', 'Type-safe', 'Zero-config'];

export const DESCRIPTION_FLAVOURS = [
  ' 🚀', ' ✨', ' 🦀', ' 🔥', ' ⚡️', ' 🤖', ' 📦', ' — now with "streaming" support',
  ' (use C:\\Program Files\\ on Windows)', ' | 轻量级、高性能', ' — für Entwickler', ' 日本語ドキュメントあり',
  ' with regex support like \\d+\\s*', " that 'just works'", ' <b>not</b> HTML', ' 👩‍💻👨‍💻', ' ☕', ' — Ünïcödé-safe',
  ' (\u00e9t\u00e9 2024)', ' \ttab\tseparated', ' 100% test coverage ✅', ' 🇺🇦',
];
