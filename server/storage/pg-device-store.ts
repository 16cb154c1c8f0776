// DeviceStore on PostgreSQL: every change is one guarded statement (or, for the redemption, one transaction
// whose first statement is the guarded UPDATE), so concurrent polls, accepts and redemptions cannot both win.
import type { Knex } from 'knex';
import type { DeviceChallengeRecord, DeviceCodeRecord, DeviceStore } from '../flows/device-ports.js';
import type { IssuedTokens } from '../flows/ports.js';
import { pg } from './pg-errors.js';
import { redeemOnce } from './pg-grant-store.js';

const CODES = 'oauth2_device_codes';
const CHALLENGES = 'oauth2_device_challenges';

const codeRow = (code: DeviceCodeRecord) => ({
  ...code,
  // jsonb: node-pg would turn a top-level array into a PostgreSQL array.
  requested_scope: JSON.stringify(code.requested_scope),
  requested_audience: JSON.stringify(code.requested_audience),
});

export class PgDeviceStore implements DeviceStore {
  constructor(private readonly db: Knex) {}

  createCode(code: DeviceCodeRecord): Promise<boolean> {
    return pg(async () => {
      const rows = await this.db(CODES)
        .insert(codeRow(code))
        .onConflict('user_code_signature')
        .ignore()
        .returning('signature');
      return rows.length === 1;
    });
  }

  code(signature: string): Promise<DeviceCodeRecord | null> {
    return pg(async () => ((await this.db(CODES).where({ signature }).first()) as DeviceCodeRecord) ?? null);
  }

  openCodeByUserCode(userCodeSignature: string, now: Date): Promise<DeviceCodeRecord | null> {
    return pg(
      async () =>
        ((await this.db(CODES)
          .where({ user_code_signature: userCodeSignature })
          .where('expires_at', '>', now)
          .whereNull('used_at')
          .whereNull('flow_id')
          .first()) as DeviceCodeRecord) ?? null,
    );
  }

  poll(signature: string, now: Date, penaltySeconds: number): Promise<{ slowDown: boolean } | null> {
    return pg(async () => {
      // The previous poll is read under the row lock of the UPDATE: of two concurrent polls, one slows down.
      const { rows } = await this.db.raw<{ rows: { slow_down: boolean }[] }>(
        `UPDATE ${CODES} AS c
            SET last_polled_at = :now,
                interval_seconds = c.interval_seconds + CASE WHEN p.slow THEN :penalty ELSE 0 END
           FROM (SELECT signature,
                        last_polled_at IS NOT NULL
                          AND last_polled_at > CAST(:now AS timestamptz) - make_interval(secs => interval_seconds)
                          AS slow
                   FROM ${CODES} WHERE signature = :signature FOR UPDATE) AS p
          WHERE c.signature = p.signature
      RETURNING p.slow AS slow_down`,
        { now, penalty: penaltySeconds, signature },
      );
      return rows[0] ? { slowDown: rows[0].slow_down } : null;
    });
  }

  bindFlow(signature: string, flowId: string, now: Date): Promise<boolean> {
    return pg(async () => {
      const n = await this.db(CODES)
        .where({ signature })
        .whereNull('flow_id')
        .whereNull('used_at')
        .where('expires_at', '>', now)
        .update({ flow_id: flowId });
      return n === 1;
    });
  }

  redeem(signature: string, tokens: IssuedTokens, now: Date): Promise<boolean> {
    return pg(() => this.db.transaction((trx) => redeemOnce(trx, CODES, signature, tokens, now)));
  }

  createChallenge(challenge: DeviceChallengeRecord): Promise<void> {
    return pg(async () => {
      await this.db(CHALLENGES).insert(challenge);
    });
  }

  challenge(challenge: string): Promise<DeviceChallengeRecord | null> {
    return pg(
      async () => ((await this.db(CHALLENGES).where({ challenge }).first()) as DeviceChallengeRecord) ?? null,
    );
  }

  challengeByVerifier(verifierHash: string): Promise<DeviceChallengeRecord | null> {
    return pg(
      async () =>
        ((await this.db(CHALLENGES).where({ verifier: verifierHash }).first()) as DeviceChallengeRecord) ??
        null,
    );
  }

  failAttempt(challenge: string): Promise<number | null> {
    return pg(async () => {
      const rows = await this.db(CHALLENGES)
        .where({ challenge })
        .increment('failed_attempts', 1)
        .returning('failed_attempts');
      const row = rows[0] as { failed_attempts: number } | undefined;
      return row ? row.failed_attempts : null;
    });
  }

  acceptChallenge(
    challenge: string,
    deviceCodeSignature: string,
    verifierHash: string,
    now: Date,
    maxAttempts: number,
  ): Promise<boolean> {
    return pg(async () => {
      const n = await this.db(CHALLENGES)
        .where({ challenge })
        .whereNull('device_code_signature')
        .whereNull('used_at')
        .where('expires_at', '>', now)
        .where('failed_attempts', '<', maxAttempts)
        .update({ device_code_signature: deviceCodeSignature, verifier: verifierHash });
      return n === 1;
    });
  }

  useChallenge(challenge: string, now: Date): Promise<boolean> {
    return pg(async () => {
      const n = await this.db(CHALLENGES).where({ challenge }).whereNull('used_at').update({ used_at: now });
      return n === 1;
    });
  }
}
