// LoginSessionStore on PostgreSQL (Hydra: hydra_oauth2_authentication_session): the sessions the
// ory_hydra_session cookie names. An expired session is as good as absent; the janitor's --requests removes it.
import type { Knex } from 'knex';
import type { LoginSession, LoginSessionStore } from '../flows/ports.js';
import { pg } from './pg-errors.js';
import { isUuid } from './uuid.js';

const TABLE = 'oauth2_authentication_sessions';

type SessionRow = LoginSession & { created_at: Date };

export class PgLoginSessionStore implements LoginSessionStore {
  constructor(private readonly db: Knex) {}

  get(id: string, now: Date): Promise<LoginSession | null> {
    // An id that cannot be a uuid names no session (rather than a PostgreSQL cast error).
    if (!isUuid(id)) return Promise.resolve(null);
    return pg(async () => {
      const row = await this.db<SessionRow>(TABLE).where({ id }).where('expires_at', '>', now).first();
      if (!row) return null;
      const { created_at: _, ...session } = row;
      return session;
    });
  }

  upsert(session: LoginSession): Promise<void> {
    return pg(async () => {
      await this.db(TABLE)
        .insert({
          id: session.id,
          subject: session.subject,
          authenticated_at: session.authenticated_at,
          remember: session.remember,
          expires_at: session.expires_at,
          identity_provider_session_id: session.identity_provider_session_id,
        })
        .onConflict('id')
        .merge(['subject', 'authenticated_at', 'remember', 'expires_at', 'identity_provider_session_id']);
    });
  }

  delete(id: string): Promise<void> {
    if (!isUuid(id)) return Promise.resolve();
    return pg(async () => {
      await this.db(TABLE).where({ id }).delete();
    });
  }

  deleteBySubject(subject: string): Promise<number> {
    return pg(() => this.db(TABLE).where({ subject }).delete());
  }
}
