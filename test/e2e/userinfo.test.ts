// GET|POST /userinfo over HTTP (Hydra's getOidcUserInfo): the token from the Bearer header or access_token,
// 401 refusals with a Bearer challenge, and the signed answer of a client that asks for RS256, verified with the
// published JWKS.
import { createPublicKey, verify } from 'node:crypto';
import { expect } from 'chai';
import pg from 'pg';
import { signatureKey } from '../../server/oauth2/token-strategies.js';
import { tokenHash } from '../../server/oidc/id-token.js';
import { call } from '../helpers/api.js';
import { exchangeCode, FlowDriver, pkcePair, randomState, webClient } from '../helpers/flow-driver.js';
import { type CreatedClient, ccClient, issueToken } from '../helpers/oauth2.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const UNAUTHORIZED = {
  error: 'request_unauthorized',
  error_description:
    'The request could not be authorized. Check that you provided valid credentials in the right format.',
};
const UNAUTHORIZED_CHALLENGE = `Bearer error="request_unauthorized",error_description="${UNAUTHORIZED.error_description}"`;

async function expire(server: TestServer, token: string, at: Date) {
  const db = new pg.Client({ connectionString: server.dsn });
  await db.connect();
  try {
    const signature = signatureKey(token.slice(token.lastIndexOf('.') + 1));
    const { rowCount } = await db.query(
      'UPDATE oauth2_access_tokens SET expires_at = $1 WHERE signature = $2',
      [at, signature],
    );
    expect(rowCount).to.equal(1);
  } finally {
    await db.end();
  }
}

