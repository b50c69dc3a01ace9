// Storage failures the CLI reports as one line (exit 1), and the masking that keeps
// secrets out of them.
import { CliError } from '../cli/errors.js';

/** Storage cannot be reached or used: the run stops before any GitHub request. */
export class StorageError extends CliError {
  constructor(message, { code = 'E_STORAGE', cause } = {}) {
    super(message, { code });
    this.name = 'StorageError';
    if (cause) this.cause = cause;
  }
}

/** A connection string or URL with its password (and any query secrets) hidden. */
export function maskUrl(text) {
  try {
    const url = new URL(text);
    if (url.password) url.password = '***';
    for (const key of [...url.searchParams.keys()]) {
      if (/pass|key|secret|token/i.test(key)) url.searchParams.set(key, '***');
    }
    return url.toString();
  } catch {
    return '(unparsable URL)';
  }
}

/** The first line of an error's message, with `secrets` (if any) replaced by ***. */
export function firstLine(err, secrets = []) {
  let message = String(err?.message || err?.code || err || 'unknown error').split('\n')[0];
  for (const secret of secrets) if (secret) message = message.replaceAll(secret, '***');
  return message;
}
