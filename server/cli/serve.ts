// `tollgate serve all|public|admin [--dev] [-c file]`, as `hydra serve`.
import { type Command, Option } from 'commander';
import { examples } from './examples.js';

export type ServeOptions = { dev?: boolean; config?: string; workers?: string };

const EXAMPLES = {
  all: [
    '# development: an embedded PostgreSQL, a generated system secret, http URLs allowed',
    'tollgate serve all --dev',
    'DSN=postgres://tollgate:secret@db:5432/tollgate SECRETS_SYSTEM=<16+ characters> tollgate serve all',
    'tollgate serve -c tollgate.yaml all --workers 2',
  ],
  public: ['tollgate serve public -c tollgate.yaml'],
  admin: ['tollgate serve admin -c tollgate.yaml'],
};

// Hydra's flags are persistent on `serve`, so `serve -c hydra.yml all --dev` (Hydra's quickstart) and
// `serve all --dev -c hydra.yml` both work; `--sqa-opt-out` (Hydra's telemetry opt-out) is accepted as a no-op.
const withServeOptions = (cmd: Command) =>
  cmd
    .option('--dev', 'development mode: allow http URLs, generate a system secret when none is set')
    .option('-c, --config <file>', 'configuration file (YAML or JSON, Hydra keys)')
    .option('--workers <n>', 'server processes sharing the ports (node:cluster); default 1')
    .addOption(
      new Option('--sqa-opt-out', 'accepted for Hydra compatibility; Tollgate sends no telemetry').hideHelp(),
    );

export function registerServe(program: Command) {
  const serve = withServeOptions(
    program.command('serve').description('serve the public (4444) and/or admin (4445) API'),
  );
  for (const role of ['all', 'public', 'admin'] as const) {
    const cmd = withServeOptions(
      serve
        .command(role)
        .description(role === 'all' ? 'serve the public and the admin API' : `serve only the ${role} API`),
    ).action(async (_options: unknown, command: Command) => {
      const { runServe } = await import('./serve-action.js');
      await runServe(role, command.optsWithGlobals<ServeOptions>());
    });
    examples(cmd, ...EXAMPLES[role]);
  }
}
