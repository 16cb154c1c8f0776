// ClientStore on PostgreSQL. Row ↔ domain mapping lives here and nowhere else.
import type { Knex } from 'knex';
import type { OAuth2Client, StoredClient } from '../clients/client.js';
import type { ClientListQuery, ClientStore } from '../clients/ports.js';
import { NotFoundError } from '../oauth2/errors.js';
import { pg } from './pg-errors.js';

interface ClientRow {
  client_id: string;
  client_name: string;
  owner: string;
  secret_hash: string | null;
  document: OAuth2Client;
  created_at: Date;
  updated_at: Date;
}

const toRow = (c: StoredClient): ClientRow => ({
  client_id: c.client_id,
  client_name: c.client_name,
  owner: c.owner,
  secret_hash: c.secret_hash,
  document: c.document,
  created_at: c.created_at,
  updated_at: c.updated_at,
});

const fromRow = (r: ClientRow): StoredClient => ({ ...r });

export class PgClientStore implements ClientStore {
  constructor(private readonly db: Knex) {}

  create(client: StoredClient): Promise<void> {
    return pg(async () => {
      await this.db<ClientRow>('oauth2_clients').insert(toRow(client));
    });
  }

  get(id: string): Promise<StoredClient | null> {
    return pg(async () => {
      const row = await this.db<ClientRow>('oauth2_clients').where({ client_id: id }).first();
      return row ? fromRow(row) : null;
    });
  }

  update(client: StoredClient): Promise<void> {
    return pg(async () => {
      // created_at is never rewritten (Hydra: pop drops it from UPDATE).
      const { created_at: _created, ...row } = toRow(client);
      const n = await this.db<ClientRow>('oauth2_clients').where({ client_id: client.client_id }).update(row);
      if (n === 0) throw new NotFoundError();
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
      return (await q).map(fromRow);
    });
  }
}
