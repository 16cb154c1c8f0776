// TrustStore on PostgreSQL: table trusted_jwt_issuers (migration 20261207000300).
import type { Knex } from 'knex';
import type { Jwk } from '../keys/jwk.js';
import type { TrustListQuery, TrustRecord, TrustStore } from '../trust/ports.js';
import { pg } from './pg-errors.js';

const TABLE = 'trusted_jwt_issuers';

interface TrustRow extends Omit<TrustRecord, 'jwk'> {
  jwk: Jwk | string;
}

const record = (row: TrustRow): TrustRecord => ({
  ...row,
  jwk: typeof row.jwk === 'string' ? (JSON.parse(row.jwk) as Jwk) : row.jwk,
});

export class PgTrustStore implements TrustStore {
  constructor(private readonly db: Knex) {}

  insert(trust: TrustRecord): Promise<void> {
    return pg(async () => {
      await this.db<TrustRow>(TABLE).insert({ ...trust, jwk: JSON.stringify(trust.jwk) });
    });
  }

  get(id: string): Promise<TrustRecord | null> {
    return pg(async () => {
      const row = await this.db<TrustRow>(TABLE).where({ id }).first();
      return row ? record(row) : null;
    });
  }

  list(query: TrustListQuery): Promise<TrustRecord[]> {
    return pg(async () => {
      const q = this.db<TrustRow>(TABLE).orderBy('id', 'asc').limit(query.limit);
      if (query.afterId !== undefined) q.where('id', '>', query.afterId);
      if (query.issuer !== undefined) q.where({ issuer: query.issuer });
      return (await q).map(record);
    });
  }

  delete(id: string): Promise<TrustRecord | null> {
    return pg(async () => {
      const rows = await this.db<TrustRow>(TABLE).where({ id }).delete().returning('*');
      return rows[0] ? record(rows[0] as TrustRow) : null;
    });
  }

  findFor(issuer: string, subject: string, kid?: string): Promise<TrustRecord[]> {
    return pg(async () => {
      const q = this.db<TrustRow>(TABLE)
        .where({ issuer })
        .andWhere((w) => w.where({ subject }).orWhere({ allow_any_subject: true }))
        .orderBy('created_at', 'desc')
        // A handful per issuer and subject in practice; the bound keeps a misconfigured issuer cheap.
        .limit(50);
      if (kid !== undefined) q.where({ kid });
      return (await q).map(record);
    });
  }

  keyInUse(issuer: string, kid: string): Promise<boolean> {
    return pg(async () => (await this.db(TABLE).where({ issuer, kid }).first('id')) !== undefined);
  }
}

/**
 * `janitor --grants` (Hydra's FlushInactiveGrants): deletes trust relationships that expired before `before`,
 * at most `limit`. Their keys stay in the issuers' key sets, as in Hydra.
 */
export async function deleteExpiredTrust(
  knex: Knex,
  options: { before: Date; limit: number },
): Promise<number> {
  return pg(async () => {
    const expired = knex(TABLE).select('id').where('expires_at', '<', options.before).limit(options.limit);
    return await knex(TABLE).whereIn('id', expired).delete();
  });
}
