// The `tollgate` command tree: Hydra's command names where they exist (serve, migrate sql, janitor, create
// client, …, version). Every module registered here imports only commander (and types); a command's action
// imports what it needs when it runs, so `version`, `--help` and the client commands load nothing of the server.
import { Command, Option } from 'commander';
import { VERSION } from '../version.js';
import { registerClientCommands } from './client-commands.js';
import { addExamples, examples } from './examples.js';
import { registerJanitor } from './janitor.js';
import { registerJwkCommands } from './jwk-commands.js';
import { registerMigrate } from './migrate.js';
import { registerSecrets } from './secrets.js';
import { registerServe } from './serve.js';
import { registerTerraform } from './terraform.js';
import { registerTokenCommands } from './token-commands.js';

export function buildProgram(): Command {
  const program = new Command('tollgate')
    .description('Tollgate: an OAuth 2.0 server for machine-to-machine auth, wire-compatible with Ory Hydra')
    .version(VERSION, '--version', 'print the version')
    .showHelpAfterError()
    // Commander's errors (exit code 2) and --help/--version (0) are thrown to the entry point, which exits.
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text) });

  registerServe(program);
  registerMigrate(program);
  registerJanitor(program);
  registerClientCommands(program);
  registerJwkCommands(program);
  registerTokenCommands(program);
  registerSecrets(program);
  registerTerraform(program);
  examples(
    program
      .command('version')
      .description('print the version')
      .action(() => {
        process.stdout.write(`${VERSION}\n`);
      }),
    'tollgate version',
    'tollgate --version',
  );

  program.addOption(
    new Option('--no-color', 'accepted for compatibility with Hydra; output is never coloured').hideHelp(),
  );
  examples(
    program,
    'tollgate serve all --dev',
    'tollgate migrate sql -e --yes',
    'tollgate create client -e http://127.0.0.1:4445 --grant-type client_credentials --scope read',
    'tollgate perform client-credentials -e http://127.0.0.1:4444 --client-id <id> --client-secret <secret>',
    'tollgate help create',
  );
  addExamples(program);
  return program;
}
