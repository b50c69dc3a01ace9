// The exit statuses (README.md, Exit codes) and the two kinds of error a command
// reports on purpose: 1 failed, with one clear message; 2 usage error.
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
// The run finished, but some work is pending (repositories it could not fetch, search
// ranges it could not search): the next run does it first.
export const EXIT_INCOMPLETE = 3;
export const EXIT_INTERRUPTED = 130;

/** A failure with one clear line for the user (exit 1). */
export class CliError extends Error {
  constructor(message, { exitCode = EXIT_FAILED, code } = {}) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
    if (code) this.code = code;
  }
}

/** A bad command line: unknown option, malformed value (exit 2). */
export class UsageError extends CliError {
  constructor(message) {
    super(message, { exitCode: EXIT_USAGE, code: 'E_USAGE' });
    this.name = 'UsageError';
  }
}
