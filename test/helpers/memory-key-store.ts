// In-memory KeyStore for unit tests: same contract as the PostgreSQL store (newest first, upsert by set+kid).
import type { KeyStore, StoredKey } from '../../server/keys/ports.js';

export class MemoryKeyStore implements KeyStore {
  /** Rows in insertion order; exposed so tests can inspect what reaches storage. */
  readonly rows: StoredKey[] = [];
  /** Counts getSet calls, to check caching. */
  reads = 0;

  async getSet(setId: string): Promise<StoredKey[]> {
    this.reads++;
    return this.rows
      .map((row, i) => ({ row, i }))
      .filter(({ row }) => row.set_id === setId)
      .sort((a, b) => b.row.created_at.getTime() - a.row.created_at.getTime() || b.i - a.i)
      .map(({ row }) => ({ ...row }));
  }

  async getKey(setId: string, kid: string): Promise<StoredKey | null> {
    const row = this.rows.find((r) => r.set_id === setId && r.kid === kid);
    return row ? { ...row } : null;
  }

  async putKeys(keys: StoredKey[]): Promise<void> {
    for (const key of keys) {
      const i = this.rows.findIndex((r) => r.set_id === key.set_id && r.kid === key.kid);
      if (i >= 0) this.rows.splice(i, 1);
      this.rows.push({ ...key });
    }
  }

  async listAll(): Promise<StoredKey[]> {
    return this.rows.map((row) => ({ ...row }));
  }

  async replaceSet(setId: string, keys: StoredKey[]): Promise<void> {
    await this.deleteSet(setId);
    await this.putKeys(keys);
  }

  async deleteSet(setId: string): Promise<boolean> {
    return this.remove((r) => r.set_id === setId);
  }

  async deleteKey(setId: string, kid: string): Promise<boolean> {
    return this.remove((r) => r.set_id === setId && r.kid === kid);
  }

  private remove(match: (row: StoredKey) => boolean): boolean {
    const before = this.rows.length;
    for (let i = this.rows.length - 1; i >= 0; i--) if (match(this.rows[i]!)) this.rows.splice(i, 1);
    return this.rows.length !== before;
  }
}
