// `private_key_jwt` client authentication (RFC 7523 §2.2, §3; OpenID Connect Core §9), in fosite's order and with
// its messages (fosite/client_authentication.go DefaultClientAuthenticationStrategy). Where Tollgate differs:
//
// - Enumeration: fosite names an existing client's authentication method to anyone who sends an assertion
//   for it. Here, as for secrets (client-authentication.ts), that hint is given only once the assertion verifies
//   against a key the client registered; otherwise the answer is the bare `invalid_client` an unknown id gets.
// - An HMAC assertion (`client_secret_jwt`) is refused as unsupported before any lookup: it can never succeed
//   here, whichever client it names.
// - A key without `use` counts as a signing key (RFC 7517 §4.2 makes `use` optional; fosite skips such keys,
//   which many JWKS generators produce). A key with `use: "enc"` never verifies a signature.
// - An expired (or not yet valid) assertion is `invalid_client` (fosite lets a bare error through: HTTP 500).
// - `aud` may be the token endpoint URL (Hydra) or the issuer (RFC 7523 §3: "the token endpoint URL of the
//   authorization server MAY be used"; the issuer identifier also identifies it).
// - jti values are recorded per client (RFC 7523 §3 allows a per-issuer set), so clients cannot burn each other's.
import type { StoredClient } from '../clients/client.js';
import { isOverlongClientId } from '../clients/client.js';
import type { Jwk } from '../keys/jwk.js';
import type { ClientJwks } from './client-jwks.js';
import { InvalidClient, InvalidRequest, JtiKnown, OAuth2Error } from './errors.js';
import { type Form, formValue } from './form.js';
import { type DecodedJwt, decodeCompactJwt, verifyJwtSignature } from './jwt-assertion.js';
import type { JtiStore } from './ports.js';

export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export interface ClientAssertionDeps {
  clients: { get(id: string): Promise<StoredClient | null> };
  /** Keys behind `jwks_uri` (client-jwks.ts). */
  jwks: ClientJwks;
  jtis: JtiStore;
  /** The accepted `aud` values (jwt-assertion.ts assertionAudiences): the token URL, then the issuer, as named in errors. */
  audiences: string[];
  now?: () => number;
}

type KeyFamily = 'RSA' | 'EC';

const integrity = () => new InvalidClient("Unable to verify the integrity of the 'client_assertion' value.");

/** Authenticates a request carrying `client_assertion_type=…jwt-bearer`; throws fosite's errors. */
export async function authenticateClientAssertion(
  form: Form,
  deps: ClientAssertionDeps,
): Promise<StoredClient> {
  const assertion = formValue(form, 'client_assertion');
  if (assertion === '') {
    throw new InvalidRequest(
      `The client_assertion request parameter must be set when using client_assertion_type of '${JWT_BEARER_ASSERTION}'.`,
    );
  }
  const decoded = decodeCompactJwt(assertion);
  const alg = decoded?.header.alg;
  if (!decoded || typeof alg !== 'string' || alg === '') throw integrity();
  if (/^HS(256|384|512)$/.test(alg)) {
    throw new InvalidClient(
      "This authorization server does not support client authentication method 'client_secret_jwt'.",
    );
  }

  let clientId = formValue(form, 'client_id');
  if (clientId === '') {
    const sub = decoded.payload.sub;
    if (typeof sub !== 'string') {
      throw new InvalidClient("The claim 'sub' from the client_assertion JSON Web Token is undefined.");
    }
    clientId = sub;
  }
  // An id no client can have (a NUL, which PostgreSQL's text refuses, can come from `sub`): unknown, unqueried.
  if (isOverlongClientId(clientId) || clientId.includes('\u0000')) throw new InvalidClient();
  const client = await deps.clients.get(clientId);
  if (!client) throw new InvalidClient();

  const method = client.document.token_endpoint_auth_method || 'client_secret_basic';
  const signingAlg = client.document.token_endpoint_auth_signing_alg || 'RS256';
  if (method !== 'private_key_jwt') {
    // The hint names the client's method, so it goes only to whoever holds one of the client's keys.
    const proven =
      alg === signingAlg &&
      (await verifiedKey(client, decoded, deps).then(
        () => true,
        (err: unknown) => {
          // A refused key or signature is no proof; anything else (a bug) is not hidden.
          if (err instanceof OAuth2Error) return false;
          throw err;
        },
      ));
    if (!proven) throw new InvalidClient();
    throw methodMismatch(method);
  }
  if (alg !== signingAlg) {
    throw new InvalidClient(
      `The 'client_assertion' uses signing algorithm '${alg}' but the requested OAuth 2.0 Client enforces signing algorithm '${signingAlg}'.`,
    );
  }
  await verifiedKey(client, decoded, deps);
  await checkClaims(decoded, clientId, deps);
  return client;
}

function methodMismatch(method: string): InvalidClient {
  if (method === 'none') {
    return new InvalidClient(
      "This requested OAuth 2.0 client does not support client authentication, however 'client_assertion' was provided in the request.",
    );
  }
  if (method === 'client_secret_post' || method === 'client_secret_basic') {
    return new InvalidClient(
      `This requested OAuth 2.0 client only supports client authentication method '${method}', however 'client_assertion' was provided in the request.`,
    );
  }
  return new InvalidClient(
    `This requested OAuth 2.0 client only supports client authentication method '${method}', however that method is not supported by this server.`,
  );
}

