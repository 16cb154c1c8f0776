// StatelessRevocations on PostgreSQL (tables of migration 20261126000400). Read on every introspection of a
// stateless token, so that a revocation through any replica holds at once on all of them.
import type { Knex } from 'knex';
import type { StatelessRevocations } from '../oauth2/stateless.js';
import { pg } from './pg-errors.js';

export class PgStatelessRevocations implements StatelessRevocations {
  constructor(private readonly db: Knex) {}

  isRevoked(token: { signature: string; client_id: string; requested_at: Date }): Promise<boolean> {
    return pg(async () => {
      const { rows } = await this.db.raw<{ rows: { revoked: boolean }[] }>(
        `SELECT EXISTS (SELECT 1 FROM oauth2_token_not_before WHERE client_id = ? AND not_before > ?)
             OR EXISTS (SELECT 1 FROM oauth2_revoked_stateless_tokens WHERE signature = ?) AS revoked`,
        [token.client_id, token.requested_at, token.signature],
      );
      return rows[0]?.revoked === true;
    });
  }

  revokeAllOf(clientId: string, at: Date): Promise<void> {
    return pg(async () => {
      await this.db.raw(
        `INSERT INTO oauth2_token_not_before (client_id, not_before)
           SELECT client_id, ? FROM oauth2_clients WHERE client_id = ?
         ON CONFLICT (client_id) DO UPDATE SET not_before = GREATEST(oauth2_token_not_before.not_before, excluded.not_before)`,
        [at, clientId],
      );
    });
  }

  revokeOne(token: { signature: string; client_id: string; expires_at: Date }): Promise<void> {
    return pg(async () => {
      const { signature, client_id, expires_at } = token;
      await this.db('oauth2_revoked_stateless_tokens')
        .insert({ signature, client_id, expires_at })
        .onConflict('signature')
        .ignore();
    });
  }
}
