// KeyStore on PostgreSQL. key_data arrives already encrypted by the key manager.
import type { Knex } from 'knex';
import type { KeyStore, StoredKey } from '../keys/ports.js';
import { pg } from './pg-errors.js';

type KeyRow = StoredKey;

export class PgKeyStore implements KeyStore {
  constructor(private readonly db: Knex) {}

  getSet(setId: string): Promise<StoredKey[]> {
    return pg(() =>
      this.db<KeyRow>('jwks')
        .where({ set_id: setId })
        .orderBy([
          { column: 'created_at', order: 'desc' },
          { column: 'kid', order: 'asc' },
        ]),
    );
  }

  getKey(setId: string, kid: string): Promise<StoredKey | null> {
    return pg(async () => (await this.db<KeyRow>('jwks').where({ set_id: setId, kid }).first()) ?? null);
  }

  putKeys(keys: StoredKey[]): Promise<void> {
    return pg(async () => {
      if (keys.length === 0) return;
      await this.db<KeyRow>('jwks').insert(keys).onConflict(['set_id', 'kid']).merge();
    });
  }

  replaceSet(setId: string, keys: StoredKey[]): Promise<void> {
    return pg(() =>
      this.db.transaction(async (trx) => {
        await trx('jwks').where({ set_id: setId }).delete();
        if (keys.length > 0) await trx<KeyRow>('jwks').insert(keys);
      }),
    );
  }

  deleteSet(setId: string): Promise<boolean> {
    return pg(async () => (await this.db('jwks').where({ set_id: setId }).delete()) > 0);
  }

  listAll(): Promise<StoredKey[]> {
    return pg(() => this.db<KeyRow>('jwks').select());
  }

  deleteKey(setId: string, kid: string): Promise<boolean> {
    return pg(async () => (await this.db('jwks').where({ set_id: setId, kid }).delete()) > 0);
  }
}
