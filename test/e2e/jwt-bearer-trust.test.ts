// The trust relationships of the RFC 7523 jwt-bearer grant, /admin/trust/grants/jwt-bearer/issuers, against a
// real server and PostgreSQL: Hydra's bodies, field order, messages and pagination, every response checked
// against openapi.yaml (through `call`).
import { generateKeyPairSync } from 'node:crypto';
import { expect } from 'chai';
import { exportJWK, generateKeyPair } from 'jose';
import { call } from '../helpers/api.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const ISSUER = 'https://jwt-idp.example.com';
const EXPIRES = '2031-02-03T04:05:06Z';

async function publicJwk(kid: string, alg = 'RS256') {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  return { pub: { ...(await exportJWK(publicKey)), kid }, priv: { ...(await exportJWK(privateKey)), kid } };
}

describe('jwt-bearer trust relationships (admin API), end to end', () => {
  let server: TestServer;
  let jwk: Record<string, unknown>;
  let privateJwk: Record<string, unknown>;

  before(async () => {
    server = await startTestServer();
    ({ pub: jwk, priv: privateJwk } = await publicJwk('key-1'));
  });
  after(() => server?.close());

  const trust = (json: unknown) => call(server, 'trustOAuth2JwtGrantIssuer', { json });

  it('creates: 201, Location without /admin, Hydra’s fields in Hydra’s order, times in UTC whole seconds', async () => {
    const res = await trust({
      issuer: ISSUER,
      subject: 'mike@example.com',
      scope: ['read', 'write'],
      jwk,
      expires_at: '2031-02-03T05:05:06.6+01:00',
    });
    expect(res.status, res.text).to.equal(201);
    expect(Object.keys(res.body)).to.deep.equal([
      'id',
      'issuer',
      'subject',
      'allow_any_subject',
      'scope',
      'public_key',
      'created_at',
      'expires_at',
    ]);
    expect(res.headers.get('location')).to.equal(`/trust/grants/jwt-bearer/issuers/${res.body.id}`);
    expect(res.body).to.deep.include({
      issuer: ISSUER,
      subject: 'mike@example.com',
      allow_any_subject: false,
      scope: ['read', 'write'],
      public_key: { set: ISSUER, kid: 'key-1' },
      expires_at: '2031-02-03T04:05:07Z',
    });
    expect(res.body.created_at).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    const got = await call(server, 'getTrustedOAuth2JwtGrantIssuer', { params: { id: res.body.id } });
    expect(got.status).to.equal(200);
    expect(got.body).to.deep.equal(res.body);
  });

  it('stores the key in the key set named after the issuer, as Hydra does, public parts only', async () => {
    const res = await call(server, 'getJsonWebKeySet', { params: { set: ISSUER } });
    expect(res.status, res.text).to.equal(200);
    expect(res.body.keys).to.have.length(1);
    expect(res.body.keys[0]).to.include({ kid: 'key-1', kty: 'RSA', n: jwk.n, e: jwk.e, use: 'sig' });
    expect(res.body.keys[0]).to.not.have.property('d');
  });

  it('a second relationship with the same issuer, subject and kid is 409', async () => {
    const res = await trust({
      issuer: ISSUER,
      subject: 'mike@example.com',
      scope: [],
      jwk,
      expires_at: EXPIRES,
    });
    expect(res.status, res.text).to.equal(409);
    expect(res.body.error).to.equal(
      'Unable to insert or update resource because a resource with that value exists already',
    );
  });

  describe('refusals, with Hydra’s messages in Hydra’s order', () => {
    const base = () => ({ issuer: ISSUER, subject: 's', scope: ['a'], jwk, expires_at: EXPIRES });
    const missing = (hint: string) =>
      `One of the required parameters is missing. Check your request parameters. ${hint}`;
    const cases: [string, () => Record<string, unknown>, string][] = [
      ['no issuer', () => ({ ...base(), issuer: undefined }), missing("Field 'issuer' is required.")],
      [
        'neither subject nor allow_any_subject',
        () => ({ ...base(), subject: '' }),
        missing("One of 'subject' or 'allow_any_subject' field must be set."),
      ],
      [
        'both subject and allow_any_subject',
        () => ({ ...base(), allow_any_subject: true }),
        missing("Both 'subject' and 'allow_any_subject' fields cannot be set at the same time."),
      ],
      [
        'no expires_at',
        () => ({ ...base(), expires_at: undefined }),
        missing("Field 'expires_at' is required."),
      ],
      [
        'a JWK without kid',
        () => ({ ...base(), jwk: { ...jwk, kid: undefined } }),
        missing("Field 'jwk' must contain JWK with kid header."),
      ],
      [
        'no jwk at all',
        () => ({ ...base(), jwk: undefined }),
        missing("Field 'jwk' must contain JWK with kid header."),
      ],
    ];
    for (const [name, body, description] of cases) {
      it(`${name}: 400 missing_required_parameter`, async () => {
        const res = await trust(body());
        expect(res.status, res.text).to.equal(400);
        expect(res.body).to.deep.equal({
          error: 'missing_required_parameter',
          error_description: description,
        });
      });
    }

    it('an issuer listed first wins over every later fault (Hydra checks issuer first)', async () => {
      const res = await trust({ scope: [], jwk: {}, subject: '' });
      expect(res.body.error_description).to.equal(missing("Field 'issuer' is required."));
    });

    it('a private JWK is refused (400) and its private members are never echoed', async () => {
      const res = await trust({ ...base(), subject: 'private', jwk: privateJwk });
      expect(res.status, res.text).to.equal(400);
      expect(res.body.error_description).to.include('public key').and.include('d');
      expect(res.text).to.not.include(String(privateJwk.d));
      const list = await call(server, 'listTrustedOAuth2JwtGrantIssuers', { query: { issuer: ISSUER } });
      expect(list.body.map((t: { subject: string }) => t.subject)).to.not.include('private');
    });

    it('a key the key set could not hold (alg of another key type, RSA under 2048 bits) is 400, and nothing is stored', async () => {
      const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
      const small = { ...publicKey.export({ format: 'jwk' }), kid: 'small' };
      for (const [subject, key] of [
        ['mismatch', { ...jwk, kid: 'mismatch', alg: 'ES256' }],
        ['small', small],
      ] as const) {
        const res = await trust({ ...base(), issuer: 'https://refused.example.com', subject, jwk: key });
        expect(res.status, res.text).to.equal(400);
      }
      const list = await call(server, 'listTrustedOAuth2JwtGrantIssuers', {
        query: { issuer: 'https://refused.example.com' },
      });
      expect(list.body).to.deep.equal([]);
      const set = await call(server, 'getJsonWebKeySet', { params: { set: 'https://refused.example.com' } });
      expect(set.status).to.equal(404);
    });

    it('a symmetric key is refused (400)', async () => {
      const res = await trust({
        ...base(),
        jwk: { kty: 'oct', kid: 'hmac', k: 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA' },
      });
      expect(res.status, res.text).to.equal(400);
      expect(res.text).to.not.include('c2VjcmV0');
    });

    it('an undecodable expires_at is 400 `error`, as Hydra’s JSON decoder answers', async () => {
      const res = await trust({ ...base(), expires_at: 'tomorrow' });
      expect(res.status, res.text).to.equal(400);
      expect(res.body.error).to.equal('error');
    });

    it('bounded input: an oversized issuer or too many scopes is 400', async () => {
      const long = await trust({ ...base(), issuer: 'x'.repeat(5000) });
      expect(long.status, long.text).to.equal(400);
      const many = await trust({ ...base(), scope: Array.from({ length: 1000 }, (_, i) => `s${i}`) });
      expect(many.status, many.text).to.equal(400);
    });
  });

  describe('get, list and delete', () => {
    const ids: string[] = [];
    const OTHER = 'https://other-idp.example.com';

    before(async () => {
      for (let i = 0; i < 5; i++) {
        const { pub } = await publicJwk(`k${i}`, i % 2 ? 'ES256' : 'RS256');
        const res = await trust({
          issuer: OTHER,
          allow_any_subject: true,
          scope: ['x'],
          jwk: pub,
          expires_at: EXPIRES,
        });
        expect(res.status, res.text).to.equal(201);
        expect(res.body.subject).to.equal('');
        ids.push(res.body.id);
      }
      ids.sort();
    });

    it('lists one issuer’s relationships by id, with Hydra’s keyset Link pagination', async () => {
      const seen: string[] = [];
      let query: Record<string, string> = { issuer: OTHER, page_size: '2' };
      for (let page = 0; page < 5; page++) {
        const res = await call(server, 'listTrustedOAuth2JwtGrantIssuers', { query });
        expect(res.status, res.text).to.equal(200);
        seen.push(...res.body.map((t: { id: string }) => t.id));
        const link = res.headers.get('link') ?? '';
        expect(link).to.include(
          `</admin/trust/grants/jwt-bearer/issuers?issuer=${encodeURIComponent(OTHER)}&page_size=2>; rel="first"`,
        );
        const next = /<([^>]+)>; rel="next"/.exec(link);
        if (!next) break;
        query = Object.fromEntries(new URL(next[1]!, server.adminUrl).searchParams);
      }
      expect(seen).to.deep.equal(ids);
    });

    it('lists every issuer without the filter; a malformed page_token is 400', async () => {
      const all = await call(server, 'listTrustedOAuth2JwtGrantIssuers');
      expect(all.body.map((t: { issuer: string }) => t.issuer)).to.include.members([ISSUER, OTHER]);
      const bad = await call(server, 'listTrustedOAuth2JwtGrantIssuers', { query: { page_token: '!!' } });
      expect(bad.status, bad.text).to.equal(400);
    });

    it('get: a non-UUID id is 400 "Unable to parse parameter id", an unknown one 404', async () => {
      const bad = await call(server, 'getTrustedOAuth2JwtGrantIssuer', { params: { id: 'abc' } });
      expect(bad.status, bad.text).to.equal(400);
      expect(bad.body.error_description).to.match(/^Unable to parse parameter id: /);
      const unknown = await call(server, 'getTrustedOAuth2JwtGrantIssuer', {
        params: { id: '9edc811f-4e28-453c-9b46-4de65f00217f' },
      });
      expect(unknown.status, unknown.text).to.equal(404);
    });

    it('delete: 204, then 404; the key leaves the issuer’s key set too', async () => {
      const id = ids[0]!;
      const got = await call(server, 'getTrustedOAuth2JwtGrantIssuer', { params: { id } });
      const kid = got.body.public_key.kid;
      const del = await call(server, 'deleteTrustedOAuth2JwtGrantIssuer', { params: { id } });
      expect(del.status, del.text).to.equal(204);
      expect(del.text).to.equal('');
      const again = await call(server, 'deleteTrustedOAuth2JwtGrantIssuer', { params: { id } });
      expect(again.status).to.equal(404);
      const gone = await call(server, 'getTrustedOAuth2JwtGrantIssuer', { params: { id } });
      expect(gone.status).to.equal(404);
      const key = await call(server, 'getJsonWebKey', { params: { set: OTHER, kid } });
      expect(key.status, key.text).to.equal(404);
      const bad = await call(server, 'deleteTrustedOAuth2JwtGrantIssuer', { params: { id: 'nope' } });
      expect(bad.status).to.equal(400);
    });

    it('Hydra’s unprefixed admin path answers too', async () => {
      const res = await call(server, 'getTrustedOAuth2JwtGrantIssuer', {
        params: { id: ids[1]! },
        unprefixed: true,
      });
      expect(res.status, res.text).to.equal(200);
    });
  });
});
