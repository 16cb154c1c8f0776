// In-memory LoginSessionStore for unit tests: the same contract as PgLoginSessionStore, kept in a Map.
import type { LoginSession, LoginSessionStore } from '../../server/flows/ports.js';

export class MemoryLoginSessionStore implements LoginSessionStore {
  readonly rows = new Map<string, LoginSession>();

  async get(id: string, now: Date): Promise<LoginSession | null> {
    const row = this.rows.get(id);
    return row && row.expires_at > now ? structuredClone(row) : null;
  }

  async upsert(session: LoginSession): Promise<void> {
    this.rows.set(session.id, structuredClone(session));
  }

  async delete(id: string): Promise<void> {
    this.rows.delete(id);
  }

  async deleteBySubject(subject: string): Promise<number> {
    let deleted = 0;
    for (const [id, row] of this.rows) {
      if (row.subject !== subject) continue;
      this.rows.delete(id);
      deleted += 1;
    }
    return deleted;
  }
}
