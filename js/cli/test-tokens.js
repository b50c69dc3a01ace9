// `node test-tokens.js`: shows which tokens the configuration yields, masked. Checking
// each against GitHub (login, quotas, shared users) arrives with the fetch engine.
import { loadTokens, maskToken } from '../../binding/index.js';
import { loadDotEnv } from '../config/env.js';
import { CliError, EXIT_OK } from './errors.js';

function load() {
  try {
    return loadTokens(process.env);
  } catch (err) {
    if (err.code === 'E_NO_TOKEN') throw new CliError(err.message, { code: err.code });
    throw err;
  }
}

export default {
  name: 'test-tokens.js',
  synopsis: 'node test-tokens.js [options]',
  description:
    'List the GitHub tokens of the configuration (masked) and the problems found in it.\n' +
    'Checking each token against GitHub (login, core and search quota, shared users)\n' +
    'arrives with the fetch engine.',
  options: {
    json: { type: 'boolean', description: 'Print one JSON object on stdout' },
  },
  notes: [
    'Tokens: GITHUB_TOKENS (comma- or whitespace-separated), else GITHUB_TOKEN, else',
    'GITHUB_TOKENS_FILE (one or more per line, # comments); .env in the working directory is read.',
    '',
    'Exit status: 0 tokens found, 1 no token, 2 usage error.',
  ],
  async run({ json }) {
    loadDotEnv();
    const list = load();
    const tokens = list.tokens.map((token, index) => ({ id: `Token #${index + 1}`, mask: maskToken(token) }));
    if (json) {
      process.stdout.write(
        `${JSON.stringify({ source: list.source, tokens, warnings: list.warnings, checked: false })}\n`,
      );
      return EXIT_OK;
    }
    for (const warning of list.warnings) process.stderr.write(`warning: ${warning}\n`);
    const count = tokens.length === 1 ? '1 token' : `${tokens.length} tokens`;
    const lines = [`${count} from ${list.source}:`, ...tokens.map(({ id, mask }) => `  ${id}  ${mask}`)];
    lines.push('Not checked against GitHub yet: that arrives with the fetch engine.');
    process.stdout.write(`${lines.join('\n')}\n`);
    return EXIT_OK;
  },
};
