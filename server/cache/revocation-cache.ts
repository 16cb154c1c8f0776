// Introspection of stateless JWTs asks whether the token was revoked (its client's not-before, the denylist).
// The answers, revoked or not, are remembered per token signature: revocations are rare next to
// introspections, and every statement that changes them notifies all replicas (migration
// 20261126000500), whereupon each forgets every answer, as TokenCache does for deleted rows. Off (and empty)
// while change notifications are not being received; any answer is at most `ttlMs` old.
import type { StatelessRevocations } from '../oauth2/stateless.js';
import { Lru } from './lru.js';

type Token = { signature: string; client_id: string; requested_at: Date };

export class RevocationCache implements StatelessRevocations {
  private readonly answers: Lru<string, boolean>;
  /** Bumped by every change, so an answer read while one happened is not remembered. */
  private generation = 0;
  private enabled = false;

  constructor(
    private readonly store: StatelessRevocations,
    options: { max?: number; ttlMs?: number } = {},
  ) {
    this.answers = new Lru({ max: options.max ?? 10_000, ttlMs: options.ttlMs ?? 30_000 });
  }

  async isRevoked(token: Token): Promise<boolean> {
    if (!this.enabled) return this.store.isRevoked(token);
    // The signature determines the token, hence its client and issue time.
    const hit = this.answers.get(token.signature);
    if (hit !== undefined) return hit;
    const generation = this.generation;
    const revoked = await this.store.isRevoked(token);
    if (this.enabled && generation === this.generation) this.answers.set(token.signature, revoked);
    return revoked;
  }

  async revokeAllOf(clientId: string, at: Date): Promise<void> {
    try {
      await this.store.revokeAllOf(clientId, at);
    } finally {
      this.forget();
    }
  }

  async revokeOne(token: { signature: string; client_id: string; expires_at: Date }): Promise<void> {
    try {
      await this.store.revokeOne(token);
    } finally {
      this.forget();
    }
  }

  /** The revocation state changed somewhere. */
  forget(): void {
    this.generation++;
    this.answers.clear();
  }

  setEnabled(enabled: boolean): void {
    this.forget();
    this.enabled = enabled;
  }
}
