// LogoutStore on PostgreSQL (Hydra: hydra_oauth2_logout_request), plus the one question logout asks of the
// flows table: which clients were consented to during a login session.
import type { Knex } from 'knex';
import type { LogoutRequest, LogoutState, LogoutStore } from '../flows/logout-ports.js';
import { pg } from './pg-errors.js';
import { isUuid } from './uuid.js';

const TABLE = 'oauth2_logout_requests';

export class PgLogoutStore implements LogoutStore {
  constructor(private readonly db: Knex) {}

  create(request: LogoutRequest): Promise<void> {
    return pg(async () => {
      await this.db(TABLE).insert(request);
    });
  }

  byChallenge(challenge: string): Promise<LogoutRequest | null> {
    return pg(async () => (await this.db<LogoutRequest>(TABLE).where({ challenge }).first()) ?? null);
  }

  byVerifier(verifierHash: string): Promise<LogoutRequest | null> {
    return pg(
      async () =>
        (await this.db<LogoutRequest>(TABLE).where({ verifier_hash: verifierHash }).first()) ?? null,
    );
  }

  transition(
    challenge: string,
    from: readonly LogoutState[],
    to: LogoutState,
  ): Promise<LogoutRequest | null> {
    return pg(async () => {
      const [row] = await this.db<LogoutRequest>(TABLE)
        .where({ challenge })
        .whereIn('state', [...from])
        .update({ state: to })
        .returning('*');
      return (row as LogoutRequest | undefined) ?? null;
    });
  }

  clientsOfSession(sid: string): Promise<string[]> {
    if (!isUuid(sid)) return Promise.resolve([]);
    return pg(async () => {
      const rows = await this.db('oauth2_flows')
        .distinct('client_id')
        .where({ login_session_id: sid, state: 'consent_used' })
        .orderBy('client_id');
      return rows.map((r: { client_id: string }) => r.client_id);
    });
  }
}
