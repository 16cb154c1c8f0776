import { createPublicKey, sign, verify } from 'node:crypto';
import { expect } from 'chai';
import { decrypt } from '../../server/crypto/aead.js';
import { SystemSecrets } from '../../server/crypto/secrets.js';
import type { Jwk } from '../../server/keys/jwk.js';
import type { GeneratedKeyAlgorithm } from '../../server/keys/key-generation.js';
import {
  ACCESS_TOKEN_KEY_SET,
  ID_TOKEN_KEY_SET,
  KeyManager,
  type KeyManagerOptions,
} from '../../server/keys/key-manager.js';
import { UnreadableKey } from '../../server/keys/sealing-key-store.js';
import { ApiError, BadRequestError, ConflictError, NotFoundError } from '../../server/oauth2/errors.js';
import { MemoryKeyStore } from '../helpers/memory-key-store.js';

const OLD = 'old-secret-0123456789';
const NEW = 'new-secret-0123456789';
// 2048 bits keeps RSA generation fast; production uses Hydra's 4096.
const FAST: KeyManagerOptions = { rsaModulusLength: 2048 };

async function rejects(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (err) {
    expect(err).to.be.instanceOf(ApiError);
    return err as ApiError;
  }
  throw new Error('expected a rejection');
}

describe('KeyManager', () => {
  let store: MemoryKeyStore;
  let keys: KeyManager;

  beforeEach(() => {
    store = new MemoryKeyStore();
    keys = new KeyManager(store, new SystemSecrets([OLD]), FAST);
  });

  it('generates keys of every supported algorithm with private parts', async () => {
    const cases: Array<[GeneratedKeyAlgorithm, Partial<Jwk>]> = [
      ['ES256', { kty: 'EC', crv: 'P-256' }],
      ['ES512', { kty: 'EC', crv: 'P-521' }],
      ['EdDSA', { kty: 'OKP', crv: 'Ed25519' }],
      ['HS256', { kty: 'oct' }],
      ['HS512', { kty: 'oct' }],
      ['RS256', { kty: 'RSA' }],
    ];
    for (const [alg, expected] of cases) {
      const set = await keys.generateSet('s', { alg });
      expect(set.keys).to.have.length(1);
      const jwk = set.keys[0]!;
      expect(jwk).to.include({ ...expected, alg, use: 'sig' });
      expect(jwk.kid).to.match(/^[0-9a-f-]{36}$/);
      expect(jwk.d ?? jwk.k).to.be.a('string');
    }
    expect(
      Buffer.from((await keys.generateSet('s', { alg: 'HS512' })).keys[0]!.k!, 'base64url'),
    ).to.have.length(64);
    const rsa = (await keys.getSet('s')).keys.find((k) => k.kty === 'RSA')!;
    // go-jose member order, as Hydra marshals a JWK.
    expect(Object.keys(rsa)).to.deep.equal([
      'use',
      'kty',
      'kid',
      'alg',
      'n',
      'e',
      'd',
      'p',
      'q',
      'dp',
      'dq',
      'qi',
    ]);
  });

  it('adds to the set and returns only the new key; kid and use as given', async () => {
    await keys.generateSet('s', { alg: 'ES256', kid: 'first' });
    const second = await keys.generateSet('s', { alg: 'ES256', kid: 'second', use: 'enc' });
    expect(second.keys.map((k) => k.kid)).to.deep.equal(['second']);
    expect(second.keys[0]!.use).to.equal('enc');
    expect((await keys.getSet('s')).keys.map((k) => k.kid)).to.deep.equal(['second', 'first']);
    const dup = await rejects(keys.generateSet('s', { alg: 'ES256', kid: 'first' }));
    expect(dup).to.be.instanceOf(ConflictError);
  });

  it('rejects unsupported algorithms with 400 Unsupported key algorithm', async () => {
    // Past the contract's enum check (a caller that skipped it), the generator still refuses.
    const err = await rejects(keys.generateSet('s', { alg: 'none' as GeneratedKeyAlgorithm }));
    expect(err).to.be.instanceOf(BadRequestError);
    expect(err.toJSON()).to.deep.equal({
      error: 'Bad Request',
      error_description: 'Unsupported key algorithm',
    });
  });

  it('gets, and 404s on missing sets and keys', async () => {
    await keys.generateSet('s', { alg: 'ES256', kid: 'k1' });
    expect((await keys.getKey('s', 'k1')).keys.map((k) => k.kid)).to.deep.equal(['k1']);
    for (const p of [
      keys.getSet('nope'),
      keys.getKey('s', 'nope'),
      keys.deleteSet('nope'),
      keys.deleteKey('s', 'nope'),
    ]) {
      const err = await rejects(p);
      expect(err).to.be.instanceOf(NotFoundError);
      expect(err.toJSON()).to.deep.equal({
        error: 'Not Found',
        error_description: 'Unable to locate the requested resource',
      });
    }
  });

  it('deletes keys and sets', async () => {
    await keys.generateSet('s', { alg: 'ES256', kid: 'k1' });
    await keys.generateSet('s', { alg: 'ES256', kid: 'k2' });
    await keys.deleteKey('s', 'k1');
    expect((await keys.getSet('s')).keys.map((k) => k.kid)).to.deep.equal(['k2']);
    await keys.deleteSet('s');
    await rejects(keys.getSet('s'));
  });

  it('stores private keys encrypted, readable after secret rotation', async () => {
    const jwk = (await keys.generateSet('s', { alg: 'ES256' })).keys[0]!;
    const row = store.rows[0]!;
    expect(row.key_data).to.not.include(jwk.d!);
    expect(row.key_data).to.match(/^[A-Za-z0-9_-]+=*$/);
    expect(JSON.parse(decrypt(row.key_data, new SystemSecrets([OLD]).all).toString()).d).to.equal(jwk.d);

    const rotated = new KeyManager(store, new SystemSecrets([NEW, OLD]), FAST);
    expect((await rotated.getKey('s', jwk.kid)).keys[0]).to.deep.equal(jwk);
    // New writes use the new secret.
    await rotated.generateSet('s', { alg: 'ES256', kid: 'after' });
    const after = store.rows.find((r) => r.kid === 'after')!;
    expect(() => decrypt(after.key_data, new SystemSecrets([OLD]).all)).to.throw();

    // Dropping the old secret before anything sealed the first key again loses that key: 503, and the
    // reason (which key, which configuration) is told once however often it is read.
    const told: UnreadableKey[] = [];
    const dropped = new KeyManager(store, new SystemSecrets([NEW]), {
      ...FAST,
      onUnreadable: (error) => told.push(error),
    });
    await dropped.getKey('s', 'after');
    for (const read of [dropped.getKey('s', jwk.kid), dropped.getKey('s', jwk.kid), dropped.getSet('s')]) {
      const error = await rejects(read);
      expect(error).to.be.instanceOf(UnreadableKey);
      expect(error.status).to.equal(503);
      expect(error.toJSON().error).to.equal('temporarily_unavailable');
      expect(JSON.stringify(error.toJSON())).not.to.include(jwk.kid);
    }
    expect(told.map((e) => e.message)).to.have.length(1);
    expect(told[0]!.message).to.include(`'s/${jwk.kid}'`).and.include('SECRETS_SYSTEM');
  });

  it('reading never seals again: keys stay readable by a replica still on the old list until resealAll', async () => {
    const first = (await keys.generateSet('a', { alg: 'ES256', kid: 'a1' })).keys[0]!;
    const second = (await keys.generateSet('b', { alg: 'ES256', kid: 'b1' })).keys[0]!;
    const rotated = new KeyManager(store, new SystemSecrets([NEW, OLD]), FAST);
    const before = store.rows.map((r) => r.key_data);
    await rotated.getSet('a');
    await rotated.getOrCreateSigningKey('b', 'ES256');
    await rotated.publicKeys(['a', 'b']);
    expect(store.rows.map((r) => r.key_data)).to.deep.equal(before);
    expect(await rotated.sealStatus()).to.deep.equal({ stale: 2, unreadable: 0 });
    const lagging = new KeyManager(store, new SystemSecrets([OLD]), FAST);
    expect((await lagging.getSet('a')).keys).to.deep.equal([first]);

    expect(await rotated.resealAll()).to.deep.equal({ resealed: 2, unreadable: 0 });
    expect(await rotated.resealAll()).to.deep.equal({ resealed: 0, unreadable: 0 });
    expect(await rotated.sealStatus()).to.deep.equal({ stale: 0, unreadable: 0 });
    const dropped = new KeyManager(store, new SystemSecrets([NEW]), FAST);
    expect((await dropped.getKey('a', 'a1')).keys[0]).to.deep.equal(first);
    expect((await dropped.getKey('b', 'b1')).keys[0]).to.deep.equal(second);
    expect(
      (await rejects(new KeyManager(store, new SystemSecrets([OLD]), FAST).getSet('a'))).status,
    ).to.equal(503);
    // Keys no configured secret opens are counted, not touched.
    expect(
      await new KeyManager(store, new SystemSecrets(['unrelated-secret-0123']), FAST).resealAll(),
    ).to.deep.equal({
      resealed: 0,
      unreadable: 2,
    });
  });

  it('publishes public parts only, newest first, generating missing sets', async () => {
    await keys.generateSet('mine', { alg: 'HS256', kid: 'secret' });
    await keys.generateSet('mine', { alg: 'ES256', kid: 'ec' });
    await keys.generateSet('mine', { alg: 'EdDSA', kid: 'ed' });
    const { keys: published } = await keys.publicKeys([ID_TOKEN_KEY_SET, ACCESS_TOKEN_KEY_SET, 'mine']);
    expect(published).to.have.length(4);
    for (const jwk of published) {
      expect(jwk).to.not.have.any.keys('d', 'p', 'q', 'dp', 'dq', 'qi', 'k');
      expect(jwk.kty).to.not.equal('oct');
    }
    const [idt, at, ed, ec] = published;
    expect(Object.keys(idt!)).to.deep.equal(['use', 'kty', 'kid', 'alg', 'n', 'e']);
    expect(idt).to.include({ use: 'sig', kty: 'RSA', alg: 'RS256', e: 'AQAB' });
    expect(at!.kid).to.not.equal(idt!.kid);
    expect(Object.keys(ec!)).to.deep.equal(['use', 'kty', 'kid', 'crv', 'alg', 'x', 'y']);
    expect(ed).to.include({ kid: 'ed', kty: 'OKP', crv: 'Ed25519' });
    // Stable on the next call (no new generation).
    expect((await keys.publicKeys([ID_TOKEN_KEY_SET, ACCESS_TOKEN_KEY_SET, 'mine'])).keys).to.deep.equal(
      published,
    );
  });

  it('signing key matches the published key and is generated only once under concurrency', async () => {
    const results = await Promise.all([
      keys.getOrCreateSigningKey(ACCESS_TOKEN_KEY_SET),
      keys.getOrCreateSigningKey(ACCESS_TOKEN_KEY_SET),
      keys.publicKeys([ACCESS_TOKEN_KEY_SET]),
    ]);
    expect(store.rows).to.have.length(1);
    const [a, b] = results;
    expect(a.kid).to.equal(b.kid);
    expect(a.alg).to.equal('RS256');
    const pub = (await keys.publicKeys([ACCESS_TOKEN_KEY_SET])).keys[0]!;
    expect(pub.kid).to.equal(a.kid);
    const sig = sign('sha256', Buffer.from('data'), a.key);
    expect(
      verify('sha256', Buffer.from('data'), createPublicKey({ key: { ...pub }, format: 'jwk' }), sig),
    ).to.equal(true);
  });

  it('caches the decrypted signing key and reloads after its own writes', async () => {
    const first = await keys.getOrCreateSigningKey('s', 'ES256');
    const reads = store.reads;
    expect((await keys.getOrCreateSigningKey('s')).key).to.equal(first.key);
    expect(store.reads).to.equal(reads);
    await keys.generateSet('s', { alg: 'ES256', kid: 'newer' });
    expect((await keys.getOrCreateSigningKey('s')).kid).to.equal('newer');
    await keys.deleteKey('s', 'newer');
    expect((await keys.getOrCreateSigningKey('s')).kid).to.equal(first.kid);
  });

  it('skips symmetric and enc keys when choosing a signing key', async () => {
    await keys.generateSet('s', { alg: 'ES256', kid: 'sig' });
    await keys.generateSet('s', { alg: 'ES256', kid: 'enc', use: 'enc' });
    await keys.generateSet('s', { alg: 'HS256', kid: 'hmac' });
    expect((await keys.getOrCreateSigningKey('s')).kid).to.equal('sig');
  });

  describe('PUT', () => {
    let sample: Jwk[];

    beforeEach(async () => {
      sample = [
        (await keys.generateSet('src', { alg: 'ES256', kid: 'a' })).keys[0]!,
        (await keys.generateSet('src', { alg: 'EdDSA', kid: 'b' })).keys[0]!,
      ];
    });

    it('replaces a whole set, keeping the body order (first = newest)', async () => {
      await keys.generateSet('dst', { alg: 'ES256', kid: 'gone' });
      const res = await keys.setSet('dst', { keys: sample });
      expect(res.keys).to.deep.equal(sample);
      expect((await keys.getSet('dst')).keys).to.deep.equal(sample);
      expect((await keys.getOrCreateSigningKey('dst')).kid).to.equal('a');
    });

    it('accepts a public-only key', async () => {
      const { d: _d, ...pub } = sample[0]!;
      await keys.setSet('dst', { keys: [pub] });
      expect((await keys.getSet('dst')).keys[0]).to.deep.equal(pub);
    });

    it('puts one key, taking the kid from the path when the body has none', async () => {
      const { kid: _kid, ...noKid } = sample[0]!;
      const res = await keys.setKey('dst', 'from-path', noKid);
      expect(res.kid).to.equal('from-path');
      expect((await keys.getKey('dst', 'from-path')).keys[0]!.d).to.equal(sample[0]!.d);
      const err = await rejects(keys.setKey('dst', 'other', sample[0]!));
      expect(err.description).to.match(/does not match/);
    });

    it('rejects malformed keys with a reason', async () => {
      const bad: Array<[unknown, RegExp]> = [
        [{ keys: 'x' }, /keys/],
        [{ keys: [{ ...sample[0]!, kid: undefined }] }, /kid/],
        [{ keys: [{ ...sample[0]!, use: undefined }] }, /use/],
        [{ keys: [{ ...sample[0]!, use: 'other' }] }, /use/],
        [{ keys: [{ ...sample[0]!, alg: 'RS256' }] }, /key type 'RSA'/],
        [{ keys: [{ ...sample[0]!, alg: 'ES512' }] }, /curve/],
        [{ keys: [{ ...sample[0]!, x: 'AAAA' }] }, /could not be imported/],
        [{ keys: [{ kty: 'oct', kid: 'h', alg: 'HS256', use: 'sig', k: 'c2hvcnQ' }] }, /at least 32 bytes/],
        [{ keys: [sample[0]!, sample[0]!] }, /distinct kid/],
      ];
      for (const [body, reason] of bad) {
        const err = await rejects(keys.setSet('dst', body));
        expect(err).to.be.instanceOf(BadRequestError);
        expect(err.status).to.equal(400);
        expect(err.description).to.match(reason);
      }
      const alg = await rejects(keys.setSet('dst', { keys: [{ ...sample[0]!, alg: 'XY1' }] }));
      expect(alg.description).to.equal('Unsupported key algorithm');
      await rejects(keys.getSet('dst'));
    });
  });
});
