// OpenID Connect Dynamic Client Registration (RFC 7591) and its management protocol (RFC 7592), as Hydra serves
// them at /oauth2/register (`client/handler.go`): open registration on the public port, then read, replace and
// delete with the client's registration access token. Hydra's refusals and messages; Tollgate adds per-address
// limits on registrations and on failed token checks (docs/dynamic-registration.md).

import { timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { digestKey } from '../cache/map-keys.js';
import { isObject } from '../json.js';
import { isPublicAddress } from '../net/safe-fetch.js';
import {
  ApiError,
  BadRequestError,
  InvalidClientMetadata,
  NotFoundError,
  TooManyRequests,
} from '../oauth2/errors.js';
import type { FailedAuthenticationLockout } from '../protection/lockout.js';
import type { TokenBuckets } from '../protection/token-bucket.js';
import {
  type Client,
  LIFESPAN_FIELDS,
  type OAuth2ClientInputWire,
  type OAuth2ClientWire,
  type StoredClient,
} from './client.js';
import { readClient, renderClient } from './client-codec.js';
import type { ClientService } from './client-service.js';
import type { ClientStore } from './ports.js';
import { clientFromStored } from './stored-client.js';

export interface RegistrationDeps {
  /** `oidc.dynamic_client_registration.enabled`: when false every operation answers Hydra's 404. */
  enabled: boolean;
  clients: Pick<ClientService, 'create' | 'setRegistered'>;
  /**
   * The store itself, never a cache: a token a PUT replaced must fail at once on every replica, and a cache
   * would serve the old key until the change notification arrives.
   */
  store: Pick<ClientStore, 'get' | 'delete'>;
  /** The storage key of a registration access token whose HMAC verifies, else null (OpaqueTokenStrategy). */
  tokenKey: (token: string) => Promise<string | null>;
  /**
   * `clients.http.*`: when private addresses are disallowed, a registered URL the server would fetch may not
   * name one literally (the guarded fetch checks every resolved address again when it runs).
   */
  outbound?: { disallowPrivateIpRanges: boolean; privateIpExceptionUrls: readonly string[] };
  limits?: {
    /** Registrations per source address. */
    registrations?: Pick<TokenBuckets, 'take'>;
    /** Failed registration access token checks per source address. */
    failedChecks?: Pick<FailedAuthenticationLockout, 'lockedFor' | 'fullFor' | 'failed'>;
  };
}

/** What the caller presents to the management operations. */
export interface ManagementRequest {
  id: string;
  /** The raw Authorization header. */
  authorization: string | undefined;
  /** The source address (http/source-address.ts), for the failed-check limit. */
  source: string;
}

/** herodot's 404 with Hydra's reason (`requireDynamicAuth`). */
export class RegistrationDisabled extends NotFoundError {
  constructor() {
    super('The requested resource could not be found', 'Dynamic registration is not enabled.');
  }
}

/**
 * Hydra's one answer to every failed management check (`ValidDynamicAuth`): an unknown client, a missing,
 * malformed or forged token, and another client's token all look the same, so the API tells nobody which ids
 * exist.
 */
export class RegistrationUnauthorized extends ApiError {
  constructor() {
    super(
      401,
      'The request could not be authorized',
      'The requested OAuth 2.0 client does not exist or you provided incorrect credentials.',
    );
  }
}

/** herodot's 403 (`setOidcDynamicClient`). */
class Forbidden extends ApiError {
  constructor(reason: string) {
    super(403, 'The requested action was forbidden', reason);
  }
}

/** client/error.go ErrInvalidRequest: its own description, replaced by `WithDescription`. */
class DynamicFieldRefused extends ApiError {
  constructor(field: string) {
    super(400, 'invalid_request', `"${field}" cannot be set for dynamic client registration`);
  }
}

const OWN_SECRET = 'It is not allowed to choose your own OAuth2 Client secret.';

/** RFC 6750 §2.1 credentials; fosite also reads an `access_token` parameter, which RFC 6750 §2.3 discourages. */
function bearerToken(authorization: string | undefined): string {
  const match = /^bearer (.+)$/is.exec(authorization ?? '');
  return match?.[1] ?? '';
}

/** Constant-time comparison of two storage keys (Hydra: subtle.ConstantTimeCompare). */
function sameKey(stored: string, presented: string): boolean {
  const a = Buffer.from(stored);
  const b = Buffer.from(presented);
  if (a.length !== b.length) return false;
  return timingSafeEqual(a, b);
}

const retryAfter = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/**
 * What a per-address limit counts: an IPv4 address (also in its IPv4-mapped IPv6 form), or an IPv6 caller's
 * /64, since one subscriber routinely holds a whole /64 (RFC 6177) and could otherwise pick a new address for
 * every request.
 */
function limitKey(source: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(source);
  if (mapped) return digestKey(mapped[1] as string);
  if (isIP(source) !== 6) return digestKey(source);
  const [head = '', tail] = source.replace(/%.*$/, '').split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups =
    tail === undefined
      ? left
      : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  const prefix = groups.slice(0, 4).map((g) => Number.parseInt(g, 16).toString(16));
  return digestKey(`${prefix.join(':')}::/64`);
}

/**
 * Hydra's `ValidateDynamicRegistration`, before the common validation: the fields only an administrator sets.
 * `metadata` is refused whenever its key is sent (Go decodes even `null` into a non-nil RawMessage).
 */
function refuseAdminFields(input: unknown, client: Client, current?: Client): void {
  if (isObject(input) && input.metadata !== undefined) {
    throw new InvalidClientMetadata('"metadata" cannot be set for dynamic client registration');
  }
  if (client.access_token_strategy !== '') {
    throw new BadRequestError('It is not allowed to choose your own access token strategy.');
  }
  if (client.skip_consent) throw new DynamicFieldRefused('skip_consent');
  if (client.skip_logout_consent === true) throw new DynamicFieldRefused('skip_logout_consent');
  // Tollgate: token lifespans are the administrator's (Hydra sets them apart, PUT /admin/clients/{id}/lifespans);
  // Hydra's registration takes them, which lets anyone register a client that issues itself year-long tokens.
  // A PUT may send back what the administrator set (RFC 7592 §2.2 replaces with the full document read).
  const lifespan = LIFESPAN_FIELDS.find((f) => client[f] != null && client[f] !== current?.[f]);
  if (lifespan) throw new DynamicFieldRefused(lifespan);
}

/** The URLs of a client that the server fetches or posts to (Hydra checks jwks_uri, backchannel_logout_uri, request_uris). */
function serverSideUrls(client: Client): [string, string][] {
  const urls: [string, string][] = [
    ['jwks_uri', client.jwks_uri],
    ['sector_identifier_uri', client.sector_identifier_uri],
    ['backchannel_logout_uri', client.backchannel_logout_uri],
  ];
  for (const [i, uri] of (client.request_uris ?? []).entries()) urls.push([`request_uris.${i}`, uri]);
  return urls.filter(([, url]) => url !== '');
}

/** A host that is a loopback name or a literal address outside the public ranges (no DNS: that is the fetch's job). */
function namesPrivateHost(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return false; // not a URL: the validation refuses it, or the fetch never happens
  }
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  const literal = host.startsWith('[') ? host.slice(1, -1) : host;
  return isIP(literal) !== 0 && !isPublicAddress(literal);
}

