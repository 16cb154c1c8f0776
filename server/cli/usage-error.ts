// The CLI's exit codes: 2 for a usage error (commander's own, or input the CLI refuses after parsing), 1 for an
// error from the server, the database or the network, 0 otherwise.
import { CommanderError } from 'commander';

/** A mistake in how the command was called: a missing URL, a malformed flag value, an unreadable input file. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function exitCodeOf(err: unknown): number {
  // Commander has printed its own message; --help and --version end with exit code 0.
  if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
  return err instanceof UsageError ? 2 : 1;
}
