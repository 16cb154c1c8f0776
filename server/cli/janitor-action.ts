// What `tollgate janitor` does: delete expired access tokens in batches. Loaded only when it runs.
import { parseDurationMs } from '../../sdk/duration.js';
import { deleteExpiredTokens } from '../storage/pg-janitor.js';
import type { JanitorFlags } from './janitor.js';
import { postgresAt } from './postgres.js';
import { UsageError } from './usage-error.js';

const positive = (name: string, value: string) => {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`--${name} must be a positive integer`);
  return Number(value);
};

const durationMs = (name: string, value: string) => {
  try {
    return parseDurationMs(value);
  } catch {
    throw new UsageError(`--${name} must be a duration such as 1h or 30m`);
  }
};

export async function janitor(dsn: string | undefined, flags: JanitorFlags) {
  if (!flags.tokens && !flags.requests && !flags.grants) {
    throw new UsageError('Janitor requires at least one of --tokens, --requests or --grants to be set');
  }
  const limit = positive('limit', flags.limit);
  const batchSize = positive('batch-size', flags.batchSize);
  const now = new Date();
  const keep = flags.keepIfYounger ? durationMs('keep-if-younger', flags.keepIfYounger) : 0;
  const lifespan = flags.accessLifespan ? durationMs('access-lifespan', flags.accessLifespan) : undefined;
  const url = flags.readFromEnv ? process.env.DSN : dsn;
  const withDatabase = postgresAt(
    url,
    'give a postgres:// database URL as an argument, or -e to read it from DSN',
  );
  if (!flags.tokens) {
    process.stdout.write('Nothing to clean: Tollgate keeps no login/consent requests or trust grants.\n');
    return;
  }
  await withDatabase(async (knex) => {
    const deleted = await deleteExpiredTokens(knex, {
      batchSize,
      limit,
      now,
      keepIssuedAfter: new Date(now.getTime() - keep),
      ...(lifespan !== undefined ? { expireIssuedBefore: new Date(now.getTime() - lifespan) } : {}),
    });
    process.stdout.write(`Deleted ${deleted} expired access token(s).\n`);
  });
}
