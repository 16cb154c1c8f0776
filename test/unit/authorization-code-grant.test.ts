import { createHash, randomBytes } from 'node:crypto';
import { expect } from 'chai';
import {
  InsufficientEntropy,
  InvalidGrant,
  InvalidRequest,
  UnauthorizedClient,
  UnsupportedResponseType,
} from '../../server/oauth2/errors.js';
import { signatureKey } from '../../server/oauth2/token-strategies.js';
import { described, flowGrants, json, REDIRECT_URI, rejection } from '../helpers/flow-grants.js';
import { basic, makeClient } from '../helpers/oauth2-clients.js';

const NOW = new Date('2025-06-01T12:00:00.000Z');
const webApp = makeClient({
  client_id: 'web-app',
  grant_types: ['authorization_code', 'refresh_token'],
  scope: 'openid offline_access offline profile',
  redirect_uris: [REDIRECT_URI],
});
const codeOnly = makeClient({
  client_id: 'code-only',
  grant_types: ['authorization_code'],
  scope: 'openid offline_access',
});
const noCodeGrant = makeClient({ client_id: 'cc', grant_types: ['client_credentials'], scope: 'openid' });
const spa = makeClient(
  {
    client_id: 'spa',
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'],
    scope: 'openid offline_access',
  },
  null,
);
const shortLived = makeClient({
  client_id: 'short',
  grant_types: ['authorization_code', 'refresh_token'],
  scope: 'openid offline',
  authorization_code_grant_access_token_lifespan: '30m',
  authorization_code_grant_refresh_token_lifespan: '2h',
  authorization_code_grant_id_token_lifespan: '5m',
});
const jwtApp = makeClient({
  client_id: 'jwt-app',
  grant_types: ['authorization_code'],
  scope: 'openid',
  access_token_strategy: 'jwt',
});
const implicitApp = makeClient({
  client_id: 'implicit-app',
  grant_types: ['authorization_code', 'implicit'],
  response_types: ['code id_token token', 'token', 'id_token'],
  scope: 'openid profile',
});
const ALL = [webApp, codeOnly, noCodeGrant, spa, shortLived, jwtApp, implicitApp];

const asWebApp = basic('web-app', 'secret-123');

function setup(
  options: {
    pkce?: { enforced: boolean; enforcedForPublicClients: boolean };
    topLevelClaims?: { allowed: string[]; mirror: boolean };
  } = {},
) {
  let now = new Date(NOW);
  const env = flowGrants({ clients: ALL, now: () => now, ...options });
  return {
    ...env,
    advance: (ms: number) => {
      now = new Date(now.getTime() + ms);
    },
    redeem: (code: string, extra: Record<string, string> = {}, authorization = asWebApp) =>
      env.token(
        { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, ...extra },
        authorization,
      ),
  };
}

