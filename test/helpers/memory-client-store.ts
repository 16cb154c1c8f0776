// ClientStore in memory for unit tests: the same contract as PgClientStore (ConflictError on a duplicate id,
// NotFoundError on updating a missing client, created_at never rewritten, keyset order by id).
import type { StoredClient } from '../../server/clients/client.js';
import type { ClientListQuery, ClientStore } from '../../server/clients/ports.js';
import { ConflictError, NotFoundError } from '../../server/oauth2/errors.js';

export class MemoryClientStore implements ClientStore {
  private readonly clients = new Map<string, StoredClient>();

  async create(client: StoredClient): Promise<void> {
    if (this.clients.has(client.client_id)) throw new ConflictError();
    this.clients.set(client.client_id, structuredClone(client));
  }

  async get(id: string): Promise<StoredClient | null> {
    const c = this.clients.get(id);
    return c === undefined ? null : structuredClone(c);
  }

  async update(client: StoredClient): Promise<void> {
    const existing = this.clients.get(client.client_id);
    if (existing === undefined) throw new NotFoundError();
    this.clients.set(client.client_id, { ...structuredClone(client), created_at: existing.created_at });
  }

  private queue: Promise<unknown> = Promise.resolve();

  /** Serialised through one queue, which gives the same no-interleaving guarantee as the row lock. */
  modify(id: string, change: (existing: StoredClient) => Promise<StoredClient>): Promise<StoredClient> {
    const run = this.queue.then(async () => {
      const existing = this.clients.get(id);
      if (existing === undefined) throw new NotFoundError();
      const next = await change(structuredClone(existing));
      const stored = { ...structuredClone(next), created_at: existing.created_at };
      this.clients.set(id, stored);
      return structuredClone(stored);
    });
    this.queue = run.catch(() => {});
    return run;
  }

  async replaceSecretHash(id: string, expected: string, next: string): Promise<boolean> {
    const existing = this.clients.get(id);
    if (existing?.secret_hash !== expected) return false;
    existing.secret_hash = next;
    return true;
  }

  async delete(id: string): Promise<boolean> {
    return this.clients.delete(id);
  }

  async list(query: ClientListQuery): Promise<StoredClient[]> {
    // Code-unit order (what a "C" collation gives); ORDER BY and ">" must agree for keyset paging to be exact.
    return [...this.clients.values()]
      .filter((c) => query.afterId === undefined || c.client_id > query.afterId)
      .filter((c) => query.client_name === undefined || c.client_name === query.client_name)
      .filter((c) => query.owner === undefined || c.owner === query.owner)
      .sort((a, b) => (a.client_id < b.client_id ? -1 : a.client_id > b.client_id ? 1 : 0))
      .slice(0, query.limit)
      .map((c) => structuredClone(c));
  }

  /** Test access to the raw stored row. */
  raw(id: string): StoredClient | undefined {
    const c = this.clients.get(id);
    return c === undefined ? undefined : structuredClone(c);
  }
}
