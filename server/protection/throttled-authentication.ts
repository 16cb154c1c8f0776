// Client authentication behind the failed-authentication lockout (protection/lockout.ts), counted per client
// id and source address (docs/lockout.md). Used for every endpoint that authenticates a client (token,
// revocation).
import { isOverlongClientId, type StoredClient } from '../clients/client.js';
import {
  type ClientAuthenticationRequest,
  parseBasicAuthorization,
  queryUnescape,
} from '../oauth2/client-authentication.js';
import { InvalidClient, TooManyRequests } from '../oauth2/errors.js';
import { formValue } from '../oauth2/form.js';
import { decodeCompactJwt } from '../oauth2/jwt-assertion.js';
import { type FailedAuthenticationLockout, lockoutKey } from './lockout.js';

type Authenticate = (request: ClientAuthenticationRequest) => Promise<StoredClient>;

/**
 * The client id a request claims (Basic user name, else the form's `client_id`, else a client assertion's
 * `sub`, which names the client when `client_id` is left out), before it is verified.
 */
export function claimedClientId(request: ClientAuthenticationRequest): string {
  const basic = parseBasicAuthorization(request.authorization);
  if (basic) {
    try {
      return queryUnescape(basic.username);
    } catch {
      return '';
    }
  }
  const id = formValue(request.form, 'client_id');
  if (id !== '' || formValue(request.form, 'client_assertion_type') === '') return id;
  const sub = decodeCompactJwt(formValue(request.form, 'client_assertion'))?.payload.sub;
  return typeof sub === 'string' ? sub : '';
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface LockoutHooks {
  sleep?: (ms: number) => Promise<unknown>;
  /** Called when a failure locks a client id out from an address (for the audit log). */
  onLockout?: (clientId: string, source: string, durationMs: number) => void;
}

export function withLockout(
  authenticate: Authenticate,
  lockout: FailedAuthenticationLockout,
  { sleep = delay, onLockout }: LockoutHooks = {},
): Authenticate {
  return async (request) => {
    const id = claimedClientId(request);
    // No client has an over-long id; authenticate refuses it without a lookup, and it takes no table entry.
    if (id === '' || isOverlongClientId(id)) return authenticate(request);
    const source = request.source ?? '';
    const key = lockoutKey(id, source);
    const locked = lockout.lockedFor(key);
    if (locked > 0) {
      // Refused before the secret is looked at, so a right guess during the lockout cannot be told apart.
      const seconds = Math.ceil(locked / 1000);
      throw new TooManyRequests(
        seconds,
        `Too many failed authentication attempts for this client from this address; it is locked out for ${seconds} more second(s).`,
      );
    }
    const full = lockout.fullFor(key);
    if (full > 0) {
      // A pair the table cannot count would have unlimited guesses, so it is not tried (docs/lockout.md).
      const seconds = Math.ceil(full / 1000);
      throw new TooManyRequests(
        seconds,
        `Too many clients are failing authentication at the moment; try again in ${seconds} second(s).`,
      );
    }
    try {
      const client = await authenticate(request);
      lockout.succeeded(key);
      return client;
    } catch (err) {
      // Only a refused credential counts; a database outage (503) or a malformed request does not.
      if (err instanceof InvalidClient) {
        const ms = lockout.failed(key);
        const locked = lockout.lockedFor(key);
        if (locked > 0) onLockout?.(id, source, locked);
        if (ms > 0) await sleep(ms);
      }
      throw err;
    }
  };
}
