// Rehash on login: a client secret stored with a weaker hash than configured (an older default, fewer
// iterations, a Hydra import) is hashed again at the configured cost when the client next authenticates with
// it, the only moment the plaintext exists. The token response does not wait for it, and a secret changed in
// the meantime is never overwritten (the store writes only while the old hash is still there).
import type { StoredClient } from './client.js';
import type { ClientStore } from './ports.js';

export interface SecretHashUpgradeDeps {
  hasher: { needsRehash(hash: string): boolean; hash(secret: string): Promise<string> };
  store: Pick<ClientStore, 'replaceSecretHash'>;
  /** A failed upgrade is only logged: the old hash still verifies, and the next login with a reloaded row tries again. */
  onError(clientId: string, error: unknown): void;
}

/**
 * Called with each client whose secret just verified; starts at most one upgrade per client at a time, and at
 * most one per row object: the client cache hands out the same row until it reloads it (a successful upgrade
 * makes it reload), so while the store keeps refusing the write, a client's logins do not each pay a full
 * rehash. The promise (settled when the upgrade is done; it never rejects) is for tests: callers do not wait.
 */
export function secretHashUpgrade(
  deps: SecretHashUpgradeDeps,
): (client: StoredClient, secret: string) => Promise<void> {
  const seen = new WeakSet<StoredClient>();
  const running = new Set<string>();
  return async (client, secret) => {
    if (seen.has(client)) return;
    seen.add(client);
    const old = client.secret_hash;
    if (old === null || running.has(client.client_id) || !deps.hasher.needsRehash(old)) return;
    running.add(client.client_id);
    try {
      await deps.store.replaceSecretHash(client.client_id, old, await deps.hasher.hash(secret));
    } catch (error) {
      deps.onError(client.client_id, error);
    } finally {
      running.delete(client.client_id);
    }
  };
}
