// Client authentication at the token and revocation endpoints (RFC 6749 §2.3.1), reproducing fosite's
// DefaultClientAuthenticationStrategy (fosite/client_authentication.go) for `client_secret_basic`,
// `client_secret_post` and `none`; `private_key_jwt` (RFC 7523 §2.2) is client-assertion.ts.
//
// Unlike Hydra, a failing store or hasher is never reported as `invalid_client`: those errors propagate
// unchanged so the HTTP layer can answer 503 (docs/hydra-differences.md).
//
// Enumeration: whether a client id exists must not show. An unknown id, a client without a secret and a wrong
// secret get the same answer after the same work: the presented secret is checked against a hash either way
// (for an unknown id, a hash of a random secret made once with the configured cost). fosite's hint about the
// authentication method is given only once the secret has verified, i.e. to the client's owner.
import { randomBytes } from 'node:crypto';
import { isOverlongClientId, type StoredClient } from '../clients/client.js';
import {
  authenticateClientAssertion,
  type ClientAssertionDeps,
  JWT_BEARER_ASSERTION,
} from './client-assertion.js';
import { InvalidClient, InvalidRequest } from './errors.js';
import { type Form, formValue } from './form.js';

export interface ClientAuthenticationRequest {
  /** The raw `Authorization` header, if any. */
  authorization?: string;
  form: Form;
  /** The caller's address (http/source-address.ts), which the failed-authentication lockout counts by. */
  source?: string;
}

export interface ClientAuthenticationDeps {
  clients: { get(id: string): Promise<StoredClient | null> };
  /** Compares a presented secret with a stored hash in constant time. */
  verifySecret(secret: string, hash: string): Promise<boolean>;
  /** What a secret is checked against when there is no stored hash to check it against (`dummySecretHash`). */
  unknownClientHash(): Promise<string>;
  /** Told of every secret that verified: the one moment the plaintext is known (rehash on login). */
  secretVerified?(client: StoredClient, secret: string): void;
  /** private_key_jwt's keys, replay store and audiences; without them the method is refused. */
  assertions?: Omit<ClientAssertionDeps, 'clients'>;
}

/** A hash of a random secret nobody knows, made on first use with `hash` (the configured cost), then kept. */
export function dummySecretHash(hash: (secret: string) => Promise<string>): () => Promise<string> {
  let made: Promise<string> | undefined;
  return () => {
    made ??= hash(randomBytes(32).toString('base64url')).catch((err: unknown) => {
      made = undefined;
      throw err;
    });
    return made;
  };
}

export type ClientAuthenticator = (request: ClientAuthenticationRequest) => Promise<StoredClient>;

/** Hydra's GetTokenEndpointAuthMethod: an unset method means `client_secret_basic`. */
export function tokenEndpointAuthMethod(client: StoredClient): string {
  return client.document.token_endpoint_auth_method || 'client_secret_basic';
}

/** Hydra's IsPublic: only `none` makes a client public. */
export function isPublicClient(client: StoredClient): boolean {
  return client.document.token_endpoint_auth_method === 'none';
}

/** `authenticateClient` bound to its dependencies once, as the token endpoint and revocation call it. */
export function clientAuthenticator(deps: ClientAuthenticationDeps): ClientAuthenticator {
  return (request) => authenticateClient(request, deps);
}

