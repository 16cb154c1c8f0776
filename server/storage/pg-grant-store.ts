// GrantStore on PostgreSQL (Hydra: hydra_oauth2_code, hydra_oauth2_refresh): code redemption and refresh
// rotation are each one transaction whose first statement is the guarded UPDATE, so of concurrent requests
// exactly the ones the guard allows win, and nothing is half-written (fosite's flow_authorize_code_token.go step 8: Hydra v25 does not roll
// back). Access tokens are deleted through SQL, which fires their statement trigger: every replica drops its
// cached introspections.
import type { Knex } from 'knex';
import type { GrantStore, IssuedTokens, RedeemOutcome, RotationPolicy } from '../flows/ports.js';
import type { FlowRecord } from '../flows/types.js';
import type { AuthorizationCodeRecord, RefreshTokenRecord } from '../oauth2/ports.js';
import { pg } from './pg-errors.js';
import { type FlowRow, flowFromRow } from './pg-flow-store.js';
import { insertAccessTokenRows } from './pg-token-store.js';
import { isUuid } from './uuid.js';

const CODES = 'oauth2_authorization_codes';
const REFRESH = 'oauth2_refresh_tokens';
const ACCESS = 'oauth2_access_tokens';

type RefreshRow = RefreshTokenRecord;

function refreshRow(token: RefreshTokenRecord) {
  return {
    signature: token.signature,
    request_id: token.request_id,
    client_id: token.client_id,
    subject: token.subject,
    granted_scope: token.granted_scope,
    granted_audience: token.granted_audience,
    active: token.active,
    requested_at: token.requested_at,
    expires_at: token.expires_at,
    first_used_at: token.first_used_at,
    used_times: token.used_times,
    access_token_signature: token.access_token_signature,
    ext: token.ext == null ? null : JSON.stringify(token.ext),
    id_token_ext: token.id_token_ext == null ? null : JSON.stringify(token.id_token_ext),
  };
}

/** The tokens of a grant (access and refresh rows), inside the caller's transaction. */
export async function insertTokens(trx: Knex.Transaction, tokens: IssuedTokens): Promise<void> {
  if (tokens.access) await insertAccessTokenRows(trx, [tokens.access]);
  if (tokens.refresh) await trx(REFRESH).insert(refreshRow(tokens.refresh));
}

/**
 * Marks a one-time code (an authorization or device code) used and stores the tokens it buys, in the caller's
 * transaction; false when the code was used already, so two concurrent redemptions issue tokens once.
 */
export async function redeemOnce(
  trx: Knex.Transaction,
  table: string,
  signature: string,
  tokens: IssuedTokens,
  now: Date,
): Promise<boolean> {
  const used = await trx(table)
    .where({ signature })
    .whereNull('used_at')
    .update({ used_at: now })
    .returning('signature');
  if (used.length === 0) return false;
  await insertTokens(trx, tokens);
  return true;
}

export class PgGrantStore implements GrantStore {
  constructor(private readonly db: Knex) {}

  /** A code or refresh token row with its flow, in one query (the flow as jsonb: its timestamps as text). */
  private withFlow<T>(table: string, signature: string): Promise<(T & { flow: FlowRecord }) | null> {
    return pg(async () => {
      const row = (await this.db(`${table} as t`)
        .join('oauth2_flows as f', 'f.id', 't.request_id')
        .where('t.signature', signature)
        .first('t.*', this.db.raw('to_jsonb(f) AS flow'))) as (T & { flow: FlowRow }) | undefined;
      return row ? { ...row, flow: flowFromRow(row.flow) } : null;
    });
  }

  code(signature: string): Promise<(AuthorizationCodeRecord & { flow: FlowRecord }) | null> {
    return this.withFlow<AuthorizationCodeRecord>(CODES, signature);
  }

  refresh(signature: string): Promise<(RefreshTokenRecord & { flow: FlowRecord }) | null> {
    return this.withFlow<RefreshRow>(REFRESH, signature);
  }

  redeemCode(signature: string, tokens: IssuedTokens, now: Date): Promise<RedeemOutcome> {
    return pg(() =>
      this.db.transaction(async (trx) => {
        return (await redeemOnce(trx, CODES, signature, tokens, now)) ? 'issued' : 'reused';
      }),
    );
  }

  rotate(
    signature: string,
    tokens: IssuedTokens,
    rotation: RotationPolicy,
    now: Date,
  ): Promise<RedeemOutcome> {
    const strict = rotation.gracePeriodMs <= 0;
    // A rotated token is kept (inactive) this long for reuse detection, and at least through its grace period
    // (which may run to 180d), during which it must still be exchangeable; then the janitor removes it.
    const keepUntil = new Date(now.getTime() + Math.max(rotation.keepRotatedMs, rotation.gracePeriodMs));
    const retire = this.db.raw("LEAST(COALESCE(expires_at, 'infinity'), ?::timestamptz)", [keepUntil]);
    return pg(() =>
      this.db.transaction(async (trx) => {
        const guarded = trx(REFRESH).where({ signature });
        if (strict) guarded.where({ active: true });
        else {
          guarded.where((q) =>
            q.where({ active: true }).orWhereRaw(
              `first_used_at + ?::double precision * interval '1 millisecond' > ?
               AND (?::int = 0 OR used_times < ?::int)`,
              [rotation.gracePeriodMs, now, rotation.reuseCount, rotation.reuseCount],
            ),
          );
        }
        const [used] = (await guarded
          .update({
            active: false,
            first_used_at: trx.raw('COALESCE(first_used_at, ?)', [now]),
            used_times: trx.raw('used_times + 1'),
            expires_at: retire,
          })
          .returning(['request_id', 'access_token_signature'])) as Pick<
          RefreshTokenRecord,
          'request_id' | 'access_token_signature'
        >[];
        if (!used) return 'reused';
        if (strict) {
          // fosite's flow_refresh.go step 9: the whole grant moves to the new pair; its older access tokens die now.
          await trx(REFRESH)
            .where({ request_id: used.request_id, active: true })
            .update({ active: false, expires_at: retire });
          await trx(ACCESS).where({ request_id: used.request_id }).delete();
        } else {
          await trx(ACCESS).where({ signature: used.access_token_signature }).delete();
        }
        await insertTokens(trx, tokens);
        return 'issued';
      }),
    );
  }

  revokeGrant(requestId: string): Promise<void> {
    if (!isUuid(requestId)) return Promise.resolve();
    return pg(async () => {
      await this.db.raw(
        `WITH codes AS (DELETE FROM ${CODES} WHERE request_id = ?),
              refresh AS (DELETE FROM ${REFRESH} WHERE request_id = ?)
         DELETE FROM ${ACCESS} WHERE request_id = ?`,
        [requestId, requestId, requestId],
      );
    });
  }

  deleteByClientId(clientId: string): Promise<void> {
    return pg(async () => {
      await this.db.raw(
        `WITH codes AS (DELETE FROM ${CODES} WHERE client_id = ?)
         DELETE FROM ${REFRESH} WHERE client_id = ?`,
        [clientId, clientId],
      );
    });
  }
}
