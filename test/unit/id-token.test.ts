import { createPublicKey, verify } from 'node:crypto';
import { expect } from 'chai';
import { SystemSecrets } from '../../server/crypto/secrets.js';
import { ID_TOKEN_KEY_SET, KeyManager } from '../../server/keys/key-manager.js';
import { createIdTokens, tokenHash } from '../../server/oidc/id-token.js';
import { sampleFlow as flow, NOW } from '../helpers/flow-fixture.js';
import { MemoryKeyStore } from '../helpers/memory-key-store.js';

const ISSUER = 'http://127.0.0.1:4444/';
const unix = (d: Date) => Math.floor(d.getTime() / 1000);

function decode(jwt: string) {
  const [h, p, s] = jwt.split('.') as [string, string, string];
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString()),
    payload: JSON.parse(Buffer.from(p, 'base64url').toString()),
    rawPayload: Buffer.from(p, 'base64url').toString(),
    input: `${h}.${p}`,
    signature: Buffer.from(s, 'base64url'),
  };
}

describe('ID tokens (server/oidc/id-token.ts)', () => {
  let keys: KeyManager;
  let clock: Date;

  beforeEach(() => {
    keys = new KeyManager(new MemoryKeyStore(), new SystemSecrets(['a-test-secret-0123456789']), {
      rsaModulusLength: 2048,
    });
    clock = NOW;
  });

  const idTokens = () => createIdTokens({ keys, issuer: ISSUER, clock: () => clock });

  it('at_hash and c_hash: the OIDC Core §A example values', () => {
    // OpenID Connect Core 1.0, Appendix A.3 (at_hash) and A.4 (c_hash).
    expect(tokenHash('jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y')).to.equal('77QmUPtjPfzWtF2AnpK9RQ');
    expect(tokenHash('Qcb0Orv1zh30vL1MPRsbm-diHiMwcLyZvn1arpZv-Jxf_11jnpEX3Tgfvk')).to.equal(
      'LDktKdoQak3Pk0cnXxCltA',
    );
  });

  it('signs RS256 with the newest key of hydra.openid.id-token, header alg/kid/typ', async () => {
    const token = await idTokens().sign({ flow: flow(), client_id: 'app', now: NOW, lifespanMs: 3_600_000 });
    const { header, input, signature } = decode(token);
    const [jwk] = (await keys.publicKeys([ID_TOKEN_KEY_SET])).keys;
    expect(header).to.deep.equal({ alg: 'RS256', kid: jwk!.kid, typ: 'JWT' });
    expect(Object.keys(header)).to.deep.equal(['alg', 'kid', 'typ']);
    const key = createPublicKey({ key: jwk as never, format: 'jwk' });
    expect(verify('sha256', Buffer.from(input), key, signature)).to.equal(true);
  });

  it('claims: Hydra’s set in sorted order, extras kept, reserved names not overridable', async () => {
    const f = flow();
    const accessToken = 'ory_at_abc.def';
    const code = 'ory_ac_ghi.jkl';
    const token = await idTokens().sign({
      flow: f,
      client_id: 'app',
      now: NOW,
      lifespanMs: 3_600_000,
      access_token: accessToken,
      code,
    });
    const { payload } = decode(token);
    expect(payload).to.deep.equal({
      acr: 'urn:acr:pwd',
      amr: ['pwd'],
      at_hash: tokenHash(accessToken),
      aud: ['app'],
      auth_time: unix(f.authenticated_at!),
      c_hash: tokenHash(code),
      email: 'foo@bar.com',
      email_verified: true,
      exp: unix(NOW) + 3600,
      iat: unix(NOW),
      iss: ISSUER,
      jti: payload.jti,
      nonce: 'nonce-123456',
      rat: unix(f.requested_at),
      sid: f.login_session_id,
      sub: 'foo@bar.com',
    });
    expect(payload.jti).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Object.keys(payload)).to.deep.equal(Object.keys(payload).sort());
    // at_hash is the left half of SHA-256 over the token's ASCII, base64url (16 bytes → 22 chars).
    expect(payload.at_hash).to.have.length(22);
  });

  it('leaves out what the flow does not have: nonce, acr, amr, at_hash, c_hash, extras', async () => {
    const base = flow();
    const f = flow({
      request: { ...base.request, nonce: undefined },
      login: { ...base.login!, acr: '', amr: [] },
      consent: { ...base.consent!, session: { access_token: {}, id_token: {} } },
    });
    const { payload } = decode(
      await idTokens().sign({ flow: f, client_id: 'app', now: NOW, lifespanMs: 60_000 }),
    );
    expect(Object.keys(payload)).to.deep.equal([
      'aud',
      'auth_time',
      'exp',
      'iat',
      'iss',
      'jti',
      'rat',
      'sid',
      'sub',
    ]);
    expect(payload.exp - payload.iat).to.equal(60);
  });

  it('a newer key of another algorithm in the set signs, and at_hash uses its hash', async () => {
    await keys.getOrCreateSigningKey(ID_TOKEN_KEY_SET);
    const [created] = (await keys.generateSet(ID_TOKEN_KEY_SET, { alg: 'ES512', use: 'sig' })).keys;
    const token = await idTokens().sign({
      flow: flow(),
      client_id: 'app',
      now: NOW,
      lifespanMs: 1000,
      access_token: 'ory_at_abc.def',
    });
    const { header, payload } = decode(token);
    expect(header).to.deep.equal({ alg: 'ES512', kid: created!.kid, typ: 'JWT' });
    expect(payload.at_hash).to.equal(tokenHash('ory_at_abc.def', 'ES512')).and.have.length(43);
    expect(tokenHash('x', 'EdDSA')).to.have.length(43);
    expect(tokenHash('x', 'PS384')).to.have.length(32);
  });

  it('each token gets its own jti; the same key signs while the set is unchanged', async () => {
    const t = idTokens();
    const a = decode(await t.sign({ flow: flow(), client_id: 'app', now: NOW, lifespanMs: 1000 }));
    const b = decode(await t.sign({ flow: flow(), client_id: 'app', now: NOW, lifespanMs: 1000 }));
    expect(a.payload.jti).to.not.equal(b.payload.jti);
    expect(a.header.kid).to.equal(b.header.kid);
  });

  describe('verifyHint', () => {
    it('accepts our own token even when expired, and returns its claims', async () => {
      const t = idTokens();
      const token = await t.sign({ flow: flow(), client_id: 'app', now: NOW, lifespanMs: 1000 });
      clock = new Date(NOW.getTime() + 24 * 3_600_000);
      const result = await t.verifyHint(token);
      expect(result.ok).to.equal(true);
      expect(result.ok && result.claims.sub).to.equal('foo@bar.com');
    });

    it('refuses a token of another key, a changed payload, another issuer and garbage', async () => {
      const t = idTokens();
      const token = await t.sign({ flow: flow(), client_id: 'app', now: NOW, lifespanMs: 1000 });

      const otherKeys = new KeyManager(
        new MemoryKeyStore(),
        new SystemSecrets(['another-secret-0123456789']),
        {
          rsaModulusLength: 2048,
        },
      );
      const foreign = await createIdTokens({ keys: otherKeys, issuer: ISSUER }).sign({
        flow: flow(),
        client_id: 'app',
        now: NOW,
        lifespanMs: 1000,
      });
      expect(await t.verifyHint(foreign)).to.deep.equal({
        ok: false,
        reason: 'The token was not signed by this server.',
      });

      const [h, , s] = token.split('.');
      const { payload } = decode(token);
      const forged = `${h}.${Buffer.from(JSON.stringify({ ...payload, sub: 'mallory' })).toString('base64url')}.${s}`;
      expect((await t.verifyHint(forged)).ok).to.equal(false);

      const elsewhere = createIdTokens({ keys, issuer: 'https://other.example/', clock: () => clock });
      const result = await elsewhere.verifyHint(token);
      expect(result).to.deep.equal({
        ok: false,
        reason: `The token was issued by '${ISSUER}', not by 'https://other.example/'.`,
      });

      for (const junk of ['', 'abc', 'a.b.c', `${h}.${h}`])
        expect((await t.verifyHint(junk)).ok).to.equal(false);
    });

    it('refuses a token issued in the future', async () => {
      const t = idTokens();
      const token = await t.sign({
        flow: flow(),
        client_id: 'app',
        now: new Date(NOW.getTime() + 120_000),
        lifespanMs: 1000,
      });
      expect(await t.verifyHint(token)).to.deep.equal({ ok: false, reason: 'Token used before issued' });
    });
  });

  it('userinfoClaims: the ID token claims minus nonce, at_hash, c_hash, exp, sid, jti; iat as given', () => {
    const f = flow();
    const issuedAt = new Date('2026-12-06T00:59:30.000Z');
    const claims = idTokens().userinfoClaims(f, 'app', issuedAt);
    expect(claims).to.deep.equal({
      acr: 'urn:acr:pwd',
      amr: ['pwd'],
      aud: ['app'],
      auth_time: unix(f.authenticated_at!),
      email: 'foo@bar.com',
      email_verified: true,
      iat: unix(issuedAt),
      iss: ISSUER,
      rat: unix(f.requested_at),
      sub: 'foo@bar.com',
    });
    expect(Object.keys(claims)).to.deep.equal(Object.keys(claims).sort());
  });

  it('signClaims: any claims under the ID token key (the signed userinfo response)', async () => {
    const token = await idTokens().signClaims({ sub: 'foo@bar.com' });
    const { header, payload, input, signature } = decode(token);
    expect(header.typ).to.equal('JWT');
    expect(payload).to.deep.equal({ sub: 'foo@bar.com' });
    const [jwk] = (await keys.publicKeys([ID_TOKEN_KEY_SET])).keys;
    expect(
      verify('sha256', Buffer.from(input), createPublicKey({ key: jwk as never, format: 'jwk' }), signature),
    ).to.equal(true);
  });
});