export function createRegistration(deps: RegistrationDeps) {
  const { registrations, failedChecks } = deps.limits ?? {};
  const outbound = deps.outbound ?? { disallowPrivateIpRanges: true, privateIpExceptionUrls: [] };
  const exceptions = new Set(outbound.privateIpExceptionUrls);

  /** Refuses early what the guarded fetch would refuse later, so the client learns at registration. */
  const refusePrivateUrls = (client: Client) => {
    if (!outbound.disallowPrivateIpRanges) return;
    for (const [field, url] of serverSideUrls(client)) {
      if (!exceptions.has(url) && namesPrivateHost(url)) {
        throw new InvalidClientMetadata(
          `Client IP address is not allowed: ${field} ${url} names a private, loopback or link-local host.`,
        );
      }
    }
  };

  const requireEnabled = () => {
    if (!deps.enabled) throw new RegistrationDisabled();
  };

  /**
   * The stored client the request may manage, or RegistrationUnauthorized. The token's HMAC is checked before
   * any lookup, so a forged token costs no query and answers alike for known and unknown ids.
   */
  async function authorized(request: ManagementRequest): Promise<StoredClient> {
    const source = limitKey(request.source);
    if (failedChecks) {
      const wait = failedChecks.lockedFor(source) || failedChecks.fullFor(source);
      if (wait > 0) {
        throw new TooManyRequests(
          retryAfter(wait),
          'Too many failed registration access token checks from this address.',
        );
      }
    }
    const key = await deps.tokenKey(bearerToken(request.authorization));
    const stored = key === null ? null : await deps.store.get(request.id);
    if (key === null || !matches(stored, key)) {
      // Every failure counts, a success resets nothing: a caller holding a good token for its own client
      // must not earn more guesses at other clients' tokens.
      failedChecks?.failed(source);
      throw new RegistrationUnauthorized();
    }
    return stored!;
  }

  const matches = (stored: StoredClient | null, key: string) =>
    stored?.registration_token_signature != null && sameKey(stored.registration_token_signature, key);

  return {
    /** POST /oauth2/register (RFC 7591 §3): 201 with the secret, the registration access token and URI. */
    async register(input: OAuth2ClientInputWire, source: string): Promise<OAuth2ClientWire> {
      requireEnabled();
      if (registrations) {
        const wait = registrations.take(limitKey(source));
        if (wait > 0) {
          throw new TooManyRequests(
            retryAfter(wait),
            'The client registration rate limit for this address is exceeded.',
          );
        }
      }
      const { client, secret } = readClient(input);
      if (secret !== '') throw new BadRequestError(OWN_SECRET);
      refuseAdminFields(input, client);
      refusePrivateUrls(client);
      // The server always chooses the id (Hydra: uuidx.NewV4).
      return deps.clients.create({ ...input, client_id: undefined });
    },

    /** GET /oauth2/register/{id} (RFC 7592 §2.1): the client without secret or metadata. */
    async get(request: ManagementRequest): Promise<OAuth2ClientWire> {
      requireEnabled();
      const stored = await authorized(request);
      const client = renderClient(clientFromStored(stored), {
        created_at: stored.created_at,
        updated_at: stored.updated_at,
      });
      // Hydra sets Metadata to nil, which `omitempty` leaves out.
      delete (client as Partial<OAuth2ClientWire>).metadata;
      return client;
    },

    /**
     * PUT /oauth2/register/{id} (RFC 7592 §2.2): a full replace; the response carries a new registration
     * access token and the old one fails from then on.
     */
    async set(request: ManagementRequest, input: OAuth2ClientInputWire): Promise<OAuth2ClientWire> {
      requireEnabled();
      const stored = await authorized(request);
      const { client, secret } = readClient(input);
      if (secret !== '') throw new Forbidden(OWN_SECRET);
      const current = clientFromStored(stored);
      refuseAdminFields(input, client, current);
      refusePrivateUrls(client);
      // The administrator's lifespans stay when the replacement leaves them out (else the client would get the
      // server's default, which may be longer).
      const kept: OAuth2ClientInputWire = { ...input };
      for (const f of LIFESPAN_FIELDS) if (client[f] == null && current[f] != null) kept[f] = current[f];
      const key = stored.registration_token_signature!;
      try {
        // Checked again under the row lock: a concurrent PUT with the same token may have replaced it.
        return await deps.clients.setRegistered(stored.client_id, kept, (existing) => {
          if (!matches(existing, key)) throw new RegistrationUnauthorized();
        });
      } catch (err) {
        // Deleted meanwhile: the same answer as for an id that never existed.
        if (err instanceof NotFoundError) throw new RegistrationUnauthorized();
        throw err;
      }
    },

    /** DELETE /oauth2/register/{id} (RFC 7592 §2.3): the client and its tokens. */
    async delete(request: ManagementRequest): Promise<string> {
      requireEnabled();
      const stored = await authorized(request);
      if (!(await deps.store.delete(stored.client_id))) throw new RegistrationUnauthorized();
      return stored.client_id;
    },
  };
}

export type Registration = ReturnType<typeof createRegistration>;