describe('authorization_code grant (fosite flow_authorize_code_token.go)', () => {
  it('exchanges a code for an access token, a refresh token and an ID token, in one sorted response', async () => {
    const env = setup();
    const { flow, params } = await env.authorize({
      client: webApp,
      scope: ['openid', 'offline_access', 'profile'],
      nonce: 'nonce-0123456789',
      session: { access_token: { tenant: 't1' }, id_token: { email: 'alice@example.com' } },
    });
    expect(params.code).to.match(/^ory_ac_[\w-]{43}\.[\w-]{43}$/);
    expect(params).to.include({ scope: 'openid offline_access profile', state: 'state-123456' });

    const response = await env.redeem(params.code!);
    expect(Object.keys(response)).to.deep.equal([
      'access_token',
      'expires_in',
      'id_token',
      'refresh_token',
      'scope',
      'token_type',
    ]);
    expect(response.access_token).to.match(/^ory_at_/);
    expect(response.refresh_token).to.match(/^ory_rt_/);
    expect(response).to.include({
      expires_in: 3599,
      scope: 'openid offline_access profile',
      token_type: 'bearer',
    });

    const access = env.accessTokens.rows.get(signatureKey(response.access_token.split('.')[1]!));
    expect(access).to.deep.include({
      request_id: flow.id,
      client_id: 'web-app',
      subject: 'alice',
      granted_scope: ['openid', 'offline_access', 'profile'],
      ext: { tenant: 't1' },
    });
    const refresh = env.flows.refreshTokens.get(signatureKey(response.refresh_token!.split('.')[1]!));
    expect(refresh).to.deep.include({
      request_id: flow.id,
      subject: 'alice',
      active: true,
      used_times: 0,
      access_token_signature: access!.signature,
    });
    expect(refresh!.expires_at!.getTime()).to.equal(NOW.getTime() + 720 * 3_600_000);

    const claims = await env.idTokens.decode(response.id_token!);
    expect(claims).to.include({
      sub: 'alice',
      nonce: 'nonce-0123456789',
      email: 'alice@example.com',
      acr: 'urn:acr:pwd',
      exp: NOW.getTime() / 1000 + 3600,
      sid: flow.login_session_id,
    });
    expect(claims.aud).to.deep.equal(['web-app']);
    const atHash = createHash('sha256').update(response.access_token).digest().subarray(0, 16);
    expect(claims.at_hash).to.equal(atHash.toString('base64url'));
  });

  it('refuses a client without the authorization_code grant first', async () => {
    const env = setup();
    const error = await rejection(env.redeem('ory_ac_whatever.x', {}, basic('cc', 'secret-123')));
    expect(json(error)).to.deep.equal(
      described(
        UnauthorizedClient,
        "The OAuth 2.0 Client is not allowed to use authorization grant 'authorization_code'.",
      ),
    );
  });

  it('answers a bare invalid_grant for unknown, forged, missing and foreign-kind codes', async () => {
    const env = setup();
    const { params } = await env.authorize({ client: webApp });
    const forged = `${params.code!.slice(0, -2)}${params.code!.endsWith('AA') ? 'BB' : 'AA'}`;
    const asRefresh = params.code!.replace('ory_ac_', 'ory_rt_');
    const asAccess = params.code!.replace('ory_ac_', 'ory_at_');
    const unknown = env.codes.mint().token;
    for (const code of [forged, asRefresh, asAccess, unknown, '']) {
      expect(json(await rejection(env.redeem(code))), code).to.deep.equal(described(InvalidGrant));
    }
    // The real code still works: none of those touched it.
    expect((await env.redeem(params.code!)).access_token).to.match(/^ory_at_/);
  });

  it('a reused code fails and revokes every token issued from it', async () => {
    const env = setup();
    const { flow, params } = await env.authorize({ client: webApp });
    const first = await env.redeem(params.code!);
    expect(env.accessTokens.rows.size).to.equal(1);
    expect(env.flows.refreshTokens.size).to.equal(1);

    const error = await rejection(env.redeem(params.code!));
    expect(json(error)).to.deep.equal(
      described(InvalidGrant, 'The authorization code has already been used.'),
    );
    expect([...env.accessTokens.rows.values()].filter((t) => t.request_id === flow.id)).to.deep.equal([]);
    expect(env.flows.refreshTokens.size).to.equal(0);
    // Revoked, so the refresh token of the first exchange is unknown now.
    const refresh = await rejection(
      env.token({ grant_type: 'refresh_token', refresh_token: first.refresh_token! }, asWebApp),
    );
    expect(json(refresh)).to.deep.equal(
      described(InvalidGrant, 'The refresh token is malformed or not valid.'),
    );
  });

  it('after a reuse, an introspection that had cached the access token answers inactive at once', async () => {
    const env = setup();
    const { params } = await env.authorize({ client: webApp });
    const first = await env.redeem(params.code!);
    expect(await env.introspect({ token: first.access_token })).to.include({ active: true });
    await rejection(env.redeem(params.code!));
    expect(await env.introspect({ token: first.access_token })).to.deep.equal({ active: false });
  });

  it('two concurrent redemptions: one gets tokens, the other is a reuse that revokes the grant', async () => {
    const env = setup();
    const { params } = await env.authorize({ client: webApp });
    const results = await Promise.allSettled([env.redeem(params.code!), env.redeem(params.code!)]);
    expect(results.map((r) => r.status).sort()).to.deep.equal(['fulfilled', 'rejected']);
    const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(json(failed.reason).error_description).to.contain('The authorization code has already been used.');
    expect(env.accessTokens.rows.size).to.equal(0);
  });

  it('an expired code is a bare invalid_grant', async () => {
    const env = setup();
    const { params } = await env.authorize({ client: webApp });
    env.advance(10 * 60_000 + 1);
    expect(json(await rejection(env.redeem(params.code!)))).to.deep.equal(described(InvalidGrant));
  });

  it("refuses another client's code, and leaves it redeemable", async () => {
    const env = setup();
    const { params } = await env.authorize({ client: webApp });
    const error = await rejection(env.redeem(params.code!, {}, basic('code-only', 'secret-123')));
    expect(json(error)).to.deep.equal(
      described(
        InvalidGrant,
        'The OAuth 2.0 Client ID from this request does not match the one from the authorize request.',
      ),
    );
    expect((await env.redeem(params.code!)).access_token).to.match(/^ory_at_/);
  });

  it('compares redirect_uri byte for byte only when the authorize request sent one', async () => {
    const env = setup();
    const mismatch = described(
      InvalidGrant,
      "The 'redirect_uri' from this request does not match the one from the authorize request.",
    );
    const sent = await env.authorize({ client: webApp });
    expect(
      json(await rejection(env.redeem(sent.params.code!, { redirect_uri: `${REDIRECT_URI}/` }))),
    ).to.deep.equal(mismatch);
    const missing = env.token({ grant_type: 'authorization_code', code: sent.params.code! }, asWebApp);
    expect(json(await rejection(missing))).to.deep.equal(mismatch);

    const notSent = await env.authorize({ client: webApp, redirect_uri_sent: false });
    const ok = await env.token({ grant_type: 'authorization_code', code: notSent.params.code! }, asWebApp);
    expect(ok.access_token).to.match(/^ory_at_/);
  });

  describe('PKCE (fosite handler/pkce, token side)', () => {
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const asSpa = (code: string, extra: Record<string, string> = {}) => ({
      grant_type: 'authorization_code',
      client_id: 'spa',
      code,
      redirect_uri: REDIRECT_URI,
      ...extra,
    });

    it('a public client redeems with the right S256 verifier', async () => {
      const env = setup();
      const { params } = await env.authorize({
        client: spa,
        code_challenge: challenge,
        code_challenge_method: 'S256',
      });
      const response = await env.token(asSpa(params.code!, { code_verifier: verifier }));
      expect(response.refresh_token).to.match(/^ory_rt_/);
    });

    it("fosite's verifier errors, in its order", async () => {
      const env = setup();
      const cases: [string | undefined, string][] = [
        [undefined, 'The PKCE code verifier must be at least 43 characters.'],
        ['a'.repeat(42), 'The PKCE code verifier must be at least 43 characters.'],
        ['a'.repeat(129), 'The PKCE code verifier can not be longer than 128 characters.'],
        [`${'a'.repeat(42)}!`, "The PKCE code verifier must only contain [a-Z], [0-9], '-', '.', '_', '~'."],
        ['b'.repeat(43), 'The PKCE code challenge did not match the code verifier.'],
      ];
      for (const [wrong, hint] of cases) {
        const { params } = await env.authorize({
          client: spa,
          code_challenge: challenge,
          code_challenge_method: 'S256',
        });
        const form = asSpa(params.code!, wrong === undefined ? {} : { code_verifier: wrong });
        expect(json(await rejection(env.token(form))), hint).to.deep.equal(described(InvalidGrant, hint));
      }
    });

    it('a verifier without a stored challenge, and enforcement without either', async () => {
      const env = setup({ pkce: { enforced: false, enforcedForPublicClients: true } });
      const { params } = await env.authorize({ client: spa });
      expect(
        json(await rejection(env.token(asSpa(params.code!, { code_verifier: verifier })))),
      ).to.deep.equal(described(InvalidGrant, 'Unable to find initial PKCE data tied to this request'));
      const again = await env.authorize({ client: spa });
      expect(json(await rejection(env.token(asSpa(again.params.code!))))).to.deep.equal(
        described(
          InvalidRequest,
          'This client must include a code_challenge when performing the authorize code flow, but it is missing.',
        ),
      );
      // A confidential client is not concerned by enforced_for_public_clients.
      const confidential = await env.authorize({ client: webApp });
      expect((await env.redeem(confidential.params.code!)).access_token).to.match(/^ory_at_/);
    });
  });

  it('a nonce of 1 to 7 characters fails with insufficient_entropy when an ID token is due', async () => {
    const env = setup();
    const short = await env.authorize({ client: webApp, nonce: 'short' });
    expect(json(await rejection(env.redeem(short.params.code!)))).to.deep.equal(
      described(
        InsufficientEntropy,
        "Parameter 'nonce' is set but does not satisfy the minimum entropy of 8 characters.",
      ),
    );
    // Without openid no ID token is made, and the nonce is not looked at.
    const plain = await env.authorize({ client: webApp, nonce: 'short', scope: ['offline_access'] });
    const response = await env.redeem(plain.params.code!);
    expect(response).to.not.have.property('id_token');
  });

  it('max_age and prompt=login are checked again: 400 invalid_grant where Hydra answers 500 (R22)', async () => {
    const env = setup();
    const requested_at = new Date(NOW.getTime() - 120_000);
    const stale = await env.authorize({
      client: webApp,
      max_age: '10',
      requested_at,
      authenticated_at: new Date(requested_at.getTime() - 60_000),
    });
    expect(json(await rejection(env.redeem(stale.params.code!)))).to.deep.equal(
      described(
        InvalidGrant,
        'Failed to generate id token because authentication time does not satisfy max_age time.',
      ),
    );
    const notReauthenticated = await env.authorize({
      client: webApp,
      prompt: ['login'],
      requested_at,
      authenticated_at: new Date(requested_at.getTime() - 5_000),
    });
    const error = json(await rejection(env.redeem(notReauthenticated.params.code!)));
    expect(error.error).to.equal('invalid_grant');
    expect(error.error_description).to.contain("prompt was set to 'login'");
    const fresh = await env.authorize({ client: webApp, max_age: '10', prompt: ['login'], requested_at });
    expect((await env.redeem(fresh.params.code!)).id_token).to.be.a('string');
  });

  it('a refresh token only with offline/offline_access AND the refresh_token grant; an ID token only with openid', async () => {
    const env = setup();
    const online = await env.authorize({ client: webApp, scope: ['openid', 'profile'] });
    const r1 = await env.redeem(online.params.code!);
    expect(r1).to.have.property('id_token');
    expect(r1).to.not.have.property('refresh_token');

    const noGrant = await env.authorize({ client: codeOnly, scope: ['openid', 'offline_access'] });
    const r2 = await env.redeem(noGrant.params.code!, {}, basic('code-only', 'secret-123'));
    expect(r2).to.not.have.property('refresh_token');

    const offline = await env.authorize({ client: webApp, scope: ['offline'] });
    const r3 = await env.redeem(offline.params.code!);
    expect(Object.keys(r3)).to.deep.equal([
      'access_token',
      'expires_in',
      'refresh_token',
      'scope',
      'token_type',
    ]);
  });

  it("honours the client's authorization_code_grant_* lifespans", async () => {
    const env = setup();
    const { params } = await env.authorize({ client: shortLived, scope: ['openid', 'offline'] });
    const response = await env.redeem(params.code!, {}, basic('short', 'secret-123'));
    expect(response.expires_in).to.equal(1799);
    const refresh = env.flows.refreshTokens.get(signatureKey(response.refresh_token!.split('.')[1]!));
    expect(refresh!.expires_at!.getTime()).to.equal(NOW.getTime() + 2 * 3_600_000);
    expect((await env.idTokens.decode(response.id_token!)).exp).to.equal(NOW.getTime() / 1000 + 300);
  });

  it("issues a JWT access token for a jwt client, with the user's subject and the session's ext", async () => {
    const env = setup();
    const { params } = await env.authorize({
      client: jwtApp,
      scope: ['openid'],
      session: { access_token: { role: 'admin' }, id_token: {} },
    });
    const response = await env.redeem(params.code!, {}, basic('jwt-app', 'secret-123'));
    const payload = JSON.parse(Buffer.from(response.access_token.split('.')[1]!, 'base64url').toString());
    expect(payload).to.include({ sub: 'alice', client_id: 'jwt-app' });
    expect(payload.ext).to.deep.equal({ role: 'admin' });
    // A flow's JWT is stored, so that revoking the grant reaches it.
    expect(env.accessTokens.rows.get(signatureKey(response.access_token.split('.')[2]!))).to.not.equal(
      undefined,
    );
  });
});

