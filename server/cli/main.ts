// The `tollgate` command: Hydra's command names where they exist (serve, migrate sql, version).
import { Command, Option } from 'commander';
import { VERSION } from '../version.js';
import { registerJanitor } from './janitor.js';
import { registerMigrate } from './migrate.js';
import { registerRemoteCommands } from './remote-commands.js';
import { registerSecrets } from './secrets.js';
import { registerServe } from './serve.js';
import { registerTerraform } from './terraform.js';

const program = new Command('tollgate')
  .description('Tollgate: an OAuth 2.0 server for machine-to-machine auth, wire-compatible with Ory Hydra')
  .showHelpAfterError()
  .configureOutput({ outputError: (text, write) => write(text) });

registerServe(program);
registerMigrate(program);
registerJanitor(program);
registerRemoteCommands(program);
registerSecrets(program);
registerTerraform(program);
program
  .command('version')
  .description('print the version')
  .action(() => {
    process.stdout.write(`${VERSION}\n`);
  });

program.addOption(
  new Option('--no-color', 'accepted for compatibility with Hydra; output is never coloured').hideHelp(),
);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.stderr.write(`tollgate: ${(err as Error).message}\n`);
  process.exit(1);
}
