// `tollgate janitor [DSN] --tokens [--limit N] [--batch-size N] [--keep-if-younger D] [-e]`, as `hydra janitor`:
// deletes expired access tokens in batches. Tollgate keeps no login/consent requests or trust grants, so
// `--requests` and `--grants` have nothing to clean; they are accepted for scripts written for Hydra.
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { parseDuration } from '../clients/duration.js';
import { parsePostgresDsn } from '../storage/dsn.js';
import { createKnex } from '../storage/knex.js';
import { deleteExpiredTokens } from '../storage/pg-janitor.js';

interface JanitorFlags {
  tokens?: boolean;
  requests?: boolean;
  grants?: boolean;
  limit: string;
  batchSize: string;
  keepIfYounger?: string;
  accessLifespan?: string;
  readFromEnv?: boolean;
}

const positive = (name: string, value: string) => {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new Error(`--${name} must be a positive integer`);
  return Number(value);
};

const durationMs = (name: string, value: string) => {
  try {
    return Number(parseDuration(value)) / 1e6;
  } catch {
    throw new Error(`--${name} must be a duration such as 1h or 30m`);
  }
};

export function registerJanitor(program: Command) {
  program
    .command('janitor')
    .description('delete expired access tokens from the database, in batches')
    .argument('[dsn]', 'database URL (postgres://…)')
    .option('--tokens', 'delete expired access tokens')
    .option('--requests', 'accepted for Hydra compatibility (Tollgate keeps no login/consent requests)')
    .option('--grants', 'accepted for Hydra compatibility (Tollgate keeps no trust grants)')
    .option('--limit <n>', 'most rows deleted in this run', '100000')
    .option('--batch-size <n>', 'rows per DELETE statement', '100')
    .option('--keep-if-younger <duration>', 'keep tokens issued within this duration, even when expired')
    .option('--access-lifespan <duration>', 'also delete tokens issued longer ago than this')
    .option('-e, --read-from-env', 'read the database URL from the DSN environment variable')
    .action(async (dsn: string | undefined, flags: JanitorFlags) => {
      if (!flags.tokens && !flags.requests && !flags.grants) {
        throw new Error('Janitor requires at least one of --tokens, --requests or --grants to be set');
      }
      const limit = positive('limit', flags.limit);
      const batchSize = positive('batch-size', flags.batchSize);
      const now = new Date();
      const keep = flags.keepIfYounger ? durationMs('keep-if-younger', flags.keepIfYounger) : 0;
      const lifespan = flags.accessLifespan ? durationMs('access-lifespan', flags.accessLifespan) : undefined;
      const url = flags.readFromEnv ? process.env.DSN : dsn;
      if (!url || !/^postgres(ql)?:\/\//.test(url)) {
        throw new Error('give a postgres:// database URL as an argument, or -e to read it from DSN');
      }
      if (!flags.tokens) {
        process.stdout.write('Nothing to clean: Tollgate keeps no login/consent requests or trust grants.\n');
        return;
      }
      const knex = createKnex(parsePostgresDsn(url, availableParallelism()));
      try {
        const deleted = await deleteExpiredTokens(knex, {
          batchSize,
          limit,
          now,
          keepIssuedAfter: new Date(now.getTime() - keep),
          ...(lifespan !== undefined ? { expireIssuedBefore: new Date(now.getTime() - lifespan) } : {}),
        });
        process.stdout.write(`Deleted ${deleted} expired access token(s).\n`);
      } finally {
        await knex.destroy();
      }
    });
}
