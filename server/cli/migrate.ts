// `tollgate migrate sql up|down|status [-e] [--yes] [DSN]`, as `hydra migrate sql`; migrate-action.ts runs them.
import type { Command } from 'commander';
import { examples } from './examples.js';

export interface MigrateOptions {
  readFromEnv?: boolean;
  yes?: boolean;
  steps?: string;
}

export function registerMigrate(program: Command) {
  const migrate = program.command('migrate').description('manage the database schema');
  const sql = migrate
    .command('sql')
    .description('SQL migrations for PostgreSQL (without up|down|status: up)');
  const common = (cmd: Command, direction: 'up' | 'down' | 'status') =>
    cmd
      .argument('[dsn]', 'database URL, e.g. postgres://user:pw@host:5432/db?sslmode=disable')
      .option('-e, --read-from-env', 'read the database URL from the DSN environment variable')
      .option('-y, --yes', 'apply without asking for confirmation')
      .action(async (dsn: string | undefined, options: MigrateOptions) =>
        (await import('./migrate-action.js')).migrate(direction, dsn, options),
      );

  // Hydra's Kubernetes chart runs `hydra migrate sql -e --yes`, without `up`: `up` is the default subcommand.
  examples(
    common(sql.command('up', { isDefault: true }).description('apply all pending migrations'), 'up'),
    'tollgate migrate sql up -e --yes',
    "# the form Hydra's Kubernetes chart runs: without up|down|status, migrate sql means up",
    'tollgate migrate sql -e --yes',
    'tollgate migrate sql up postgres://tollgate:secret@db:5432/tollgate?sslmode=disable',
  );
  examples(
    common(sql.command('down').description('roll back the most recent migrations'), 'down').option(
      '--steps <n>',
      'how many migrations to roll back',
      '1',
    ),
    'tollgate migrate sql down -e --yes --steps 2',
  );
  examples(
    common(sql.command('status').description('show applied and pending migrations'), 'status'),
    'tollgate migrate sql status -e',
  );
  examples(sql, 'tollgate migrate sql -e --yes', 'tollgate migrate sql status -e');
  examples(migrate, 'tollgate migrate sql up -e --yes', 'tollgate migrate sql status -e');
}