describe('GET|POST /userinfo', function () {
  // The ID token key (RSA-4096) is generated on first use.
  this.timeout(120_000);
  let server: TestServer;
  let client: CreatedClient;

  before(async () => {
    server = await startTestServer();
    client = await ccClient(server);
  });
  after(() => server.close());

  it('a client_credentials token: its client as sub, with aud, iat and iss (Bearer, query and form)', async () => {
    const token = await issueToken(server, client);
    const bearer = await call(server, 'getOidcUserInfo', { headers: { authorization: `Bearer ${token}` } });
    expect(bearer.status, bearer.text).to.equal(200);
    expect(bearer.body).to.deep.equal({
      aud: [client.client_id],
      iat: bearer.body.iat,
      iss: 'http://127.0.0.1:4444/',
      sub: client.client_id,
    });
    expect(bearer.body.iat).to.be.closeTo(Math.floor(Date.now() / 1000), 60);
    expect(bearer.headers.get('cache-control')).to.equal('private, no-cache, no-store, must-revalidate');

    const query = await call(server, 'getOidcUserInfo', { query: { access_token: token } });
    expect(query.body).to.deep.equal(bearer.body);
    const form = await call(server, 'postOidcUserInfo', { form: { access_token: token } });
    expect(form.status, form.text).to.equal(200);
    expect(form.body).to.deep.equal(bearer.body);
  });

  it('unknown, forged, missing or revoked tokens: 401 request_unauthorized with the Bearer challenge', async () => {
    const token = await issueToken(server, client);
    const revoked = await issueToken(server, client);
    const revocation = await call(server, 'revokeOAuth2Token', {
      form: { token: revoked },
      basic: [client.client_id, client.client_secret!],
    });
    expect(revocation.status).to.equal(200);
    for (const headers of <Record<string, string>[]>[
      { authorization: 'Bearer ory_at_unknown.token' },
      { authorization: `Bearer ${token}x` },
      { authorization: `Bearer ${revoked}` },
      {},
    ]) {
      const res = await call(server, 'getOidcUserInfo', { headers });
      expect(res.status, JSON.stringify(headers)).to.equal(401);
      expect(res.body).to.deep.equal(UNAUTHORIZED);
      expect(res.headers.get('www-authenticate')).to.equal(UNAUTHORIZED_CHALLENGE);
    }
    const post = await call(server, 'postOidcUserInfo', { form: { access_token: 'nope' } });
    expect(post.status).to.equal(401);
    expect(post.body).to.deep.equal(UNAUTHORIZED);
  });

  it('an expired token: 401 invalid_token naming when it expired', async () => {
    const token = await issueToken(server, client);
    await expire(server, token, new Date('2026-01-02T03:04:05.000Z'));
    const res = await call(server, 'getOidcUserInfo', { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).to.equal(401);
    const description = "Token expired. Access token expired at '2026-01-02 03:04:05 +0000 UTC'.";
    expect(res.body).to.deep.equal({ error: 'invalid_token', error_description: description });
    expect(res.headers.get('www-authenticate')).to.equal(
      `Bearer error="invalid_token",error_description="${description}"`,
    );
  });

  it('userinfo_signed_response_alg RS256: application/jwt signed with the published ID token key', async () => {
    const signed = await ccClient(server, { userinfo_signed_response_alg: 'RS256' });
    const token = await issueToken(server, signed);
    const res = await call(server, 'getOidcUserInfo', { headers: { authorization: `Bearer ${token}` } });
    expect(res.status, res.text).to.equal(200);
    expect(res.headers.get('content-type')).to.equal('application/jwt');
    const [h, p, s] = (res.text as string).split('.') as [string, string, string];
    const header = JSON.parse(Buffer.from(h, 'base64url').toString());
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    expect(header.alg).to.equal('RS256');
    expect(header.typ).to.equal('JWT');
    const jwks = (await call(server, 'discoverJsonWebKeys')).body.keys as { kid: string }[];
    const jwk = jwks.find((k) => k.kid === header.kid);
    expect(jwk, 'the signing key is published').to.not.equal(undefined);
    const key = createPublicKey({ key: jwk as never, format: 'jwk' });
    expect(verify('sha256', Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url'))).to.equal(true);
    expect(claims).to.include({ sub: signed.client_id, iss: 'http://127.0.0.1:4444/' });
    expect(claims.aud).to.deep.equal([signed.client_id]);
    expect(claims.jti).to.be.a('string');
  });

  describe('a token of a login', () => {
    let web: CreatedClient;
    let tokens: { access_token: string; refresh_token: string; id_token: string };

    before(async () => {
      web = await webClient(server);
      const pkce = pkcePair();
      const { params } = await new FlowDriver(server).login(
        {
          client_id: web.client_id,
          response_type: 'code',
          redirect_uri: 'http://127.0.0.1:5555/cb',
          scope: 'openid offline_access email',
          state: randomState(),
          nonce: 'a-nonce-of-some-length',
          code_challenge: pkce.challenge,
          code_challenge_method: 'S256',
        },
        {
          login: { acr: 'urn:example:pwd', amr: ['pwd'] },
          consent: { session: { id_token: { email: 'foo@bar.com', email_verified: true, sub: 'mallory' } } },
        },
      );
      const exchanged = await exchangeCode(server, web, {
        code: params.get('code')!,
        redirect_uri: 'http://127.0.0.1:5555/cb',
        code_verifier: pkce.verifier,
      });
      expect(exchanged.status, exchanged.text).to.equal(200);
      tokens = exchanged.body;
    });

    it('answers the ID token’s claims without nonce, at_hash, c_hash, exp, sid and jti', async () => {
      const idToken = JSON.parse(Buffer.from(tokens.id_token.split('.')[1]!, 'base64url').toString());
      expect(idToken).to.include({
        sub: 'foo@bar.com',
        nonce: 'a-nonce-of-some-length',
        at_hash: tokenHash(tokens.access_token),
        acr: 'urn:example:pwd',
        email: 'foo@bar.com',
      });
      expect(idToken.sid).to.be.a('string');
      const res = await call(server, 'getOidcUserInfo', {
        headers: { authorization: `Bearer ${tokens.access_token}` },
      });
      expect(res.status, res.text).to.equal(200);
      const { nonce, at_hash, c_hash, exp, sid, jti, iat, ...shared } = idToken;
      expect(res.body).to.deep.equal({ ...shared, iat: res.body.iat });
      expect(Object.keys(res.body)).to.deep.equal([
        'acr',
        'amr',
        'aud',
        'auth_time',
        'email',
        'email_verified',
        'iat',
        'iss',
        'rat',
        'sub',
      ]);
    });

    it('a refresh token: 401 invalid_token, only access tokens are allowed', async () => {
      const description = 'Only access tokens are allowed in the authorization header.';
      const res = await call(server, 'getOidcUserInfo', {
        headers: { authorization: `Bearer ${tokens.refresh_token}` },
      });
      expect(res.status).to.equal(401);
      expect(res.body).to.deep.equal({ error: 'invalid_token', error_description: description });
      expect(res.headers.get('www-authenticate')).to.equal(
        `Bearer error="invalid_token",error_description="${description}"`,
      );
    });
  });
});
