// Reads a command's options with util.parseArgs (strict) and renders its --help from the
// same definitions, so the usage text cannot drift from what is accepted.
//
// A command is a plain object: {name, synopsis, description, options, notes, run}. Each
// option: {type: 'string'|'boolean', value: 'N' (shown in help), default, description,
// parse(value, name)}. --help and --version are added to every command.
import { parseArgs } from 'node:util';

import { UsageError } from './errors.js';

const COMMON_OPTIONS = {
  help: { type: 'boolean', description: 'Show this help and exit' },
  version: { type: 'boolean', description: 'Show the version of gh-ingest and its libraries and exit' },
};

function allOptions(command) {
  return { ...command.options, ...COMMON_OPTIONS };
}

// parseArgs' messages are long and suggest `--` tricks; keep the first clause.
function usageErrorFrom(err) {
  const quoted = /'([^']+)'/.exec(err.message)?.[1];
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return new UsageError(`unknown option ${quoted ?? ''} (see --help)`.replace('  ', ' '));
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return new UsageError(`unexpected argument '${quoted ?? ''}' (options look like --name=value; see --help)`);
    default:
      return new UsageError(`${err.message.charAt(0).toLowerCase()}${err.message.split('. ')[0].slice(1)} (see --help)`);
  }
}

/**
 * Parses `argv` against the command's options. Returns the values with defaults applied
 * and each option's `parse` run; throws a UsageError on anything else.
 */
export function parseCommandLine(command, argv) {
  const options = allOptions(command);
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: Object.fromEntries(
        Object.entries(options).map(([name, option]) => [name, { type: option.type }]),
      ),
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    if (String(err.code).startsWith('ERR_PARSE_ARGS')) throw usageErrorFrom(err);
    throw err;
  }
  if (values.help || values.version) return values;
  const parsed = {};
  for (const [name, option] of Object.entries(options)) {
    const raw = values[name] ?? option.default;
    if (raw === undefined) continue;
    parsed[name] = option.parse && typeof raw === 'string' ? option.parse(raw, name) : raw;
  }
  return parsed;
}

/** The --help text of a command. */
export function usage(command) {
  const options = allOptions(command);
  const rows = Object.entries(options).map(([name, option]) => {
    const left = option.type === 'string' ? `--${name}=${option.value ?? 'VALUE'}` : `--${name}`;
    const right = option.default === undefined ? option.description : `${option.description} (default: ${option.default})`;
    return [left, right];
  });
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  const lines = [
    `Usage: ${command.synopsis}`,
    '',
    command.description,
    '',
    'Options:',
    ...rows.map(([left, right]) => `  ${left.padEnd(width)}${right}`),
  ];
  if (command.notes?.length) lines.push('', ...command.notes);
  return `${lines.join('\n')}\n`;
}
