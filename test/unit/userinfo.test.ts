import { createPublicKey, verify } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import type { StoredClient } from '../../server/clients/client.js';
import { SystemSecrets } from '../../server/crypto/secrets.js';
import type { FlowRecord } from '../../server/flows/types.js';
import { writeError } from '../../server/http/error-handler.js';
import { ID_TOKEN_KEY_SET, KeyManager } from '../../server/keys/key-manager.js';
import { ApiError } from '../../server/oauth2/errors.js';
import type { AccessTokenRecord } from '../../server/oauth2/ports.js';
import { createIdTokens } from '../../server/oidc/id-token.js';
import {
  accessTokenFromRequest,
  accessTokenLookup,
  createUserinfo,
  goTimeString,
} from '../../server/oidc/userinfo.js';
import { FakeTokenStrategy } from '../helpers/fake-token-strategy.js';
import { NOW, sampleFlow } from '../helpers/flow-fixture.js';
import { MemoryKeyStore } from '../helpers/memory-key-store.js';
import { MemoryAccessTokenStore } from '../helpers/memory-token-store.js';

const ISSUER = 'http://127.0.0.1:4444/';
const unix = (d: Date) => Math.floor(d.getTime() / 1000);

const storedClient = (id: string, alg = 'none') =>
  ({
    client_id: id,
    document: { client_id: id, userinfo_signed_response_alg: alg },
    created_at: new Date(0),
  }) as unknown as StoredClient;

async function refused(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (err) {
    expect(err).to.be.instanceOf(ApiError);
    return err as ApiError;
  }
  throw new Error('expected a rejection');
}

