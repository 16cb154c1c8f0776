// AccessTokenStore on PostgreSQL.
import type { Knex } from 'knex';
import type { AccessTokenRecord, AccessTokenStore } from '../oauth2/ports.js';
import { pg } from './pg-errors.js';

type TokenRow = AccessTokenRecord;

export class PgAccessTokenStore implements AccessTokenStore {
  constructor(private readonly db: Knex) {}

  insert(token: AccessTokenRecord): Promise<void> {
    return pg(async () => {
      await this.db<TokenRow>('oauth2_access_tokens').insert(token);
    });
  }

  get(signature: string): Promise<AccessTokenRecord | null> {
    return pg(
      async () => (await this.db<TokenRow>('oauth2_access_tokens').where({ signature }).first()) ?? null,
    );
  }

  deleteByRequestId(requestId: string): Promise<void> {
    return pg(async () => {
      await this.db('oauth2_access_tokens').where({ request_id: requestId }).delete();
    });
  }

  deleteByClientId(clientId: string): Promise<void> {
    return pg(async () => {
      await this.db('oauth2_access_tokens').where({ client_id: clientId }).delete();
    });
  }
}
