// AccessTokenStore on PostgreSQL. Inserts and lookups of concurrent requests are grouped (storage/batcher.ts):
// one multi-row INSERT, i.e. one commit, for all tokens issued during one turn of the event loop, and one
// `signature = ANY(...)` SELECT for all introspections; every caller still gets its own result or error.
import type { Knex } from 'knex';
import { TemporarilyUnavailable } from '../oauth2/errors.js';
import type { AccessTokenRecord, AccessTokenStore } from '../oauth2/ports.js';
import { Batcher, ItemFailed } from './batcher.js';
import { pg, translatePgError } from './pg-errors.js';

type TokenRow = AccessTokenRecord;
const TABLE = 'oauth2_access_tokens';

export class PgAccessTokenStore implements AccessTokenStore {
  private readonly inserts: Batcher<AccessTokenRecord, void>;
  private readonly lookups: Batcher<string, AccessTokenRecord | null>;

  constructor(private readonly db: Knex) {
    this.inserts = new Batcher({ run: (rows) => this.insertMany(rows) });
    // Reads wait for no WAL flush: more of them may be in flight at once.
    this.lookups = new Batcher({ run: (signatures) => this.getMany(signatures), maxConcurrent: 4 });
  }

  insert(token: AccessTokenRecord): Promise<void> {
    return this.inserts.add(token);
  }

  get(signature: string): Promise<AccessTokenRecord | null> {
    return this.lookups.add(signature);
  }

  private async insertMany(rows: AccessTokenRecord[]): Promise<(undefined | ItemFailed)[]> {
    try {
      await this.db<TokenRow>(TABLE).insert(rows);
      return rows.map(() => undefined);
    } catch (err) {
      const translated = translatePgError(err);
      // One bad row (say, its client was deleted a moment ago) must not fail the others: retry them one by one.
      if (rows.length === 1 || translated instanceof TemporarilyUnavailable) throw translated;
      const outcomes = await Promise.allSettled(
        rows.map((row) => pg(() => this.db<TokenRow>(TABLE).insert(row))),
      );
      return outcomes.map((o) => (o.status === 'rejected' ? new ItemFailed(o.reason) : undefined));
    }
  }

  private async getMany(signatures: string[]): Promise<(AccessTokenRecord | null)[]> {
    const found = await pg(() =>
      this.db<TokenRow>(TABLE).whereRaw('signature = ANY(?)', [[...new Set(signatures)]]),
    );
    const bySignature = new Map(found.map((row) => [row.signature, row]));
    return signatures.map((s) => bySignature.get(s) ?? null);
  }

  deleteByRequestId(requestId: string): Promise<void> {
    return pg(async () => {
      await this.db(TABLE).where({ request_id: requestId }).delete();
    });
  }

  deleteByClientId(clientId: string): Promise<void> {
    return pg(async () => {
      await this.db(TABLE).where({ client_id: clientId }).delete();
    });
  }
}
