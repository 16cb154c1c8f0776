// JSON Web Key sets on a real server and PostgreSQL (Hydra's jwk/handler.go): generation, reads with private
// parts on the admin port, replacement, deletion, Hydra's error bodies, and the public-only jwks.json.
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { expect } from 'chai';
import { call } from '../helpers/api.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const KEY_NOT_FOUND = { error: 'Not Found', error_description: 'Unable to locate the requested resource' };
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const RSA_PRIVATE = ['d', 'p', 'q', 'dp', 'dq', 'qi'];

const rsaJwk = (kid: string, bits = 2048) => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' } as Record<string, string>;
};
const ecJwk = (kid: string) => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { ...privateKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' } as Record<string, string>;
};
const kids = (body: { keys: { kid: string }[] }) => body.keys.map((k) => k.kid);

describe('JSON Web Key sets on a real server', function () {
  this.timeout(60_000);
  let server: TestServer;
  let n = 0;
  const unique = (prefix: string) => `${prefix}-${process.pid}-${++n}`;

  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server?.close();
  });

  const getSet = (set: string) => call(server, 'getJsonWebKeySet', { params: { set } });
  const generate = async (set: string, body: Record<string, string>) => {
    const response = await call(server, 'createJsonWebKeySet', { params: { set }, json: body });
    expect(response.status, response.text).to.equal(201);
    return response.body;
  };

  describe('POST /admin/keys/{set}', () => {
    it('generates an RS256 key (4096 bits) and answers 201 with the private parts', async () => {
      const set = unique('rsa');
      const body = await generate(set, { alg: 'RS256', use: 'sig', kid: 'rsa-1' });
      expect(body.keys).to.have.length(1);
      const [key] = body.keys;
      expect(key).to.include({ kid: 'rsa-1', alg: 'RS256', use: 'sig', kty: 'RSA', e: 'AQAB' });
      for (const m of RSA_PRIVATE) expect(key[m], m).to.be.a('string').that.is.not.empty;
      const publicKey = createPublicKey({ key: { kty: 'RSA', n: key.n, e: key.e }, format: 'jwk' });
      expect(publicKey.asymmetricKeyDetails?.modulusLength).to.equal(4096);
      // go-jose's member order.
      expect(Object.keys(key)).to.deep.equal(['use', 'kty', 'kid', 'alg', 'n', 'e', ...RSA_PRIVATE]);
    });

    it('generates an ES256 key (P-256) with its private part', async () => {
      const set = unique('ec');
      const body = await generate(set, { alg: 'ES256', use: 'sig', kid: 'ec-1' });
      expect(body.keys).to.have.length(1);
      expect(body.keys[0]).to.include({ kid: 'ec-1', alg: 'ES256', use: 'sig', kty: 'EC', crv: 'P-256' });
      for (const m of ['x', 'y', 'd']) expect(body.keys[0][m], m).to.be.a('string').that.is.not.empty;
      expect(Object.keys(body.keys[0])).to.deep.equal(['use', 'kty', 'kid', 'crv', 'alg', 'x', 'y', 'd']);
    });

    it('adds to an existing set (newest first) and picks a UUIDv4 kid when none is given', async () => {
      const set = unique('grow');
      await generate(set, { alg: 'ES256', use: 'sig', kid: 'first' });
      const second = await generate(set, { alg: 'ES256', use: 'sig', kid: '' });
      expect(second.keys).to.have.length(1);
      expect(second.keys[0].kid).to.match(UUID_V4);
      const all = await getSet(set);
      expect(kids(all.body)).to.deep.equal([second.keys[0].kid, 'first']);
    });

    it('answers 409 for a kid the set already has, and keeps the key', async () => {
      const set = unique('dup');
      const first = await generate(set, { alg: 'ES256', use: 'sig', kid: 'same' });
      const again = await call(server, 'createJsonWebKeySet', {
        params: { set },
        json: { alg: 'ES256', use: 'sig', kid: 'same' },
      });
      expect(again.status).to.equal(409);
      expect(again.body.error).to.be.a('string').that.is.not.empty;
      expect((await getSet(set)).body.keys).to.deep.equal(first.keys);
    });

    for (const alg of ['RS384', 'PS256', 'none', 'rs256', '']) {
      it(`answers 400 with error JSON for the unsupported alg ${JSON.stringify(alg)}, and creates no set`, async () => {
        const set = unique('unsupported');
        const response = await call(server, 'createJsonWebKeySet', {
          params: { set },
          json: { alg, use: 'sig', kid: 'k' },
        });
        expect(response.status).to.equal(400);
        expect(response.body.error).to.be.a('string').that.is.not.empty;
        expect(response.body.error_description).to.match(/alg/i);
        expect((await getSet(set)).status).to.equal(404);
      });
    }

    // Hydra answers jwk.ErrUnsupportedKeyAlgorithm here; the contract's `alg` enum leaves that check to the
    // key manager, which answers the same body.
    it("answers Hydra's exact body for an unsupported alg", async () => {
      const response = await call(server, 'createJsonWebKeySet', {
        params: { set: unique('unsupported') },
        json: { alg: 'RS384', use: 'sig', kid: 'k' },
      });
      expect(response.status).to.equal(400);
      expect(response.body).to.deep.equal({
        error: 'Bad Request',
        error_description: 'Unsupported key algorithm',
      });
    });
  });

  describe('GET', () => {
    it('GET /admin/keys/{set} and /admin/keys/{set}/{kid} return private parts; a key comes as a one-key set', async () => {
      const set = unique('read');
      const a = (await generate(set, { alg: 'ES256', use: 'sig', kid: 'a' })).keys[0];
      const b = (await generate(set, { alg: 'ES256', use: 'sig', kid: 'b' })).keys[0];
      const whole = await getSet(set);
      expect(whole.status).to.equal(200);
      expect(whole.headers.get('cache-control')).to.equal('private, no-cache, no-store, must-revalidate');
      expect(whole.body).to.deep.equal({ keys: [b, a] });
      const one = await call(server, 'getJsonWebKey', { params: { set, kid: 'a' } });
      expect(one.status).to.equal(200);
      expect(one.body).to.deep.equal({ keys: [a] });
    });

    it("answers 404 with Hydra's body for an unknown set or kid", async () => {
      const set = unique('missing');
      for (const response of [
        await getSet(set),
        await call(server, 'getJsonWebKey', { params: { set, kid: 'x' } }),
      ]) {
        expect(response.status).to.equal(404);
        expect(response.body).to.deep.equal(KEY_NOT_FOUND);
      }
      const existing = unique('present');
      await generate(existing, { alg: 'ES256', use: 'sig', kid: 'here' });
      const unknownKid = await call(server, 'getJsonWebKey', { params: { set: existing, kid: 'not-here' } });
      expect(unknownKid.status).to.equal(404);
      expect(unknownKid.body).to.deep.equal(KEY_NOT_FOUND);
    });
  });

  describe('PUT', () => {
    it('PUT /admin/keys/{set} replaces the whole set with the given keys', async () => {
      const set = unique('replace');
      await generate(set, { alg: 'ES256', use: 'sig', kid: 'old' });
      const rsa = rsaJwk('put-rsa');
      const ec = ecJwk('put-ec');
      const response = await call(server, 'setJsonWebKeySet', { params: { set }, json: { keys: [rsa, ec] } });
      expect(response.status).to.equal(200);
      expect(kids(response.body)).to.deep.equal(['put-rsa', 'put-ec']);
      const stored = await getSet(set);
      // The first key of the body is the newest; the old key is gone; private parts are kept.
      expect(kids(stored.body)).to.deep.equal(['put-rsa', 'put-ec']);
      for (const m of ['n', 'e', ...RSA_PRIVATE]) expect(stored.body.keys[0][m], m).to.equal(rsa[m]);
      expect(stored.body.keys[1]).to.include({ x: ec.x, y: ec.y, d: ec.d });
      const old = await call(server, 'getJsonWebKey', { params: { set, kid: 'old' } });
      expect(old.status).to.equal(404);
    });

    it('PUT /admin/keys/{set}/{kid} inserts or replaces one key and answers it', async () => {
      const set = unique('one');
      await generate(set, { alg: 'ES256', use: 'sig', kid: 'other' });
      const first = ecJwk('k');
      const put = await call(server, 'setJsonWebKey', { params: { set, kid: 'k' }, json: first });
      expect(put.status).to.equal(200);
      expect(put.body).to.include({ kid: 'k', alg: 'ES256', x: first.x, d: first.d });
      const replacement = ecJwk('k');
      const again = await call(server, 'setJsonWebKey', { params: { set, kid: 'k' }, json: replacement });
      expect(again.status).to.equal(200);
      const stored = await call(server, 'getJsonWebKey', { params: { set, kid: 'k' } });
      expect(stored.body.keys).to.have.length(1);
      expect(stored.body.keys[0]).to.include({ x: replacement.x, d: replacement.d });
      // The other key is untouched; the replaced key is the newest.
      expect(kids((await getSet(set)).body)).to.deep.equal(['k', 'other']);
    });

    it('answers 400 when the body kid differs from the path, and stores nothing', async () => {
      const set = unique('mismatch');
      const response = await call(server, 'setJsonWebKey', {
        params: { set, kid: 'path-kid' },
        json: ecJwk('body-kid'),
      });
      expect(response.status).to.equal(400);
      expect(response.body.error).to.be.a('string').that.is.not.empty;
      expect((await getSet(set)).status).to.equal(404);
    });

    it('answers 400 for an invalid key in a set, and leaves the set as it was', async () => {
      const set = unique('invalid');
      const before = await generate(set, { alg: 'ES256', use: 'sig', kid: 'keep' });
      const weak = rsaJwk('weak', 1024);
      const broken = { ...ecJwk('broken'), x: 'AAAA' };
      const duplicate = [ecJwk('twice'), ecJwk('twice')];
      for (const keys of [
        [ecJwk('fine'), weak],
        [broken],
        duplicate,
        [{ ...ecJwk('wrong-alg'), alg: 'RS256' }],
      ]) {
        const response = await call(server, 'setJsonWebKeySet', { params: { set }, json: { keys } });
        expect(response.status, response.text).to.equal(400);
        expect(response.body.error).to.be.a('string').that.is.not.empty;
        expect(response.body.error_description).to.be.a('string').that.is.not.empty;
        expect((await getSet(set)).body.keys).to.deep.equal(before.keys);
      }
    });
  });

  describe('DELETE', () => {
    it('DELETE /admin/keys/{set}/{kid} removes one key: 204, then 404', async () => {
      const set = unique('del-key');
      await generate(set, { alg: 'ES256', use: 'sig', kid: 'gone' });
      await generate(set, { alg: 'ES256', use: 'sig', kid: 'stays' });
      const deleted = await call(server, 'deleteJsonWebKey', { params: { set, kid: 'gone' } });
      expect(deleted.status).to.equal(204);
      expect(deleted.text).to.equal('');
      expect(kids((await getSet(set)).body)).to.deep.equal(['stays']);
      const again = await call(server, 'deleteJsonWebKey', { params: { set, kid: 'gone' } });
      expect(again.status).to.equal(404);
      expect(again.body).to.deep.equal(KEY_NOT_FOUND);
    });

    it('DELETE /admin/keys/{set} removes the set: 204, then 404', async () => {
      const set = unique('del-set');
      await generate(set, { alg: 'ES256', use: 'sig', kid: 'a' });
      await generate(set, { alg: 'ES256', use: 'sig', kid: 'b' });
      const deleted = await call(server, 'deleteJsonWebKeySet', { params: { set } });
      expect(deleted.status).to.equal(204);
      expect(deleted.text).to.equal('');
      expect((await getSet(set)).body).to.deep.equal(KEY_NOT_FOUND);
      const again = await call(server, 'deleteJsonWebKeySet', { params: { set } });
      expect(again.status).to.equal(404);
      expect(again.body).to.deep.equal(KEY_NOT_FOUND);
    });
  });

  describe('/.well-known/jwks.json', () => {
    it('publishes the access-token and id-token sets, public parts only', async () => {
      const response = await call(server, 'discoverJsonWebKeys');
      expect(response.status).to.equal(200);
      expect(response.text).not.to.match(/"(d|p|q|dp|dq|qi|k)"\s*:/);
      const published = response.body.keys as Record<string, string>[];
      for (const key of published) {
        expect(Object.keys(key)).to.deep.equal(['use', 'kty', 'kid', 'alg', 'n', 'e']);
        expect(key).to.include({ use: 'sig', kty: 'RSA', alg: 'RS256' });
        expect(key.kid).to.match(UUID_V4);
      }
      // Exactly the keys of the two sets (generated on first access), which the admin API holds privately.
      const accessToken = await getSet('hydra.jwt.access-token');
      const idToken = await getSet('hydra.openid.id-token');
      expect(accessToken.status).to.equal(200);
      expect(idToken.status).to.equal(200);
      const expected = [...accessToken.body.keys, ...idToken.body.keys];
      expect(expected).to.have.length(2);
      expect(kids(response.body).sort()).to.deep.equal(kids({ keys: expected }).sort());
      for (const key of expected) {
        const pub = published.find((p) => p.kid === key.kid)!;
        expect(pub.n).to.equal(key.n);
        expect(key.d).to.be.a('string');
      }
      // A second read serves the same keys (no regeneration).
      expect((await call(server, 'discoverJsonWebKeys')).body).to.deep.equal(response.body);
    });

    it('publishes keys added to a broadcast set (newest first), and not other sets', async () => {
      const before = kids((await call(server, 'discoverJsonWebKeys')).body);
      const added = await generate('hydra.openid.id-token', {
        alg: 'ES256',
        use: 'sig',
        kid: unique('added'),
      });
      const other = unique('private-set');
      await generate(other, { alg: 'ES256', use: 'sig', kid: 'not-published' });
      const after = await call(server, 'discoverJsonWebKeys');
      const published = after.body.keys as Record<string, string>[];
      expect(kids(after.body)).to.include(added.keys[0].kid);
      expect(kids(after.body)).not.to.include('not-published');
      expect(published.length).to.equal(before.length + 1);
      const ec = published.find((k) => k.kid === added.keys[0].kid)!;
      expect(Object.keys(ec)).to.deep.equal(['use', 'kty', 'kid', 'crv', 'alg', 'x', 'y']);
      const idTokenKids = kids((await getSet('hydra.openid.id-token')).body);
      expect(idTokenKids[0]).to.equal(added.keys[0].kid);
      const order = kids(after.body).filter((k) => idTokenKids.includes(k));
      expect(order).to.deep.equal(idTokenKids);
      // Deleting it unpublishes it.
      await call(server, 'deleteJsonWebKey', {
        params: { set: 'hydra.openid.id-token', kid: added.keys[0].kid },
      });
      expect(kids((await call(server, 'discoverJsonWebKeys')).body).sort()).to.deep.equal([...before].sort());
    });
  });
});

describe('webfinger.jwks.broadcast_keys', function () {
  this.timeout(60_000);
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ 'webfinger.jwks.broadcast_keys': ['partner-signing'] });
  });
  after(() => server.close());

  it("publishes the configured sets besides Hydra's two, public parts only", async () => {
    const created = await call(server, 'createJsonWebKeySet', {
      params: { set: 'partner-signing' },
      json: { alg: 'ES256', use: 'sig', kid: 'partner-1' },
    });
    expect(created.status).to.equal(201);
    const { body } = await call(server, 'discoverJsonWebKeys');
    const partner = body.keys.find((k: { kid: string }) => k.kid === 'partner-1');
    expect(partner).to.include({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(partner).not.to.have.property('d');
    // Hydra's sets are published as well (generated on first access).
    expect(body.keys).to.have.length(3);
  });
});
