// Storage ports of the client registry. Implemented by `storage/pg-client-store.ts` (and an in-memory store
// in tests). Ports speak domain types only; they never see HTTP or SQL.
import type { StoredClient } from './client.js';

export interface ClientListQuery {
  /** Maximum number of clients to return. */
  limit: number;
  /** Keyset pagination: only clients whose id sorts strictly after this one (ORDER BY id ASC). */
  afterId?: string;
  /** Exact-match filters, as Hydra's `client_name` and `owner` query parameters. */
  client_name?: string;
  owner?: string;
}

export interface ClientStore {
  /** Inserts a new client. Throws `ConflictError` when the id exists. */
  create(client: StoredClient): Promise<void>;
  get(id: string): Promise<StoredClient | null>;
  /** Replaces a stored client; the store keeps the original created_at. Throws `NotFoundError` when absent. */
  update(client: StoredClient): Promise<void>;
  /**
   * Read-modify-write of one client as a unit: `change` sees the current row and returns its replacement, and
   * no other writer of that client interleaves (so concurrent PUT/PATCH lose no update). Throws
   * `NotFoundError` when absent; an error thrown by `change` writes nothing. The store keeps created_at.
   */
  modify(id: string, change: (existing: StoredClient) => Promise<StoredClient>): Promise<StoredClient>;
  /**
   * Replaces the secret hash with `next` only while it is still `expected`, and changes nothing else (not even
   * updated_at): a rehash of the same secret must never undo a concurrent secret change. Whether it wrote.
   */
  replaceSecretHash(id: string, expected: string, next: string): Promise<boolean>;
  /** Returns false when no such client existed. Deleting a client also deletes its tokens. */
  delete(id: string): Promise<boolean>;
  list(query: ClientListQuery): Promise<StoredClient[]>;
}
