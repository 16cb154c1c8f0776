// Client fixtures for the oauth2 unit tests: StoredClient values and a Map-backed lookup.
import type { StoredClient } from '../../server/clients/client.js';

/** Secrets are "hashed" as `hash:<secret>` so tests can verify without PBKDF2. */
export const fakeHash = (secret: string) => `hash:${secret}`;
export const verifyFakeSecret = async (secret: string, hash: string) => hash === fakeHash(secret);
/** The hash an unknown client's secret is checked against: no secret a test sends matches it. */
export const fakeUnknownClientHash = async () => fakeHash('\0no client has this secret');

export function makeClient(
  document: Partial<StoredClient['document']> & { client_id: string },
  secret: string | null = 'secret-123',
): StoredClient {
  const now = new Date('2025-01-01T00:00:00Z');
  return {
    client_id: document.client_id,
    client_name: document.client_name ?? '',
    owner: document.owner ?? '',
    secret_hash: secret === null ? null : fakeHash(secret),
    document: { token_endpoint_auth_method: 'client_secret_basic', ...document } as StoredClient['document'],
    created_at: now,
    updated_at: now,
  };
}

export function clientLookup(...clients: StoredClient[]) {
  const byId = new Map(clients.map((client) => [client.client_id, client]));
  return {
    byId,
    async get(id: string): Promise<StoredClient | null> {
      return byId.get(id) ?? null;
    },
  };
}

/** `Authorization: Basic` with both parts form-urlencoded (RFC 6749 §2.3.1). */
export function basic(id: string, secret: string): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${enc(id)}:${enc(secret)}`).toString('base64')}`;
}
