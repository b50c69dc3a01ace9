// `npm run demo`: the whole product against the project's GitHub simulator, with no
// token and no server. For now it shows what is built and what comes next.
import { formatVersion } from '../binding/index.js';
import { runCommand } from './cli/run.js';
import { EXIT_OK } from './cli/errors.js';

const demo = {
  name: 'demo.js',
  synopsis: 'npm run demo',
  description: 'Run the ingest job against the built-in GitHub simulator, with no token and no server.',
  options: {},
  async run() {
    process.stdout.write(
      [
        formatVersion(),
        '',
        'The native addon is built and loads. The demo itself (a GitHub simulator with ten',
        'tokens, the ingest job filling an embedded PostgreSQL, then check-status) arrives',
        'with the fetch engine and ingest issues.',
        '',
        'Meanwhile: `node test-tokens.js` lists the tokens of your configuration (masked),',
        'and `npm test` runs the C++ and JS tests.',
        '',
      ].join('\n'),
    );
    return EXIT_OK;
  },
};

await runCommand(demo);
