// PKCE (RFC 7636) as fosite checks it (fosite/handler/pkce/handler.go). Hydra refuses `plain`
// (fositex/config.go), so only S256 challenges are ever stored.
import { hash } from 'node:crypto';
import { InvalidGrant, InvalidRequest, type OAuth2Error } from '../oauth2/errors.js';

export interface PkceSettings {
  /** `oauth2.pkce.enforced`. */
  enforced: boolean;
  /** `oauth2.pkce.enforced_for_public_clients`. */
  enforcedForPublicClients: boolean;
}

/** fosite's validateNoPKCE: a request without a challenge, where one is required. */
export function missingChallenge(settings: PkceSettings, publicClient: boolean): OAuth2Error | null {
  if (settings.enforced) {
    return new InvalidRequest(
      'Clients must include a code_challenge when performing the authorize code flow, but it is missing.',
    );
  }
  if (settings.enforcedForPublicClients && publicClient) {
    return new InvalidRequest(
      'This client must include a code_challenge when performing the authorize code flow, but it is missing.',
    );
  }
  return null;
}

// RFC 7636 §4.1: unreserved characters only.
const VERIFIER_WRONG_FORMAT = /[^\w.\-~]/;

/** The token side (HandleTokenEndpointRequest): the stored challenge against the `code_verifier` sent. */
export function verifyPkce(
  input: PkceSettings & {
    /** What the authorize request stored; absent when it sent none. */
    challenge?: string;
    method?: string;
    verifier: string;
    publicClient: boolean;
  },
): OAuth2Error | null {
  const challenge = input.challenge ?? '';
  const method = input.method ?? '';
  const { verifier } = input;
  // fosite keeps PKCE data only when the authorize request sent a challenge or a method.
  if (challenge === '' && method === '') {
    return verifier === ''
      ? missingChallenge(input, input.publicClient)
      : new InvalidGrant('Unable to find initial PKCE data tied to this request');
  }
  if (challenge === '') {
    const missing = missingChallenge(input, input.publicClient);
    if (missing) return missing;
  } else if (method !== 'S256') {
    return method === 'plain' || method === ''
      ? new InvalidRequest('Clients must use code_challenge_method=S256, plain is not allowed.')
      : new InvalidRequest('The code_challenge_method is not supported, use S256 instead.');
  }
  if (!input.enforced && challenge === '' && verifier === '') return null;
  if (verifier.length < 43) return new InvalidGrant('The PKCE code verifier must be at least 43 characters.');
  if (verifier.length > 128) {
    return new InvalidGrant('The PKCE code verifier can not be longer than 128 characters.');
  }
  if (VERIFIER_WRONG_FORMAT.test(verifier)) {
    return new InvalidGrant("The PKCE code verifier must only contain [a-Z], [0-9], '-', '.', '_', '~'.");
  }
  if (challenge === '') {
    return new InvalidGrant(
      'The PKCE code verifier was provided but the code challenge was absent from the authorization request.',
    );
  }
  if (hash('sha256', verifier, 'base64url') !== challenge) {
    return new InvalidGrant('The PKCE code challenge did not match the code verifier.');
  }
  return null;
}
