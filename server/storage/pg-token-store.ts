// AccessTokenStore on PostgreSQL. Inserts and lookups of concurrent requests are grouped (storage/batcher.ts):
// one INSERT, i.e. one commit, for all tokens requested while the previous commit ran, and one
// `signature = ANY(...)` SELECT for all introspections; every caller still gets its own result or error.
import type { Knex } from 'knex';
import { TemporarilyUnavailable } from '../oauth2/errors.js';
import type { AccessTokenRecord, AccessTokenStore } from '../oauth2/ports.js';
import { Batcher, ItemFailed } from './batcher.js';
import { pg, translatePgError } from './pg-errors.js';

type TokenRow = AccessTokenRecord;
const TABLE = 'oauth2_access_tokens';

const INSERT_MANY = `INSERT INTO ${TABLE}
  (signature, request_id, client_id, subject, granted_scope, granted_audience, requested_at, expires_at, ext,
    id_token_ext)
  SELECT signature, request_id, client_id, subject, scope::text[], audience::text[], requested_at, expires_at,
    NULLIF(ext, 'null'), NULLIF(id_token_ext, 'null')
  FROM unnest(?::text[], ?::uuid[], ?::text[], ?::text[], ?::text[], ?::text[], ?::timestamptz[], ?::timestamptz[],
    ?::jsonb[], ?::jsonb[])
    AS t(signature, request_id, client_id, subject, scope, audience, requested_at, expires_at, ext, id_token_ext)`;

// A PostgreSQL text[] literal (PostgreSQL docs §8.15.6): every element double-quoted, with quotes and
// backslashes escaped.
const textArrayLiteral = (values: readonly string[]) =>
  `{${values.map((v) => `"${v.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;

/**
 * One statement whatever the number of rows: a column per array parameter, unnested into rows, so that
 * PostgreSQL parses and plans it once per connection (a named prepared statement) instead of once per batch
 * size, and Knex builds no SQL per batch. Nested text[] values travel as array literals (unnest would flatten a
 * two-dimensional array). Also used inside the transactions of the browser flows (pg-flow-store.ts,
 * pg-grant-store.ts), which insert their access tokens themselves.
 */
export function insertAccessTokenRows(db: Knex | Knex.Transaction, rows: readonly AccessTokenRecord[]) {
  return db
    .raw(INSERT_MANY, [
      rows.map((r) => r.signature),
      rows.map((r) => r.request_id),
      rows.map((r) => r.client_id),
      rows.map((r) => r.subject),
      rows.map((r) => textArrayLiteral(r.granted_scope)),
      rows.map((r) => textArrayLiteral(r.granted_audience)),
      rows.map((r) => r.requested_at),
      rows.map((r) => r.expires_at),
      // JSON null for no ext (client_credentials), stored as SQL NULL.
      rows.map((r) => JSON.stringify(r.ext ?? null)),
      rows.map((r) => JSON.stringify(r.id_token_ext ?? null)),
    ])
    .options({ name: 'tollgate_insert_access_tokens' });
}

export class PgAccessTokenStore implements AccessTokenStore {
  private readonly inserts: Batcher<AccessTokenRecord, void>;
  private readonly lookups: Batcher<string, AccessTokenRecord | null>;

  constructor(private readonly db: Knex) {
    // One commit in flight: every token requested meanwhile joins the next one. Each commit costs a WAL flush
    // (fdatasync), which on a virtual disk costs PostgreSQL more CPU than the rows; two commits in flight
    // halved the batches and cost more CPU per token on both sides (docs/performance.md).
    this.inserts = new Batcher({
      run: (rows) => this.insertMany(rows),
      maxConcurrent: 1,
      // With one commit in flight, requests queued behind a batch that timed out would each wait out another
      // timeout; they get the same 503 at once.
      failsQueued: (err) => err instanceof TemporarilyUnavailable,
    });
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
      await insertAccessTokenRows(this.db, rows);
      return rows.map(() => undefined);
    } catch (err) {
      const translated = translatePgError(err);
      // One bad row (say, its client was deleted a moment ago) must not fail the others: retry them one by one.
      if (rows.length === 1 || translated instanceof TemporarilyUnavailable) throw translated;
      const outcomes = await Promise.allSettled(
        rows.map((row) => pg(() => insertAccessTokenRows(this.db, [row]))),
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
