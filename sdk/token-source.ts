// A client-credentials token source for services calling each other (RFC 6749 §4.4): it caches the token until
// shortly before it expires, lets concurrent callers share one token request, and offers a fetch that sends the
// token and, after a 401, retries once with a new one. The client authenticates with its secret, or with a
// private key (`private_key_jwt`, RFC 7523 §2.2: a fresh signed assertion per token request).

import { basicAuthorization, formBody } from './client.js';
import { assertionSigner, type PrivateKeyJwt } from './client-assertion.js';
import { fetchOrThrow, OAuth2ApiError } from './errors.js';
import type { components } from './generated/openapi.js';

export type TokenResponse = components['schemas']['oAuth2TokenExchange'];

export type { AssertionAlgorithm, PrivateJwk, PrivateKeyJwt, PrivateKeyObject } from './client-assertion.js';

/** The client's credential: its secret, or its private key for `private_key_jwt`. */
type Credential =
  | { clientSecret: string; privateKeyJwt?: never }
  | {
      /** Authenticate with a signed assertion instead of a secret (the client's method is private_key_jwt). */
      privateKeyJwt: PrivateKeyJwt;
      clientSecret?: never;
    };

interface Common {
  clientId: string;
  /** Scopes to request (space-separated or a list). */
  scope?: string | string[];
  /** Audiences to request (Hydra's `audience` parameter), sent as repeated parameters. */
  audience?: string | string[];
  /** `client_secret_basic` (default) or `client_secret_post`; not used with `privateKeyJwt`. */
  authMethod?: 'client_secret_basic' | 'client_secret_post';
  fetch?: typeof fetch;
  /**
   * How long before expiry a token is replaced, in seconds (default 30). Never more than a tenth of the
   * token's lifetime, so short-lived tokens are still reused.
   */
  refreshBeforeExpiry?: number;
}

export type ClientCredentialsOptions = Common &
  Credential &
  (
    | {
        /** The token endpoint, e.g. `http://127.0.0.1:4444/oauth2/token`. */ tokenUrl: string;
        issuer?: never;
      }
    | {
        /** The issuer URL; the token endpoint is read from its RFC 8414 or OpenID discovery document. */
        issuer: string;
        tokenUrl?: never;
      }
  );

export interface TokenSource {
  /** A valid access token: the cached one, or a new one when it is missing or about to expire. */
  getToken(): Promise<string>;
  /** Like getToken, with the whole token response (scope, expires_in as received). */
  getTokenResponse(): Promise<TokenResponse>;
  /** Forgets the cached token, so the next getToken() asks for a new one. */
  invalidate(): void;
  /** fetch with `Authorization: Bearer <token>`; on a 401 it gets a new token and retries once. */
  fetch(input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]): Promise<Response>;
}

interface Cached {
  response: TokenResponse;
  /** Epoch ms after which the token is not handed out any more. */
  refreshAt: number;
}

export function clientCredentials(options: ClientCredentialsOptions): TokenSource {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const skewMs = (options.refreshBeforeExpiry ?? 30) * 1000;
  let cached: Cached | undefined;
  let inFlight: Promise<Cached> | undefined;
  let tokenUrl: Promise<string> | undefined;
  const signAssertion = options.privateKeyJwt ? assertionSigner(options.privateKeyJwt) : undefined;

  const endpoint = () => {
    if (options.tokenUrl) return Promise.resolve(options.tokenUrl);
    // A failed discovery is not remembered: the next call tries again.
    tokenUrl ??= discoverTokenEndpoint(options.issuer!, fetchImpl).catch((err) => {
      tokenUrl = undefined;
      throw err;
    });
    return tokenUrl;
  };

  async function requestToken(): Promise<Cached> {
    const url = await endpoint();
    const form: Record<string, unknown> = {
      grant_type: 'client_credentials',
      scope: Array.isArray(options.scope) ? options.scope.join(' ') : options.scope,
      audience: options.audience,
    };
    const headers = new Headers({
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    });
    if (signAssertion) {
      form.client_id = options.clientId;
      form.client_assertion_type = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
      form.client_assertion = await signAssertion(options.clientId, url);
    } else if (options.authMethod === 'client_secret_post') {
      form.client_id = options.clientId;
      form.client_secret = options.clientSecret;
    } else {
      headers.set('authorization', basicAuthorization(options.clientId, options.clientSecret ?? ''));
    }
    const started = Date.now();
    const request = new Request(url, { method: 'POST', headers, body: formBody(form) });
    const response = await fetchOrThrow(fetchImpl, request);
    if (!response.ok) throw await OAuth2ApiError.fromResponse(response, `POST ${url}`);
    const body = (await response.json()) as TokenResponse;
    // Without expires_in there is nothing to cache against (RFC 6749 §5.1 only RECOMMENDS it).
    const lifetimeMs = typeof body.expires_in === 'number' ? body.expires_in * 1000 : 0;
    const refreshAt = started + lifetimeMs - Math.min(skewMs, lifetimeMs / 10);
    return { response: body, refreshAt };
  }

  async function current(): Promise<Cached> {
    if (cached && Date.now() < cached.refreshAt) return cached;
    if (!inFlight) {
      const flight = requestToken().then(
        (fresh) => {
          if (inFlight === flight) inFlight = undefined;
          cached = fresh;
          return fresh;
        },
        (err) => {
          if (inFlight === flight) inFlight = undefined;
          throw err;
        },
      );
      inFlight = flight;
    }
    return inFlight;
  }

  return {
    getTokenResponse: async () => (await current()).response,
    getToken: async () => (await current()).response.access_token,
    invalidate() {
      cached = undefined;
      inFlight = undefined;
    },
    async fetch(input, init) {
      const original = new Request(input, init);
      const send = (token: string) => {
        const request = new Request(original.clone(), { headers: new Headers(original.headers) });
        request.headers.set('authorization', `Bearer ${token}`);
        return fetchImpl(request);
      };
      const first = await current();
      const response = await send(first.response.access_token);
      if (response.status !== 401) return response;
      // Only drop the token that was refused; a concurrent caller may already have replaced it.
      if (cached === first) cached = undefined;
      await response.body?.cancel();
      return send((await current()).response.access_token);
    },
  };
}

/**
 * The token endpoint from the issuer's metadata: RFC 8414 §3 (`/.well-known/oauth-authorization-server`,
 * inserted before the issuer's path), else OpenID Connect Discovery 1.0 §4 (appended). Hydra serves both.
 */
export async function discoverTokenEndpoint(
  issuer: string,
  fetchImpl: typeof fetch = fetch,
): Promise<string> {
  const url = new URL(issuer);
  const path = url.pathname.replace(/\/+$/, '');
  const candidates = [
    new URL(`/.well-known/oauth-authorization-server${path}`, url),
    new URL(`${path}/.well-known/openid-configuration`, url),
  ];
  let lastError: unknown;
  for (const candidate of candidates) {
    const request = new Request(candidate, { headers: { accept: 'application/json' } });
    const response = await fetchOrThrow(fetchImpl, request);
    if (!response.ok) {
      lastError = await OAuth2ApiError.fromResponse(response, `GET ${candidate}`);
      continue;
    }
    const metadata = (await response.json()) as { token_endpoint?: unknown };
    if (typeof metadata.token_endpoint === 'string') return metadata.token_endpoint;
    lastError = new Error(`${candidate} has no token_endpoint`);
  }
  throw lastError;
}
