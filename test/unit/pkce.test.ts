import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { type PkceChallenge, pkceAuthorizeError, verifyPkce } from '../../server/flows/pkce.js';
import { InvalidGrant, InvalidRequest, type OAuth2Error } from '../../server/oauth2/errors.js';

const OFF = { enforced: false, enforcedForPublicClients: false };
// RFC 7636 Appendix B.
const RFC_VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const RFC_CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';
// The longest verifier allowed, all of its characters.
const LONG_VERIFIER = 'Az09-._~'.repeat(16);
const LONG_CHALLENGE = createHash('sha256').update(LONG_VERIFIER).digest('base64url');

const description = (error: OAuth2Error | null) => error?.toJSON().error_description;

function tokenError(stored: PkceChallenge, verifier: string, options = { ...OFF, publicClient: false }) {
  try {
    verifyPkce(stored, verifier, options);
    return null;
  } catch (error) {
    return error as OAuth2Error;
  }
}

describe('PKCE, authorize side (fosite handler/pkce)', () => {
  it('accepts S256', () => {
    expect(pkceAuthorizeError({ code_challenge: RFC_CHALLENGE, code_challenge_method: 'S256' }, OFF, false))
      .to.be.null;
  });

  it('refuses plain, and a challenge without a method (which means plain)', () => {
    for (const method of ['plain', undefined]) {
      const error = pkceAuthorizeError({ code_challenge: 'x', code_challenge_method: method }, OFF, false);
      expect(error).to.be.instanceOf(InvalidRequest);
      expect(description(error)).to.match(
        / Clients must use code_challenge_method=S256, plain is not allowed\.$/,
      );
    }
  });

  it('refuses another method', () => {
    expect(
      description(pkceAuthorizeError({ code_challenge: 'x', code_challenge_method: 'S512' }, OFF, false)),
    ).to.match(/ The code_challenge_method is not supported, use S256 instead\.$/);
  });

  it('allows no challenge unless enforced (globally, or for public clients)', () => {
    expect(pkceAuthorizeError({}, OFF, true)).to.be.null;
    expect(description(pkceAuthorizeError({}, { ...OFF, enforced: true }, false))).to.match(
      / Clients must include a code_challenge when performing the authorize code flow, but it is missing\.$/,
    );
    const forPublic = { ...OFF, enforcedForPublicClients: true };
    expect(pkceAuthorizeError({}, forPublic, false)).to.be.null;
    expect(description(pkceAuthorizeError({}, forPublic, true))).to.match(
      / This client must include a code_challenge when performing the authorize code flow, but it is missing\.$/,
    );
  });
});

describe('PKCE, token side: verifyPkce (fosite HandleTokenEndpointRequest)', () => {
  const s256 = { code_challenge: RFC_CHALLENGE, code_challenge_method: 'S256' };

  it('accepts the RFC 7636 Appendix B pair', () => {
    expect(tokenError(s256, RFC_VERIFIER)).to.be.null;
    expect(tokenError({ code_challenge: LONG_CHALLENGE, code_challenge_method: 'S256' }, LONG_VERIFIER)).to.be
      .null;
  });

  it('without PKCE data: no verifier passes, a verifier is refused, enforcement applies again', () => {
    expect(tokenError({}, '')).to.be.null;
    const error = tokenError({}, RFC_VERIFIER);
    expect(error).to.be.instanceOf(InvalidGrant);
    expect(description(error)).to.match(/ Unable to find initial PKCE data tied to this request$/);
    expect(tokenError({}, '', { ...OFF, enforced: true, publicClient: false })).to.be.instanceOf(
      InvalidRequest,
    );
    expect(
      tokenError({}, '', { ...OFF, enforcedForPublicClients: true, publicClient: true }),
    ).to.be.instanceOf(InvalidRequest);
  });

  it('checks length (missing counts as short), charset, then the hash, with fosite messages', () => {
    const cases: [string, RegExp][] = [
      ['', / The PKCE code verifier must be at least 43 characters\.$/],
      ['a'.repeat(42), / The PKCE code verifier must be at least 43 characters\.$/],
      ['a'.repeat(129), / The PKCE code verifier can not be longer than 128 characters\.$/],
      [
        `${'a'.repeat(42)}!`,
        / The PKCE code verifier must only contain \[a-Z\], \[0-9\], '-', '\.', '_', '~'\.$/,
      ],
      ['a'.repeat(43), / The PKCE code challenge did not match the code verifier\.$/],
    ];
    for (const [verifier, message] of cases) {
      const error = tokenError(s256, verifier);
      expect(error, verifier).to.be.instanceOf(InvalidGrant);
      expect(description(error)).to.match(message);
    }
  });

  it('a method stored without a challenge: a verifier is refused as absent from the authorization request', () => {
    expect(tokenError({ code_challenge_method: 'S256' }, '')).to.be.null;
    expect(description(tokenError({ code_challenge_method: 'S256' }, RFC_VERIFIER))).to.match(
      / The PKCE code verifier was provided but the code challenge was absent from the authorization request\.$/,
    );
  });
});
