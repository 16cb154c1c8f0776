// Bounded storage: deletes expired rows in small batches, each its own short statement, so a large backlog never
// holds long locks or one huge transaction. SKIP LOCKED lets several replicas run it at the same time without
// waiting on each other. Tokens: access and refresh tokens, authorization codes (and expired entries of the
// stateless denylist), as Hydra's `janitor --tokens`; requests: login/consent flows that never completed or
// ended in an error, and expired login sessions, as its `--requests` (FlushInactiveLoginConsentRequests).
import type { Knex } from 'knex';
import { pg } from './pg-errors.js';

/**
 * Codes are kept this long past their expiry, used or not: a code replayed within it is still recognised as
 * reused, and its grant revoked (fosite's flow_authorize_code_token.go step 2; fosite keeps them 30 minutes too).
 */
export const CODE_KEPT_MS = 30 * 60_000;

export interface JanitorOptions {
  /** Rows per DELETE statement. */
  batchSize: number;
  /** Most rows deleted in this run, per kind of row. */
  limit: number;
  /** Rows issued after this instant are kept even when expired (Hydra's --keep-if-younger). */
  keepIssuedAfter?: Date;
  /** Access tokens issued before this instant count as expired whatever their expiry (--access-lifespan). */
  expireIssuedBefore?: Date;
  /** Refresh tokens issued before this instant count as expired whatever their expiry (--refresh-lifespan). */
  expireRefreshIssuedBefore?: Date;
  now?: Date;
}

export interface DeletedTokens {
  accessTokens: number;
  refreshTokens: number;
  codes: number;
}

/** `DELETE … WHERE <where>` in batches of at most batchSize rows, up to limit rows; the rows deleted. */
async function deleteInBatches(
  knex: Knex,
  table: string,
  key: string,
  where: string,
  bindings: readonly (Date | string | number)[],
  options: { batchSize: number; limit: number },
): Promise<number> {
  let deleted = 0;
  while (deleted < options.limit) {
    const size = Math.min(options.batchSize, options.limit - deleted);
    const n = await pg(async () => {
      const result = await knex.raw<{ rowCount: number }>(
        `DELETE FROM ${table} WHERE ${key} IN (
           SELECT ${key} FROM ${table} WHERE ${where} LIMIT ? FOR UPDATE SKIP LOCKED)`,
        [...bindings, size],
      );
      return result.rowCount;
    });
    deleted += n;
    if (n < size) break;
  }
  return deleted;
}

export async function deleteExpiredTokens(knex: Knex, options: JanitorOptions): Promise<DeletedTokens> {
  const now = options.now ?? new Date();
  const keepAfter = options.keepIssuedAfter ?? now;
  // Expired, or issued before the lifespan flag's instant, and not younger than --keep-if-younger. A refresh
  // token without expiry (ttl.refresh_token -1) goes only by --refresh-lifespan; a rotated one expires when its
  // reuse detection ends (pg-grant-store.ts).
  const expiredTokens = (table: string, issuedBefore = new Date(0)) =>
    deleteInBatches(
      knex,
      table,
      'signature',
      '(expires_at < ? OR requested_at < ?) AND requested_at < ?',
      [now, issuedBefore, keepAfter],
      options,
    );
  const accessTokens = await expiredTokens('oauth2_access_tokens', options.expireIssuedBefore);
  const refreshTokens = await expiredTokens('oauth2_refresh_tokens', options.expireRefreshIssuedBefore);
  const codes = await deleteInBatches(
    knex,
    'oauth2_authorization_codes',
    'signature',
    'expires_at < ? AND requested_at < ?',
    [new Date(now.getTime() - CODE_KEPT_MS), keepAfter],
    options,
  );
  // The denylist of stateless tokens and the used assertion ids only matter until they expire.
  for (const table of ['oauth2_revoked_stateless_tokens', 'oauth2_jti_seen']) {
    await deleteInBatches(knex, table, 'signature', 'expires_at < ?', [now], {
      batchSize: options.batchSize,
      limit: options.batchSize,
    });
  }
  return { accessTokens, refreshTokens, codes };
}

export interface RequestJanitorOptions {
  batchSize: number;
  limit: number;
  /** ttl.login_consent_request (or --consent-request-lifespan): a request older than this can no longer finish. */
  requestTtlMs: number;
  /** Requests made after this instant are kept (Hydra's --keep-if-younger). */
  keepRequestedAfter?: Date;
  now?: Date;
}

