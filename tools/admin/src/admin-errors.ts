/** Exit codes: 0 done, 1 the API refused or could not be reached, 2 the command line is wrong. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** The command line cannot be used (exit 2); the message names the argument. */
export class UsageError extends Error {
  readonly exitCode = EXIT_USAGE;
}

/** The API answered with an error or did not answer (exit 1). */
export class CommandError extends Error {
  readonly exitCode = EXIT_FAILED;
}
