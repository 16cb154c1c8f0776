// What `tollgate migrate sql up|down|status` does, with Knex against PostgreSQL. Loaded only when one runs.
import { createInterface } from 'node:readline/promises';
import type { Knex } from 'knex';
import { migrationStatus, migratorConfig } from '../storage/knex.js';
import type { MigrateOptions } from './migrate.js';
import { postgresAt } from './postgres.js';
import { UsageError } from './usage-error.js';

const RUN = { up, down, status } satisfies Record<
  string,
  (knex: Knex, options: MigrateOptions) => Promise<void>
>;

export function migrate(direction: keyof typeof RUN, dsn: string | undefined, options: MigrateOptions) {
  return withKnex(dsn, options, (knex) => RUN[direction](knex, options));
}

async function withKnex(
  dsn: string | undefined,
  options: MigrateOptions,
  run: (knex: Knex) => Promise<void>,
) {
  const url = options.readFromEnv ? process.env.DSN : dsn;
  if (!url) {
    throw new UsageError(
      options.readFromEnv
        ? 'the DSN environment variable is not set'
        : 'give the database URL as an argument, or -e to read it from DSN',
    );
  }
  // The embedded database (DSN unset or "memory") is migrated by `serve` itself.
  await postgresAt(
    url,
    'migrations need a postgres:// DSN; the embedded database migrates itself on start',
  )(run);
}

async function confirm(question: string, yes: boolean | undefined): Promise<boolean> {
  if (yes) return true;
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await rl.question(`${question} [y/n]: `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

async function up(knex: Knex, options: MigrateOptions) {
  const { pending } = await migrationStatus(knex);
  if (pending.length === 0) {
    process.stdout.write('All migrations are already applied, there is nothing to do.\n');
    return;
  }
  process.stdout.write(`Pending migrations:\n${pending.map((m) => `  ${m}`).join('\n')}\n`);
  if (!(await confirm('Do you want to apply above planned migrations?', options.yes))) {
    process.stdout.write('Migration aborted.\n');
    return;
  }
  const [, applied] = (await knex.migrate.latest(migratorConfig())) as [number, string[]];
  process.stdout.write(`Applied ${applied.length} migration(s). Successfully applied migrations!\n`);
}

async function down(knex: Knex, options: MigrateOptions) {
  const steps = Number(options.steps ?? '1');
  if (!Number.isInteger(steps) || steps < 1) throw new UsageError('--steps must be a positive integer');
  const { applied } = await migrationStatus(knex);
  const target = applied.slice(-steps).reverse();
  if (target.length === 0) {
    process.stdout.write('No migrations are applied, there is nothing to roll back.\n');
    return;
  }
  process.stdout.write(`Migrations to roll back:\n${target.map((m) => `  ${m}`).join('\n')}\n`);
  if (!(await confirm('Do you really want to roll back these migrations?', options.yes))) {
    process.stdout.write('Rollback aborted.\n');
    return;
  }
  for (let i = 0; i < target.length; i++) await knex.migrate.down(migratorConfig());
  process.stdout.write(`Rolled back ${target.length} migration(s).\n`);
}

async function status(knex: Knex) {
  const { applied, pending } = await migrationStatus(knex);
  const rows = [...applied.map((m) => [m, 'Applied']), ...pending.map((m) => [m, 'Pending'])];
  const width = Math.max(9, ...rows.map(([m]) => m!.length));
  process.stdout.write(`${'Migration'.padEnd(width)}  Status\n`);
  for (const [m, s] of rows) process.stdout.write(`${m!.padEnd(width)}  ${s}\n`);
  if (pending.length > 0) process.stdout.write(`${pending.length} migration(s) pending.\n`);
}