export interface DeletedRequests {
  flows: number;
  loginSessions: number;
  /** Logout requests past their lifespan (used or not): their challenges and verifiers are dead. */
  logoutRequests: number;
}

/**
 * Login/consent requests that are of no further use: never completed, or completed with an error (a rejected
 * consent), and past their TTL, so their challenges and verifiers have expired. Completed ones are the consent
 * sessions and stay. Expired login sessions go too.
 */
export async function deleteInactiveRequests(
  knex: Knex,
  options: RequestJanitorOptions,
): Promise<DeletedRequests> {
  const now = options.now ?? new Date();
  const expired = new Date(now.getTime() - options.requestTtlMs);
  const notAfter =
    options.keepRequestedAfter && options.keepRequestedAfter < expired ? options.keepRequestedAfter : expired;
  const flows = await deleteInBatches(
    knex,
    'oauth2_flows',
    'id',
    `(state <> 'consent_used' OR login_error IS NOT NULL OR consent_error IS NOT NULL) AND requested_at < ?`,
    [notAfter],
    options,
  );
  const loginSessions = await deleteInBatches(
    knex,
    'oauth2_authentication_sessions',
    'id',
    'expires_at < ?',
    [now],
    options,
  );
  const logoutRequests = await deleteInBatches(
    knex,
    'oauth2_logout_requests',
    'challenge',
    'expires_at < ?',
    [now],
    options,
  );
  return { flows, loginSessions, logoutRequests };
}

/**
 * The device flow's rows (RFC 8628): device challenges once expired, device codes `keepMs` after their expiry
 * (until then a late poll still learns `expired_token`, and a reused code is still recognised).
 */
export async function deleteExpiredDeviceRows(
  knex: Knex,
  options: { batchSize: number; limit: number; keepMs: number; now?: Date },
): Promise<number> {
  const now = options.now ?? new Date();
  const challenges = await deleteInBatches(
    knex,
    'oauth2_device_challenges',
    'challenge',
    'expires_at < ?',
    [now],
    options,
  );
  const codes = await deleteInBatches(
    knex,
    'oauth2_device_codes',
    'signature',
    'expires_at < ?',
    [new Date(now.getTime() - options.keepMs)],
    options,
  );
  return challenges + codes;
}

/**
 * Runs `deleteExpiredTokens` (and, given the request TTL, `deleteInactiveRequests`) every `intervalMs` in the
 * background; returns a stop function.
 */
export function startJanitor(
  knex: Knex,
  options: { intervalMs: number; batchSize: number; requestTtlMs?: number },
  log: (level: 'info' | 'warn', fields: Record<string, unknown>, message: string) => void,
): () => Promise<void> {
  if (options.intervalMs <= 0) return async () => {};
  let running: Promise<void> | undefined;
  const bounds = { batchSize: options.batchSize, limit: 100 * options.batchSize };
  const run = async () => {
    const { accessTokens, refreshTokens, codes } = await deleteExpiredTokens(knex, bounds);
    const deleted = accessTokens + refreshTokens + codes;
    if (deleted > 0) {
      const fields = { deleted, access_tokens: accessTokens, refresh_tokens: refreshTokens, codes };
      log('info', fields, 'janitor removed expired tokens');
    }
    if (options.requestTtlMs === undefined) return;
    const requests = await deleteInactiveRequests(knex, { ...bounds, requestTtlMs: options.requestTtlMs });
    if (requests.flows + requests.loginSessions + requests.logoutRequests > 0) {
      const fields = {
        flows: requests.flows,
        login_sessions: requests.loginSessions,
        logout_requests: requests.logoutRequests,
      };
      log('info', fields, 'janitor removed inactive login/consent requests');
    }
    const device = await deleteExpiredDeviceRows(knex, { ...bounds, keepMs: options.requestTtlMs });
    if (device > 0) log('info', { deleted: device }, 'janitor removed expired device codes and challenges');
  };
  const tick = () => {
    if (running) return;
    running = run()
      .catch((err) =>
        log('warn', { reason: (err as Error).message }, 'janitor could not remove expired tokens'),
      )
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(tick, options.intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
