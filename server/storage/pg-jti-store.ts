// JtiStore on PostgreSQL (table of migration 20261207000000). One statement: a jti is claimed when it is new or
// its previous use has expired, so two concurrent uses of one assertion cannot both pass.
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import type { JtiStore } from '../oauth2/ports.js';
import { pg } from './pg-errors.js';

export const jtiSignature = (jti: string) => createHash('sha256').update(jti).digest('hex');

export class PgJtiStore implements JtiStore {
  constructor(private readonly db: Knex) {}

  claim(jti: string, expiresAt: Date): Promise<boolean> {
    return pg(async () => {
      const { rows } = await this.db.raw<{ rows: unknown[] }>(
        `INSERT INTO oauth2_jti_seen (signature, expires_at) VALUES (?, ?)
         ON CONFLICT (signature) DO UPDATE SET expires_at = excluded.expires_at
           WHERE oauth2_jti_seen.expires_at <= now()
         RETURNING 1`,
        [jtiSignature(jti), expiresAt],
      );
      return rows.length === 1;
    });
  }
}
