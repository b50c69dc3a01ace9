// The single exit path of every command: parse the command line, answer --help and
// --version, run the command, and turn any error into one line on stderr and an exit
// status. Nothing here calls process.exit(): pending output is flushed first.
import path from 'node:path';

import { formatVersion } from '../../binding/index.js';
import { EXIT_FAILED, EXIT_OK } from './errors.js';
import { parseCommandLine, usage } from './command-line.js';

function reportError(command, err) {
  const program = path.basename(command.name, '.js');
  // Our own errors carry a message meant for the user. The addon's load error spans a
  // few lines on purpose (causes and solutions); everything else is cut to one line.
  const message = err.code === 'E_ADDON_LOAD' ? err.message : String(err.message ?? err).split('\n')[0];
  process.stderr.write(`${program}: ${message}\n`);
  if (process.env.GH_INGEST_DEBUG && err.stack) process.stderr.write(`${err.stack}\n`);
  return Number.isInteger(err.exitCode) ? err.exitCode : EXIT_FAILED;
}

/**
 * Runs `command` with `argv` (default: this process's arguments) and sets
 * process.exitCode. Resolves once the command has finished.
 */
export async function runCommand(command, argv = process.argv.slice(2)) {
  let exitCode;
  try {
    const values = parseCommandLine(command, argv);
    if (values.help) {
      process.stdout.write(usage(command));
      exitCode = EXIT_OK;
    } else if (values.version) {
      process.stdout.write(`${formatVersion()}\n`);
      exitCode = EXIT_OK;
    } else {
      exitCode = (await command.run(values)) ?? EXIT_OK;
    }
  } catch (err) {
    exitCode = reportError(command, err);
  }
  process.exitCode = exitCode;
  return exitCode;
}