describe('userinfo (server/oidc/userinfo.ts)', () => {
  let keys: KeyManager;
  let tokens: MemoryAccessTokenStore;
  let strategies: { opaque: FakeTokenStrategy; jwt: FakeTokenStrategy };
  let clients: Map<string, StoredClient>;
  let flows: Map<string, FlowRecord>;
  let refreshTokens: Set<string>;

  beforeEach(() => {
    keys = new KeyManager(new MemoryKeyStore(), new SystemSecrets(['a-test-secret-0123456789']), {
      rsaModulusLength: 2048,
    });
    tokens = new MemoryAccessTokenStore();
    strategies = { opaque: new FakeTokenStrategy('opaque'), jwt: new FakeTokenStrategy('jwt') };
    clients = new Map([
      ['app', storedClient('app')],
      ['signed', storedClient('signed', 'RS256')],
    ]);
    flows = new Map([[sampleFlow().id, sampleFlow()]]);
    refreshTokens = new Set(['ory_rt_known.sig']);
  });

  const userinfo = () =>
    createUserinfo({
      lookup: accessTokenLookup({
        strategies,
        tokens,
        clients: { get: async (id) => clients.get(id) ?? null },
        isRefreshToken: async (t) => refreshTokens.has(t),
      }),
      flows: { byId: async (id) => flows.get(id) ?? null },
      idTokens: createIdTokens({ keys, issuer: ISSUER }),
      issuer: ISSUER,
      clock: () => NOW,
    });

  async function mint(record: Partial<AccessTokenRecord>): Promise<string> {
    const { token, signature } = await strategies.opaque.issue({} as never);
    await tokens.insert({
      signature,
      request_id: '',
      client_id: 'app',
      subject: 'app',
      granted_scope: [],
      granted_audience: [],
      requested_at: new Date(NOW.getTime() - 60_000),
      expires_at: new Date(NOW.getTime() + 3_600_000),
      ...record,
    });
    return token;
  }

  it('an unknown, forged or empty token: 401 request_unauthorized with fosite’s description', async () => {
    const token = await mint({});
    for (const presented of ['', 'nope', `${token}x`]) {
      const err = await refused(userinfo().answer(presented));
      expect(err.status).to.equal(401);
      expect(err.toJSON()).to.deep.equal({
        error: 'request_unauthorized',
        error_description:
          'The request could not be authorized. Check that you provided valid credentials in the right format.',
      });
    }
  });

  it('a token of a deleted client is unknown', async () => {
    const token = await mint({});
    clients.delete('app');
    expect((await refused(userinfo().answer(token))).error).to.equal('request_unauthorized');
  });

  it('an expired token: 401 invalid_token naming the expiry as Go prints it', async () => {
    const token = await mint({ expires_at: new Date('2026-12-06T00:30:00.250Z') });
    const err = await refused(userinfo().answer(token));
    expect(err.status).to.equal(401);
    expect(err.toJSON()).to.deep.equal({
      error: 'invalid_token',
      error_description: "Token expired. Access token expired at '2026-12-06 00:30:00.25 +0000 UTC'.",
    });
  });

  it('a refresh token: 401 invalid_token, only access tokens are allowed', async () => {
    const err = await refused(userinfo().answer('ory_rt_known.sig'));
    expect(err.status).to.equal(401);
    expect(err.toJSON()).to.deep.equal({
      error: 'invalid_token',
      error_description: 'Only access tokens are allowed in the authorization header.',
    });
  });

  it('a client_credentials token (no flow): sub with Hydra’s aud, iat, iss', async () => {
    const requested = new Date(NOW.getTime() - 60_000);
    const token = await mint({ requested_at: requested });
    expect(await userinfo().answer(token)).to.deep.equal({
      kind: 'json',
      claims: { aud: ['app'], iat: unix(requested), iss: ISSUER, sub: 'app' },
    });
  });

  it('a token of a flow: the ID token claims without nonce, at_hash, c_hash, exp, sid, jti', async () => {
    const flow = sampleFlow();
    const requested = new Date(NOW.getTime() - 30_000);
    const token = await mint({ request_id: flow.id, subject: flow.subject, requested_at: requested });
    const answer = await userinfo().answer(token);
    expect(answer).to.deep.equal({
      kind: 'json',
      claims: {
        acr: 'urn:acr:pwd',
        amr: ['pwd'],
        aud: ['app'],
        auth_time: unix(flow.authenticated_at!),
        email: 'foo@bar.com',
        email_verified: true,
        iat: unix(requested),
        iss: ISSUER,
        rat: unix(flow.requested_at),
        sub: 'foo@bar.com',
      },
    });
  });

  it('userinfo_signed_response_alg RS256: the same claims with a fresh jti and iat, signed with the ID token key', async () => {
    const flow = sampleFlow({ client_id: 'signed' });
    flows.set(flow.id, flow);
    const token = await mint({ request_id: flow.id, client_id: 'signed', subject: flow.subject });
    const answer = await userinfo().answer(token);
    expect(answer.kind).to.equal('jwt');
    const jwt = (answer as { token: string }).token;
    const [h, p, s] = jwt.split('.') as [string, string, string];
    const header = JSON.parse(Buffer.from(h, 'base64url').toString());
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    const [jwk] = (await keys.publicKeys([ID_TOKEN_KEY_SET])).keys;
    expect(header).to.deep.equal({ alg: 'RS256', kid: jwk!.kid, typ: 'JWT' });
    const key = createPublicKey({ key: jwk as never, format: 'jwk' });
    expect(verify('sha256', Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url'))).to.equal(true);
    expect(claims).to.include({ sub: 'foo@bar.com', iat: unix(NOW), email: 'foo@bar.com' });
    expect(claims.aud).to.deep.equal(['signed']);
    expect(claims.jti).to.be.a('string');
    expect(claims).to.not.have.any.keys('nonce', 'at_hash', 'c_hash', 'exp', 'sid');
    expect(Object.keys(claims)).to.deep.equal(Object.keys(claims).sort());
  });

  it('reads the token as fosite does: Bearer header first, then access_token of the body, then the query', () => {
    expect(accessTokenFromRequest('Bearer abc', { access_token: 'form' })).to.equal('abc');
    expect(accessTokenFromRequest('bEaReR a b', {})).to.equal('a b');
    expect(accessTokenFromRequest('Basic xyz', { access_token: 'form' }, { access_token: 'q' })).to.equal(
      'form',
    );
    expect(accessTokenFromRequest(undefined, {}, { access_token: 'q' })).to.equal('q');
    expect(accessTokenFromRequest('Bearer', undefined)).to.equal('');
  });

  it('goTimeString: Go’s time.Time.String() in UTC, trailing zeros of the fraction dropped', () => {
    expect(goTimeString(new Date('2026-12-06T01:02:03.000Z'))).to.equal('2026-12-06 01:02:03 +0000 UTC');
    expect(goTimeString(new Date('2026-12-06T01:02:03.120Z'))).to.equal('2026-12-06 01:02:03.12 +0000 UTC');
  });

  it('the error writer names a refused bearer token in WWW-Authenticate (RFC 6750 §3.1), as Hydra does', async () => {
    const errors = [
      await refused(userinfo().answer('nope')),
      await refused(userinfo().answer('ory_rt_known.sig')),
      await refused(userinfo().answer(await mint({ expires_at: new Date('2026-12-06T00:30:00Z') }))),
    ];
    const server = createServer((req, res) => writeError(res, errors[Number(req.url?.slice(1))]!, 'oauth2'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const challenges = await Promise.all(
        [0, 1, 2].map(async (i) => (await fetch(`${base}/${i}`)).headers.get('www-authenticate')),
      );
      expect(challenges).to.deep.equal([
        'Bearer error="request_unauthorized",error_description="The request could not be authorized. Check that you provided valid credentials in the right format."',
        'Bearer error="invalid_token",error_description="Only access tokens are allowed in the authorization header."',
        `Bearer error="invalid_token",error_description="Token expired. Access token expired at '2026-12-06 00:30:00 +0000 UTC'."`,
      ]);
    } finally {
      server.close();
    }
  });
});