describe('JWT access tokens: allowed_top_level_claims and mirror_top_level_claims', () => {
  const session = { access_token: { role: 'admin', sub: 'mallory', tenant: 't1' }, id_token: {} };
  const payloadOf = async (topLevelClaims: { allowed: string[]; mirror: boolean }) => {
    const env = setup({ topLevelClaims });
    const { params } = await env.authorize({ client: jwtApp, scope: ['openid'], session });
    const response = await env.redeem(params.code!, {}, basic('jwt-app', 'secret-123'));
    const introspected = env.accessTokens.rows.get(signatureKey(response.access_token.split('.')[2]!));
    return {
      payload: JSON.parse(Buffer.from(response.access_token.split('.')[1]!, 'base64url').toString()),
      stored: introspected!.ext,
    };
  };

  it('copies allowed keys to the top level, never over a standard claim; mirror keeps them in ext', async () => {
    const { payload, stored } = await payloadOf({ allowed: ['role', 'sub'], mirror: true });
    expect(payload).to.include({ role: 'admin', sub: 'alice' });
    expect(payload.ext).to.deep.equal(session.access_token);
    expect(stored).to.deep.equal(session.access_token);
  });

  it('without mirroring, the copied keys leave ext (the stored ext keeps them, for introspection)', async () => {
    const { payload, stored } = await payloadOf({ allowed: ['role'], mirror: false });
    expect(payload.role).to.equal('admin');
    expect(payload.ext).to.deep.equal({ sub: 'mallory', tenant: 't1' });
    expect(stored).to.deep.equal(session.access_token);
  });
});