/** Finds the client's key for the assertion (refetching `jwks_uri` once on a miss) and checks the signature. */
async function verifiedKey(
  client: StoredClient,
  decoded: DecodedJwt,
  deps: ClientAssertionDeps,
): Promise<void> {
  const alg = decoded.header.alg as string;
  const family: KeyFamily | undefined = /^(RS|PS)(256|384|512)$/.test(alg)
    ? 'RSA'
    : /^ES(256|384|512)$/.test(alg)
      ? 'EC'
      : undefined;
  if (!family) {
    throw new InvalidClient(
      `The 'client_assertion' request parameter uses unsupported signing algorithm '${alg}'.`,
    );
  }
  const kid = typeof decoded.header.kid === 'string' ? decoded.header.kid : undefined;
  const inline = (client.document.jwks as { keys?: unknown } | undefined)?.keys;
  let key: Record<string, unknown>;
  if (Array.isArray(inline)) {
    key = findPublicKey(inline as Record<string, unknown>[], kid, family);
  } else if (client.document.jwks_uri) {
    const uri = client.document.jwks_uri;
    try {
      key = findPublicKey(await deps.jwks.resolve(uri, false), kid, family);
    } catch (err) {
      if (!(err instanceof InvalidRequest)) throw err;
      key = findPublicKey(await deps.jwks.resolve(uri, true), kid, family);
    }
  } else {
    throw new InvalidClient(
      'The OAuth 2.0 Client has no JSON Web Keys set registered, but they are needed to complete the request.',
    );
  }
  if (!(await verifyJwtSignature(decoded, key as unknown as Jwk))) throw integrity();
}

/** fosite's findPublicKey: by `kid` when the header has one, the first signing key of the algorithm's type. */
function findPublicKey(keys: Record<string, unknown>[], kid: string | undefined, family: KeyFamily) {
  if (keys.length === 0) throw new InvalidRequest('The retrieved JSON Web Key Set does not contain any key.');
  const candidates = kid === undefined ? keys : keys.filter((k) => k.kid === kid);
  if (candidates.length === 0) {
    throw new InvalidRequest(
      `The JSON Web Token uses signing key with kid '${kid}', which could not be found.`,
    );
  }
  const key = candidates.find((k) => (k.use === 'sig' || k.use === undefined) && k.kty === family);
  if (key) return key;
  throw new InvalidRequest(
    `Unable to find ${family === 'RSA' ? 'RSA' : 'ECDSA'} public key with use='sig' for kid '${kid ?? ''}' in JSON Web Key Set.`,
  );
}

/** Go's MapClaims.toInt64: a JSON number, truncated; anything else counts as absent. */
const numeric = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : undefined);

/** The latest instant a Date (and PostgreSQL) can hold, for an `exp` far in the future. */
const MAX_DATE_MS = 8.64e15;

async function checkClaims(decoded: DecodedJwt, clientId: string, deps: ClientAssertionDeps): Promise<void> {
  const claims = decoded.payload;
  const now = Math.floor((deps.now ?? Date.now)() / 1000);
  const exp = numeric(claims.exp);
  const iat = numeric(claims.iat);
  const nbf = numeric(claims.nbf);
  // fosite's MapClaims.Valid (no leeway); as there, the last failing check names the reason.
  let invalid: string | undefined;
  if (exp !== undefined && now > exp) invalid = 'Token is expired';
  if (iat !== undefined && iat !== 0 && now < iat) invalid = 'Token used before issued';
  if (nbf !== undefined && nbf !== 0 && now < nbf) invalid = 'Token is not valid yet';
  if (invalid) {
    throw new InvalidClient(
      `Unable to verify the request object because its claims could not be validated, check if the expiry time is set correctly. ${invalid}.`,
    );
  }

  if (typeof claims.iss !== 'string' || claims.iss === '' || claims.iss !== clientId) {
    throw new InvalidClient(
      "Claim 'iss' from 'client_assertion' must match the 'client_id' of the OAuth 2.0 Client.",
    );
  }
  if (claims.sub !== clientId) {
    throw new InvalidClient(
      "Claim 'sub' from 'client_assertion' must match the 'client_id' of the OAuth 2.0 Client.",
    );
  }
  const jti = claims.jti;
  if (typeof jti !== 'string' || jti === '') {
    throw new InvalidClient("Claim 'jti' from 'client_assertion' must be set but is not.");
  }
  if (exp === undefined) {
    throw new InvalidClient(
      'Unable to type assert the expiry time from claims. This should not happen as we validate the expiry time already earlier with token.Claims.Valid()',
    );
  }
  // Recorded until `exp` (RFC 7523 §3 item 7), per client; one atomic claim, so two concurrent uses cannot both pass.
  const recorded = await deps.jtis.claim(
    `private_key_jwt\u0000${clientId}\u0000${jti}`,
    new Date(Math.min(exp * 1000, MAX_DATE_MS)),
  );
  if (!recorded) throw new JtiKnown("Claim 'jti' from 'client_assertion' MUST only be used once.");

  if (!audienceMatches(claims.aud, deps.audiences)) {
    throw new InvalidClient(
      // The token URL and the issuer; the other entries only spell the issuer with or without its slash.
      `Claim 'audience' from 'client_assertion' must match the authorization server's token endpoint '${deps.audiences.slice(0, 2).join("' or '")}'.`,
    );
  }
}

/** fosite's audienceMatchesTokenURL: an array holding one of the URLs, or a string equal to one. */
function audienceMatches(aud: unknown, accepted: string[]): boolean {
  if (Array.isArray(aud)) return aud.some((a) => typeof a === 'string' && accepted.includes(a));
  return typeof aud === 'string' && accepted.includes(aud);
}
