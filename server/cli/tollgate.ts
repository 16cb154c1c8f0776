// The `tollgate` executable's entry point: parse, run, and exit with 2 for a usage error, 1 for a failure
// (the server, the database or the network), 0 otherwise.
import { CommanderError } from 'commander';
import { buildProgram } from './program.js';
import { exitCodeOf } from './usage-error.js';

try {
  await buildProgram().parseAsync(process.argv);
} catch (err) {
  // Commander has already printed its own errors (and the help or version).
  if (!(err instanceof CommanderError)) process.stderr.write(`tollgate: ${(err as Error).message}\n`);
  process.exit(exitCodeOf(err));
}
