// ClientStore on PostgreSQL: one row per client, the client JSON in a jsonb column beside the queried fields.
import type { Knex } from 'knex';
import type { StoredClient } from '../clients/client.js';
import type { ClientListQuery, ClientStore } from '../clients/ports.js';
import { NotFoundError } from '../oauth2/errors.js';
import { pg } from './pg-errors.js';

/** A row of `oauth2_clients` has exactly the domain record's fields; `document` is a jsonb column. */
type ClientRow = StoredClient;

export class PgClientStore implements ClientStore {
  constructor(private readonly db: Knex) {}

  create(client: StoredClient): Promise<void> {
    return pg(async () => {
      await this.db<ClientRow>('oauth2_clients').insert(client);
    });
  }

  get(id: string): Promise<StoredClient | null> {
    return pg(async () => {
      const row = await this.db<ClientRow>('oauth2_clients').where({ client_id: id }).first();
      return row ?? null;
    });
  }

  update(client: StoredClient): Promise<void> {
    return pg(async () => {
      // created_at is never rewritten (Hydra: pop drops it from UPDATE).
      const { created_at: _created, ...row } = client;
      const n = await this.db<ClientRow>('oauth2_clients').where({ client_id: client.client_id }).update(row);
      if (n === 0) throw new NotFoundError();
    });
  }

  modify(id: string, change: (existing: StoredClient) => Promise<StoredClient>): Promise<StoredClient> {
    return pg(() =>
      this.db.transaction(async (trx) => {
        // The row lock serialises writers of this client; readers are not blocked.
        const row = await trx<ClientRow>('oauth2_clients').where({ client_id: id }).forUpdate().first();
        if (!row) throw new NotFoundError();
        const next = await change(row);
        const { created_at: _created, ...rest } = next;
        await trx<ClientRow>('oauth2_clients').where({ client_id: id }).update(rest);
        return { ...next, created_at: row.created_at };
      }),
    );
  }

  replaceSecretHash(id: string, expected: string, next: string): Promise<boolean> {
    return pg(async () => {
      const n = await this.db<ClientRow>('oauth2_clients')
        .where({ client_id: id, secret_hash: expected })
        .update({ secret_hash: next });
      return n > 0;
    });
  }

  delete(id: string): Promise<boolean> {
    return pg(async () => (await this.db('oauth2_clients').where({ client_id: id }).delete()) > 0);
  }

  list(query: ClientListQuery): Promise<StoredClient[]> {
    return pg(async () => {
      const q = this.db<ClientRow>('oauth2_clients').orderBy('client_id', 'asc').limit(query.limit);
      if (query.afterId !== undefined) q.where('client_id', '>', query.afterId);
      if (query.client_name !== undefined) q.where({ client_name: query.client_name });
      if (query.owner !== undefined) q.where({ owner: query.owner });
      return await q;
    });
  }
}
