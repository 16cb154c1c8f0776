// What `tollgate janitor` does: delete expired tokens and codes (--tokens), inactive login/consent requests
// (--requests) and expired jwt-bearer trust relationships (--grants) in batches. Loaded only when it runs.
import { parseDurationMs } from '../../sdk/duration.js';
import { deleteExpiredTokens, deleteInactiveRequests } from '../storage/pg-janitor.js';
import { deleteExpiredTrust } from '../storage/pg-trust-store.js';
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

/** An instant `flag` ago, or undefined when the flag is not given. */
const agoOf = (now: Date, name: string, value: string | undefined) =>
  value === undefined ? undefined : new Date(now.getTime() - durationMs(name, value));

export async function janitor(dsn: string | undefined, flags: JanitorFlags) {
  if (!flags.tokens && !flags.requests && !flags.grants) {
    throw new UsageError('Janitor requires at least one of --tokens, --requests or --grants to be set');
  }
  const limit = positive('limit', flags.limit);
  const batchSize = positive('batch-size', flags.batchSize);
  const now = new Date();
  const keepAfter = agoOf(now, 'keep-if-younger', flags.keepIfYounger ?? '0s');
  const accessBefore = agoOf(now, 'access-lifespan', flags.accessLifespan);
  const refreshBefore = agoOf(now, 'refresh-lifespan', flags.refreshLifespan);
  // Hydra reads ttl.login_consent_request from its configuration, which the environment can set.
  const requestTtlMs = flags.requests
    ? durationMs(
        'consent-request-lifespan',
        flags.consentRequestLifespan ?? process.env.TTL_LOGIN_CONSENT_REQUEST ?? '30m',
      )
    : 0;
  const url = flags.readFromEnv ? process.env.DSN : dsn;
  const withDatabase = postgresAt(
    url,
    'give a postgres:// database URL as an argument, or -e to read it from DSN',
  );
  await withDatabase(async (knex) => {
    if (flags.tokens) {
      const deleted = await deleteExpiredTokens(knex, {
        batchSize,
        limit,
        now,
        keepIssuedAfter: keepAfter,
        ...(accessBefore ? { expireIssuedBefore: accessBefore } : {}),
        ...(refreshBefore ? { expireRefreshIssuedBefore: refreshBefore } : {}),
      });
      process.stdout.write(
        `Deleted ${deleted.accessTokens} expired access token(s).\n` +
          `Deleted ${deleted.refreshTokens} expired refresh token(s) and ${deleted.codes} authorization code(s).\n`,
      );
    }
    if (flags.requests) {
      const deleted = await deleteInactiveRequests(knex, {
        batchSize,
        limit,
        now,
        requestTtlMs,
        keepRequestedAfter: keepAfter,
      });
      process.stdout.write(
        `Deleted ${deleted.flows} inactive login/consent request(s) and ${deleted.loginSessions} expired login session(s).\n`,
      );
    }
    if (flags.grants) {
      // Hydra deletes relationships that expired before --keep-if-younger ago (now by default).
      const deleted = await deleteExpiredTrust(knex, { before: keepAfter ?? now, limit });
      process.stdout.write(`Deleted ${deleted} expired jwt-bearer trust relationship(s).\n`);
    }
  });
}
