import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { DecryptionError, decrypt, encrypt } from '../../server/crypto/aead.js';
import { Pbkdf2Hasher } from '../../server/crypto/hasher.js';
import { randomBytesPooled, randomSecret, uuidv4 } from '../../server/crypto/random.js';
import { deriveKey, SystemSecrets } from '../../server/crypto/secrets.js';

describe('crypto', () => {
  describe('secrets', () => {
    it('derives SHA-256 of the secret', () => {
      expect(deriveKey('this-is-the-primary-secret').toString('hex')).to.have.length(64);
      expect(deriveKey('abc').toString('hex')).to.equal(
        'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
      );
    });

    it('keeps the configured order, first is current', () => {
      const s = new SystemSecrets(['new-secret-0123456789', 'old-secret-0123456789']);
      expect(s.all).to.have.length(2);
      expect(s.current.equals(deriveKey('new-secret-0123456789'))).to.equal(true);
      expect(s.all[1]!.equals(deriveKey('old-secret-0123456789'))).to.equal(true);
    });

    it('refuses an empty list', () => {
      expect(() => new SystemSecrets([])).to.throw(/not configured/);
    });
  });

  describe('aead (AES-256-GCM)', () => {
    const oldKey = deriveKey('old-secret-0123456789');
    const newKey = deriveKey('new-secret-0123456789');

    it('round-trips and uses Go URLEncoding (padded) of nonce||ciphertext||tag', () => {
      const ct = encrypt('hello', oldKey);
      expect(ct).to.match(/^[A-Za-z0-9_-]+=*$/);
      // 12 nonce + 5 plaintext + 16 tag = 33 bytes: no padding. 34 bytes (34 % 3 = 1) ends in '=='.
      expect(Buffer.from(ct, 'base64url')).to.have.length(33);
      const padded = encrypt(Buffer.from('hello!'), oldKey);
      expect(padded.endsWith('==')).to.equal(true);
      expect(decrypt(ct, [oldKey]).toString()).to.equal('hello');
      expect(decrypt(padded, [oldKey]).toString()).to.equal('hello!');
      expect(decrypt(padded.replace(/=+$/, ''), [oldKey]).toString()).to.equal('hello!');
    });

    it('uses a fresh nonce each time', () => {
      expect(encrypt('x', oldKey)).to.not.equal(encrypt('x', oldKey));
    });

    it('decrypts with any key of a rotated list', () => {
      const ct = encrypt('data', oldKey);
      expect(decrypt(ct, [newKey, oldKey]).toString()).to.equal('data');
    });

    it('fails clearly with the wrong key or tampered data', () => {
      const ct = encrypt('data', oldKey);
      expect(() => decrypt(ct, [newKey])).to.throw(DecryptionError, /no configured system secret/);
      const raw = Buffer.from(ct, 'base64url');
      raw[14]! ^= 1;
      expect(() => decrypt(raw.toString('base64url'), [oldKey])).to.throw(DecryptionError);
      expect(() => decrypt('not base64!', [oldKey])).to.throw(DecryptionError);
      expect(() => decrypt('AAAA', [oldKey])).to.throw(DecryptionError, /too short/);
    });

    it('rejects keys that are not 32 bytes', () => {
      expect(() => encrypt('x', randomBytes(16))).to.throw(/32 bytes/);
    });
  });

  describe('Pbkdf2Hasher', () => {
    const FORMAT = /^\$pbkdf2-sha256\$i=1000,l=32\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/;
    const hasher = new Pbkdf2Hasher(1000);
    const b64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '');
    const hashWith = (secret: string, iterations: number, digest = 'sha256') => {
      const salt = randomBytes(16);
      const key = pbkdf2Sync(secret, salt, iterations, 32, digest);
      return `$pbkdf2-${digest}$i=${iterations},l=32$${b64(salt)}$${b64(key)}`;
    };

    it('hashes new secrets with 600,000 iterations by default (OWASP; Hydra: 25,000)', async () => {
      const hash = await new Pbkdf2Hasher().hash('my-secret');
      expect(hash).to.match(/^\$pbkdf2-sha256\$i=600000,l=32\$/);
      expect(await hasher.verify('my-secret', hash)).to.equal(true);
    });

    it('refuses stored hashes below 1,000 iterations (RFC 8018 §4.2), and such a configuration', async () => {
      expect(await hasher.verify('weak', hashWith('weak', 999))).to.equal(false);
      expect(await hasher.verify('weak', hashWith('weak', 1))).to.equal(false);
      expect(await hasher.verify('ok', hashWith('ok', 1000))).to.equal(true);
      expect(() => new Pbkdf2Hasher(999)).to.throw(RangeError, /between 1000 and/);
    });

    it('says which stored hashes are weaker than new ones (rehash on login)', () => {
      const strong = new Pbkdf2Hasher(600_000);
      expect(strong.needsRehash('$pbkdf2-sha256$i=25000,l=32$AAAA$AAAA')).to.equal(true);
      expect(strong.needsRehash('$pbkdf2-sha512$i=900000,l=32$AAAA$AAAA')).to.equal(true);
      expect(strong.needsRehash('$pbkdf2-sha256$i=600000,l=32$AAAA$AAAA')).to.equal(false);
      // A stronger stored hash is never downgraded.
      expect(strong.needsRehash('$pbkdf2-sha256$i=900000,l=32$AAAA$AAAA')).to.equal(false);
    });

    it("writes Hydra's format and verifies", async () => {
      const hash = await hasher.hash('my-secret');
      expect(hash).to.match(FORMAT);
      expect(await hasher.verify('my-secret', hash)).to.equal(true);
      expect(await hasher.verify('my-secreT', hash)).to.equal(false);
      expect(await hasher.verify('', hash)).to.equal(false);
    });

    it('salts every hash', async () => {
      expect(await hasher.hash('s')).to.not.equal(await hasher.hash('s'));
    });

    it('verifies hashes made with other iteration counts (parameters read from the hash)', async () => {
      const hash = hashWith('imported', 2500, 'sha512');
      expect(await hasher.verify('imported', hash)).to.equal(true);
      expect(await hasher.verify('other', hash)).to.equal(false);
      expect(await new Pbkdf2Hasher(2000).hash('x')).to.match(/^\$pbkdf2-sha256\$i=2000,l=32\$/);
    });

    it('does not truncate long secrets', async () => {
      const long = 'a'.repeat(100);
      const hash = await hasher.hash(long);
      expect(await hasher.verify(long, hash)).to.equal(true);
      expect(await hasher.verify(`${long}b`, hash)).to.equal(false);
      expect(await hasher.verify('a'.repeat(72), hash)).to.equal(false);
    });

    it('returns false for unsupported or malformed hashes', async () => {
      expect(
        await hasher.verify('x', '$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy'),
      ).to.equal(false);
      expect(await hasher.verify('x', '$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA')).to.equal(false);
      expect(await hasher.verify('x', '')).to.equal(false);
      expect(await hasher.verify('x', '$pbkdf2-sha256$i=0,l=32$AAAA$AAAA')).to.equal(false);
      expect(await hasher.verify('x', '$pbkdf2-md4$i=1,l=3$AAAA$AAAA')).to.equal(false);
    });
  });

  describe('random', () => {
    it('generates 26-char secrets from [a-zA-Z0-9_-.~]', () => {
      const s = randomSecret();
      expect(s).to.match(/^[a-zA-Z0-9_.~-]{26}$/);
      expect(randomSecret(40)).to.have.length(40);
      expect(randomSecret()).to.not.equal(s);
    });

    it('covers the whole alphabet', () => {
      const seen = new Set(randomSecret(5000));
      expect(seen.size).to.equal(66);
    });

    it('pooled random bytes: each slice handed out once, never changed by later draws', () => {
      // 300 × 32 bytes spans three 4 KiB blocks.
      const slices = Array.from({ length: 300 }, () => randomBytesPooled(32));
      const copies = slices.map((b) => Buffer.from(b).toString('hex'));
      for (let i = 0; i < 300; i++) randomBytesPooled(32);
      expect(slices.map((b) => b.toString('hex'))).to.deep.equal(copies);
      expect(new Set(copies).size).to.equal(300);
      expect(slices.every((b) => b.length === 32)).to.equal(true);
      // Large requests bypass the pool.
      expect(randomBytesPooled(4096)).to.have.length(4096);
      // Not constant: the bytes of many slices cover (nearly) every value.
      expect(new Set(Buffer.concat(slices)).size).to.be.above(250);
    });

    it('generates UUIDv4', () => {
      expect(uuidv4()).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    });
  });
});
