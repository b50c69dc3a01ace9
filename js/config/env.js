// Reads `.env` from the working directory into process.env, if the file exists.
// Variables already set in the environment win, as with `node --env-file`.
import fs from 'node:fs';
import path from 'node:path';

import { CliError } from '../cli/errors.js';

// process.loadEnvFile arrived in Node 20.12; Node 20.6 to 20.11 get this small reader
// (KEY=VALUE lines, optional `export `, quotes, '#' comments).
function parseEnvText(text) {
  const variables = {};
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([\w.-]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match) continue;
    let value = match[2];
    const quote = value[0];
    if ((quote === '"' || quote === "'" || quote === '`') && value.endsWith(quote) && value.length > 1) {
      value = value.slice(1, -1);
      if (quote === '"') value = value.replace(/\\n/g, '\n');
    } else {
      value = value.replace(/\s+#.*$/, '');
    }
    variables[match[1]] = value;
  }
  return variables;
}

/**
 * Loads `<dir>/.env` into process.env when present. Returns the path loaded, or null.
 * @param {string} [dir=process.cwd()]
 */
export function loadDotEnv(dir = process.cwd()) {
  const file = path.join(dir, '.env');
  if (!fs.existsSync(file)) return null;
  try {
    if (typeof process.loadEnvFile === 'function') {
      process.loadEnvFile(file);
    } else {
      for (const [name, value] of Object.entries(parseEnvText(fs.readFileSync(file, 'utf8')))) {
        if (process.env[name] === undefined) process.env[name] = value;
      }
    }
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${err.message.split('\n')[0]}`);
  }
  return file;
}
