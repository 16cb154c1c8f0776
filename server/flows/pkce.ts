// PKCE (RFC 7636) as Hydra runs it: fosite/handler/pkce/handler.go with plain disabled (fositex/config.go).
// The authorize side runs in the final checks (fosite's authorize_request_handler.go step 11), the token side in the authorization_code grant.
import { createHash } from 'node:crypto';
import { InvalidGrant, InvalidRequest } from '../oauth2/errors.js';

export interface PkceOptions {
  /** `oauth2.pkce.enforced`: every code flow needs a challenge. */
  enforced: boolean;
  /** `oauth2.pkce.enforced_for_public_clients`: public clients (auth method `none`) need one. */
  enforcedForPublicClients: boolean;
}

/** The PKCE parameters an authorization request sent (empty or absent when not sent). */
export interface PkceChallenge {
  code_challenge?: string;
  code_challenge_method?: string;
}

function missingChallenge(options: PkceOptions, publicClient: boolean): InvalidRequest | null {
  if (options.enforced) {
    return new InvalidRequest(
      'Clients must include a code_challenge when performing the authorize code flow, but it is missing.',
    );
  }
  if (options.enforcedForPublicClients && publicClient) {
    return new InvalidRequest(
      'This client must include a code_challenge when performing the authorize code flow, but it is missing.',
    );
  }
  return null;
}

/**
 * fosite's `validate`: S256 only. A challenge without a method counts as `plain` (RFC 7636 §4.3's default),
 * which Hydra refuses.
 */
export function pkceAuthorizeError(
  request: PkceChallenge,
  options: PkceOptions,
  publicClient: boolean,
): InvalidRequest | null {
  const challenge = request.code_challenge ?? '';
  const method = request.code_challenge_method ?? '';
  if (challenge === '') return missingChallenge(options, publicClient);
  if (method === 'S256') return null;
  if (method === 'plain' || method === '') {
    return new InvalidRequest('Clients must use code_challenge_method=S256, plain is not allowed.');
  }
  return new InvalidRequest('The code_challenge_method is not supported, use S256 instead.');
}

// Go's `[^\w\.\-~]`: \w is ASCII letters, digits and underscore.
const VERIFIER_WRONG_FORMAT = /[^A-Za-z0-9_.\-~]/;

/**
 * The token side (fosite HandleTokenEndpointRequest), for the authorization_code grant: `stored` is what the
 * authorization request sent, `verifier` the token request's `code_verifier` ("" when absent). Throws the
 * OAuth2Error fosite returns; returns when the exchange may go on.
 */
export function verifyPkce(
  stored: PkceChallenge,
  verifier: string,
  options: PkceOptions & { publicClient: boolean },
): void {
  const challenge = stored.code_challenge ?? '';
  const method = stored.code_challenge_method ?? '';
  const verifierLength = Buffer.byteLength(verifier, 'utf8');
  // fosite keeps no PKCE session when neither parameter was sent.
  if (challenge === '' && method === '') {
    if (verifierLength === 0) {
      const error = missingChallenge(options, options.publicClient);
      if (error) throw error;
      return;
    }
    throw new InvalidGrant('Unable to find initial PKCE data tied to this request');
  }
  const refused = pkceAuthorizeError(stored, options, options.publicClient);
  if (refused) throw refused;
  if (!options.enforced && challenge === '' && verifierLength === 0) return;
  if (verifierLength < 43) throw new InvalidGrant('The PKCE code verifier must be at least 43 characters.');
  if (verifierLength > 128) {
    throw new InvalidGrant('The PKCE code verifier can not be longer than 128 characters.');
  }
  if (VERIFIER_WRONG_FORMAT.test(verifier)) {
    throw new InvalidGrant("The PKCE code verifier must only contain [a-Z], [0-9], '-', '.', '_', '~'.");
  }
  if (challenge === '') {
    throw new InvalidGrant(
      'The PKCE code verifier was provided but the code challenge was absent from the authorization request.',
    );
  }
  // RFC 7636 §4.6: BASE64URL-ENCODE(SHA256(ASCII(code_verifier))) == code_challenge.
  if (createHash('sha256').update(verifier).digest('base64url') !== challenge) {
    throw new InvalidGrant('The PKCE code challenge did not match the code verifier.');
  }
}