describe('GrantIssuer: the authorize response (implicit and hybrid, R23)', () => {
  it('code id_token token: a code, an access token and an ID token whose c_hash and at_hash bind them', async () => {
    const env = setup();
    const { flow, params } = await env.authorize({
      client: implicitApp,
      scope: ['openid', 'profile'],
      response_types: ['code', 'id_token', 'token'],
      nonce: 'nonce-0123456789',
    });
    expect(Object.keys(params).sort()).to.deep.equal([
      'access_token',
      'code',
      'expires_in',
      'id_token',
      'scope',
      'state',
      'token_type',
    ]);
    expect(params).to.include({ expires_in: '3599', token_type: 'bearer', scope: 'openid profile' });
    const claims = await env.idTokens.decode(params.id_token!);
    const half = (v: string) => createHash('sha256').update(v).digest().subarray(0, 16).toString('base64url');
    expect(claims).to.include({
      c_hash: half(params.code!),
      at_hash: half(params.access_token!),
      nonce: 'nonce-0123456789',
    });
    // The access token was stored with the completion; the code still redeems.
    const row = env.accessTokens.rows.get(signatureKey(params.access_token!.split('.')[1]!));
    expect(row).to.deep.include({ request_id: flow.id, subject: 'alice' });
    const redeemed = await env.redeem(params.code!, {}, basic('implicit-app', 'secret-123'));
    expect(redeemed.access_token).to.not.equal(params.access_token);
  });

  it('front-channel tokens need the implicit grant; an ID token needs openid', async () => {
    const env = setup();
    const implicit = await rejection(env.authorize({ client: webApp, response_types: ['token'] }));
    expect(json(implicit)).to.deep.equal(
      described(
        InvalidGrant,
        "The OAuth 2.0 Client is not allowed to use the authorization grant 'implicit'.",
      ),
    );
    const noOpenid = await rejection(
      env.authorize({ client: implicitApp, response_types: ['id_token'], scope: ['profile'] }),
    );
    expect(json(noOpenid)).to.deep.equal(described(UnsupportedResponseType));
    // Nothing was completed or stored for either.
    expect(env.accessTokens.rows.size).to.equal(0);
    expect(env.flows.codes.size).to.equal(0);
  });
});
