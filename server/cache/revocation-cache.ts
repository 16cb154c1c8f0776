// Introspection of stateless JWTs asks whether the token was revoked (its client's not-before, the denylist).
// The answers, revoked or not, are remembered per token signature: revocations are rare next to
// introspections, and every statement that changes them notifies all replicas (migration
// 20261126000500), whereupon each forgets every answer, as TokenCache does for deleted rows. Off (and empty)
// while change notifications are not being received; any answer is at most `ttlMs` old.
import type { StatelessRevocations } from '../oauth2/stateless.js';
import type { ChangeFeed } from './change-feed.js';
import { NotifiedCache } from './notified-cache.js';

type Token = { signature: string; client_id: string; requested_at: Date };

export class RevocationCache implements StatelessRevocations {
  private readonly answers: NotifiedCache<string, boolean>;

  constructor(
    private readonly store: StatelessRevocations,
    options: { max?: number; ttlMs?: number } = {},
  ) {
    this.answers = new NotifiedCache(options);
  }

  isRevoked(token: Token): Promise<boolean> {
    // The signature determines the token, hence its client and issue time.
    return this.answers.get(token.signature, () => this.store.isRevoked(token));
  }

  revokeAllOf(clientId: string, at: Date): Promise<void> {
    return this.answers.forgetAfter(() => this.store.revokeAllOf(clientId, at));
  }

  revokeOne(token: { signature: string; client_id: string; expires_at: Date }): Promise<void> {
    return this.answers.forgetAfter(() => this.store.revokeOne(token));
  }

  /** Follows both tables that decide revocation (migration 20261126000500 notifies on every change). */
  watch(feed: ChangeFeed): void {
    this.answers.follow(feed, ['oauth2_token_not_before', 'oauth2_revoked_stateless_tokens']);
  }
}