/** Returns the authenticated client or throws `InvalidRequest` / `InvalidClient`. */
export async function authenticateClient(
  request: ClientAuthenticationRequest,
  deps: ClientAuthenticationDeps,
): Promise<StoredClient> {
  const { form } = request;
  const assertionType = formValue(form, 'client_assertion_type');
  if (assertionType === JWT_BEARER_ASSERTION) {
    if (!deps.assertions) {
      throw new InvalidRequest(
        "Client authentication method 'private_key_jwt' is not supported by this server.",
      );
    }
    return authenticateClientAssertion(form, { ...deps.assertions, clients: deps.clients });
  }
  if (assertionType !== '') throw new InvalidRequest(`Unknown client_assertion_type '${assertionType}'.`);

  const basic = parseBasicAuthorization(request.authorization);
  let clientId: string;
  let secret: string;
  if (basic) {
    // RFC 6749 §2.3.1: both parts are form-urlencoded before they are put in the header.
    clientId = decodeBasicPart(basic.username, 'client id');
    secret = decodeBasicPart(basic.password, 'client secret');
  } else {
    clientId = formValue(form, 'client_id');
    secret = formValue(form, 'client_secret');
    if (clientId === '') {
      throw new InvalidRequest(
        'Client credentials missing or malformed in both HTTP Authorization header and HTTP POST body.',
      );
    }
  }

  // Answered as Hydra answers an id it does not find, before the id is looked up, cached or counted anywhere.
  if (isOverlongClientId(clientId)) throw new InvalidClient();
  const client = await deps.clients.get(clientId);

  if (secret !== '') {
    const hash = client?.secret_hash ?? null;
    const verified = await deps.verifySecret(secret, hash ?? (await deps.unknownClientHash()));
    if (!client || hash === null || !verified) throw new InvalidClient();
    checkMethod(client, request, basic);
    deps.secretVerified?.(client, secret);
    // A public client with a stored secret that verified still presented one, so checkMethod refused it.
    return client;
  }
  // No secret: only a public client passes (an empty secret can never match; fosite would hash it and fail).
  if (!client || !isPublicClient(client)) throw new InvalidClient();
  // Unproven callers get no hint, so a method mismatch (a secret in the body only) is the generic answer.
  if (formValue(form, 'client_id') !== '' && formValue(form, 'client_secret') !== '')
    throw new InvalidClient();
  return client;
}

/**
 * fosite's method checks, in its order, for a client whose secret has verified. A secret in both header and
 * body therefore always fails: whichever method the client has, one of the two checks rejects it.
 */
function checkMethod(
  client: StoredClient,
  { form }: ClientAuthenticationRequest,
  basic: { password: string } | null,
): void {
  const method = tokenEndpointAuthMethod(client);
  if (
    formValue(form, 'client_id') !== '' &&
    formValue(form, 'client_secret') !== '' &&
    method !== 'client_secret_post'
  ) {
    throw methodMismatch(method, 'client_secret_post');
  }
  if (basic && basic.password !== '' && method !== 'client_secret_basic') {
    throw methodMismatch(method, 'client_secret_basic');
  }
}

function methodMismatch(supported: string, requested: string): InvalidClient {
  return new InvalidClient(
    `The OAuth 2.0 Client supports client authentication method '${supported}', but method '${requested}' was requested. You must configure the OAuth 2.0 client's 'token_endpoint_auth_method' value to accept '${requested}'.`,
  );
}

function decodeBasicPart(value: string, what: string): string {
  try {
    return queryUnescape(value);
  } catch {
    throw new InvalidRequest(
      `The ${what} in the HTTP authorization header could not be decoded from 'application/x-www-form-urlencoded'.`,
    );
  }
}

const PLAIN_ASCII = /^[\x20-\x24\x26-\x2a\x2c-\x7e]*$/;

const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Go's `Request.BasicAuth`: a case-insensitive `Basic ` prefix, standard padded base64 (CR and LF ignored),
 * split at the first colon. Anything else is "no basic credentials", and the form body is used instead. The
 * parts are returned as byte strings (one char per byte) and are not yet unescaped.
 */
export function parseBasicAuthorization(
  header: string | undefined,
): { username: string; password: string } | null {
  const prefix = 'basic ';
  if (header === undefined || header.length < prefix.length) return null;
  if (header.slice(0, prefix.length).toLowerCase() !== prefix) return null;
  const encoded = header.slice(prefix.length).replace(/[\r\n]/g, '');
  if (!STRICT_BASE64.test(encoded)) return null;
  const decoded = Buffer.from(encoded, 'base64').toString('latin1');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * Go's `url.QueryUnescape` on a byte string: `+` becomes a space, `%xx` a byte; a malformed escape throws.
 * The resulting bytes are read as UTF-8.
 */
export function queryUnescape(value: string): string {
  // The common case (an id or a generated secret: printable ASCII, nothing escaped) is the value itself.
  if (PLAIN_ASCII.test(value)) return value;
  const bytes: number[] = [];
  for (let i = 0; i < value.length; ) {
    const c = value.charCodeAt(i);
    if (c === 0x25 /* % */) {
      const hex = value.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw new Error(`invalid URL escape "${value.slice(i, i + 3)}"`);
      bytes.push(Number.parseInt(hex, 16));
      i += 3;
    } else {
      bytes.push(c === 0x2b /* + */ ? 0x20 : c & 0xff);
      i++;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}
