// In-memory AccessTokenStore for unit tests: the same contract as the PostgreSQL store, kept in a Map.
import type { AccessTokenRecord, AccessTokenStore } from '../../server/oauth2/ports.js';

export class MemoryAccessTokenStore implements AccessTokenStore {
  readonly rows = new Map<string, AccessTokenRecord>();

  async insert(token: AccessTokenRecord): Promise<void> {
    if (this.rows.has(token.signature)) throw new Error(`duplicate token signature ${token.signature}`);
    this.rows.set(token.signature, structuredClone(token));
  }

  async get(signature: string): Promise<AccessTokenRecord | null> {
    const row = this.rows.get(signature);
    return row ? structuredClone(row) : null;
  }

  async deleteByRequestId(requestId: string): Promise<void> {
    for (const [signature, row] of this.rows) if (row.request_id === requestId) this.rows.delete(signature);
  }

  async deleteByClientId(clientId: string): Promise<void> {
    for (const [signature, row] of this.rows) if (row.client_id === clientId) this.rows.delete(signature);
  }
}

/** A store whose every call fails, standing in for a database outage. */
export class FailingAccessTokenStore implements AccessTokenStore {
  constructor(readonly error: Error = new Error('connection refused')) {}
  insert(): Promise<void> {
    return Promise.reject(this.error);
  }
  get(): Promise<AccessTokenRecord | null> {
    return Promise.reject(this.error);
  }
  deleteByRequestId(): Promise<void> {
    return Promise.reject(this.error);
  }
  deleteByClientId(): Promise<void> {
    return Promise.reject(this.error);
  }
}
