import { createHash, createPublicKey, randomBytes, verify } from 'node:crypto';
import { expect } from 'chai';
import { SystemSecrets } from '../../server/crypto/secrets.js';
import { ACCESS_TOKEN_KEY_SET, KeyManager } from '../../server/keys/key-manager.js';
import type { AccessTokenClaims } from '../../server/oauth2/ports.js';
import {
  JwtTokenStrategy,
  OpaqueTokenStrategy,
  signatureKey,
  TOKEN_PREFIXES,
} from '../../server/oauth2/token-strategies.js';
import { MemoryKeyStore } from '../helpers/memory-key-store.js';

const PRIMARY = 'this-is-the-primary-secret';
const VECTOR =
  'ory_at_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8.FS0V5THotmLBiYbwmoa6IRbgLFPWN8sUH-BIxeuc0aM';

const claims: AccessTokenClaims = {
  request_id: '3f1c5e0c-2b1a-4c55-9b4e-8f3a3c0b9d11',
  issuer: 'http://127.0.0.1:4444',
  client_id: 'my-client',
  subject: 'my-client',
  scope: ['read', 'write'],
  audience: ['https://api.example'],
  issued_at: new Date('2025-01-01T00:00:00.500Z'),
  expires_at: new Date('2025-01-01T01:00:00.500Z'),
};

const decodePart = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));

/** Changes one character in the middle of a part, so the decoded bytes always change. */
function tamper(token: string, partIndex: number): string {
  const parts = token.split('.');
  const p = parts[partIndex]!;
  const i = Math.floor(p.length / 2);
  parts[partIndex] = p.slice(0, i) + (p[i] === 'A' ? 'B' : 'A') + p.slice(i + 1);
  return parts.join('.');
}

const GARBAGE: unknown[] = [
  '',
  '.',
  '..',
  'ory_at_',
  'ory_at_.',
  'a.b.c.d',
  'ory_at_!!!.???',
  'x'.repeat(20000),
  null,
  42,
];

describe('token strategies', () => {
  it('signatureKey is hex SHA-384 of the signature part', () => {
    const key = signatureKey('FS0V5THotmLBiYbwmoa6IRbgLFPWN8sUH-BIxeuc0aM');
    expect(key).to.match(/^[0-9a-f]{96}$/);
    expect(key).to.equal(
      createHash('sha384').update('FS0V5THotmLBiYbwmoa6IRbgLFPWN8sUH-BIxeuc0aM').digest('hex'),
    );
  });

  describe('OpaqueTokenStrategy', () => {
    const fixed = () => Buffer.from(Array.from({ length: 32 }, (_, i) => i));

    it("matches Hydra's test vector", async () => {
      const strategy = new OpaqueTokenStrategy(new SystemSecrets([PRIMARY]), { random: fixed });
      const { token, signature } = await strategy.issue(claims);
      expect(token).to.equal(VECTOR);
      expect(token).to.have.length(94);
      expect(signature).to.equal(signatureKey(VECTOR.split('.')[1]!));
      expect(await strategy.validate(token)).to.equal(signature);
    });

    it('issues distinct random tokens', async () => {
      const strategy = new OpaqueTokenStrategy(new SystemSecrets([PRIMARY]));
      const a = await strategy.issue(claims);
      const b = await strategy.issue(claims);
      expect(a.token).to.match(/^ory_at_[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/);
      expect(a.token).to.not.equal(b.token);
      expect(a.signature).to.not.equal(b.signature);
    });

    it('validates without the prefix', async () => {
      const strategy = new OpaqueTokenStrategy(new SystemSecrets([PRIMARY]));
      expect(await strategy.validate(VECTOR.slice('ory_at_'.length))).to.equal(
        signatureKey(VECTOR.split('.')[1]!),
      );
      expect(await strategy.validate(VECTOR.replace('ory_at_', 'ory_rt_'))).to.equal(null);
    });

    it('validates across secret rotation', async () => {
      const old = new OpaqueTokenStrategy(new SystemSecrets(['old-secret-0123456789']));
      const { token, signature } = await old.issue(claims);
      const rotated = new OpaqueTokenStrategy(
        new SystemSecrets(['new-secret-0123456789', 'old-secret-0123456789']),
      );
      expect(await rotated.validate(token)).to.equal(signature);
      const fresh = await rotated.issue(claims);
      expect(await old.validate(fresh.token)).to.equal(null);
      const dropped = new OpaqueTokenStrategy(new SystemSecrets(['new-secret-0123456789']));
      expect(await dropped.validate(token)).to.equal(null);
      expect(await dropped.validate(fresh.token)).to.equal(fresh.signature);
    });

    it('rejects tampered and garbage tokens without throwing', async () => {
      const strategy = new OpaqueTokenStrategy(new SystemSecrets([PRIMARY]));
      expect(await strategy.validate(tamper(VECTOR, 0))).to.equal(null);
      expect(await strategy.validate(tamper(VECTOR, 1))).to.equal(null);
      // A changed last character that only touches the ignored trailing bits is not canonical base64url.
      expect(await strategy.validate(`${VECTOR.slice(0, -1)}N`)).to.equal(null);
      expect(
        await strategy.validate(`${VECTOR.split('.')[0]}.${randomBytes(32).toString('base64url')}`),
      ).to.equal(null);
      for (const g of GARBAGE) expect(await strategy.validate(g as string)).to.equal(null);
    });

    it('verifies a repeated token once, a failing one every time, and remembers no more than verifiedMax', async () => {
      // Counts the verifications that reach the HMAC: each reads the secret list once.
      let digests = 0;
      const secrets = new SystemSecrets([PRIMARY]);
      const keys = secrets.all;
      Object.defineProperty(secrets, 'all', {
        get: () => {
          digests++;
          return keys;
        },
      });
      const strategy = new OpaqueTokenStrategy(secrets, { verifiedMax: 2 });
      const issuer = new OpaqueTokenStrategy(new SystemSecrets([PRIMARY]));
      const [a, b, c] = await Promise.all([1, 2, 3].map(() => issuer.issue(claims)));

      expect(await strategy.validate(a!.token)).to.equal(a!.signature);
      expect(await strategy.validate(a!.token)).to.equal(a!.signature);
      expect(digests).to.equal(1);

      const forged = tamper(a!.token, 1);
      expect(await strategy.validate(forged)).to.equal(null);
      expect(await strategy.validate(forged)).to.equal(null);
      expect(digests).to.equal(3);

      // Room for two: b and c push a out, so a is verified again.
      expect(await strategy.validate(b!.token)).to.equal(b!.signature);
      expect(await strategy.validate(c!.token)).to.equal(c!.signature);
      expect(await strategy.validate(a!.token)).to.equal(a!.signature);
      expect(digests).to.equal(6);

      const none = new OpaqueTokenStrategy(secrets, { verifiedMax: 0 });
      digests = 0;
      expect(await none.validate(a!.token)).to.equal(a!.signature);
      expect(await none.validate(a!.token)).to.equal(a!.signature);
      expect(digests).to.equal(2);
    });
  });

  describe('OpaqueTokenStrategy prefixes (access tokens, refresh tokens, authorization codes)', () => {
    const secrets = new SystemSecrets([PRIMARY]);
    const fixed = () => Buffer.from(Array.from({ length: 32 }, (_, i) => i));
    const kinds = Object.values(TOKEN_PREFIXES).map(
      (prefix) => [prefix, new OpaqueTokenStrategy(secrets, { prefix, random: fixed })] as const,
    );

    it('mints each kind with its prefix over the same HMAC, so only the prefix differs', () => {
      for (const [prefix, strategy] of kinds) {
        const { token, signature } = strategy.mint();
        expect(token).to.equal(`${prefix}${VECTOR.slice('ory_at_'.length)}`);
        expect(signature).to.equal(signatureKey(VECTOR.split('.')[1]!));
      }
      expect(new OpaqueTokenStrategy(secrets).prefix).to.equal('ory_at_');
    });

    it('accepts its own prefix and no prefix, never another kind', async () => {
      const signature = signatureKey(VECTOR.split('.')[1]!);
      const bare = VECTOR.slice('ory_at_'.length);
      for (const [prefix, strategy] of kinds) {
        expect(await strategy.validate(`${prefix}${bare}`)).to.equal(signature);
        expect(await strategy.validate(bare)).to.equal(signature);
        for (const [other] of kinds) {
          if (other !== prefix) expect(await strategy.validate(`${other}${bare}`), other).to.equal(null);
        }
      }
    });

    it('mints random refresh tokens and codes of the usual length', () => {
      const refresh = new OpaqueTokenStrategy(secrets, { prefix: 'ory_rt_' });
      const code = new OpaqueTokenStrategy(secrets, { prefix: 'ory_ac_' });
      expect(refresh.mint().token).to.match(/^ory_rt_[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/);
      expect(code.mint().token).to.match(/^ory_ac_[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/);
      expect(refresh.mint().token).to.not.equal(refresh.mint().token);
    });
  });

  describe('JwtTokenStrategy', () => {
    let keys: KeyManager;

    beforeEach(() => {
      keys = new KeyManager(new MemoryKeyStore(), new SystemSecrets([PRIMARY]), { rsaModulusLength: 2048 });
    });

    it('issues an RFC 9068 JWT that verifies against the published key', async () => {
      const strategy = new JwtTokenStrategy(keys, { scopeClaim: 'list' });
      const { token, signature } = await strategy.issue(claims);
      const [h, p, s] = token.split('.') as [string, string, string];
      const header = decodePart(h);
      const pub = (await keys.publicKeys([ACCESS_TOKEN_KEY_SET])).keys[0]!;
      expect(header).to.deep.equal({ alg: 'RS256', kid: pub.kid, typ: 'at+jwt' });
      const ok = verify(
        'sha256',
        Buffer.from(`${h}.${p}`),
        createPublicKey({ key: { ...pub }, format: 'jwk' }),
        Buffer.from(s, 'base64url'),
      );
      expect(ok).to.equal(true);
      expect(decodePart(p)).to.deep.equal({
        iss: 'http://127.0.0.1:4444',
        sub: 'my-client',
        aud: ['https://api.example'],
        exp: 1735693200,
        iat: 1735689600,
        nbf: 1735689600,
        jti: claims.request_id,
        client_id: 'my-client',
        scp: ['read', 'write'],
        ext: {},
      });
      expect(signature).to.equal(signatureKey(s));
      expect(await strategy.validate(token)).to.equal(signature);
    });

    it('honours scopeClaim, empty audience and missing request id', async () => {
      const payload = async (scopeClaim: 'list' | 'string' | 'both', c = claims) =>
        decodePart((await new JwtTokenStrategy(keys, { scopeClaim }).issue(c)).token.split('.')[1]!);
      const str = await payload('string');
      expect(str.scope).to.equal('read write');
      expect(str).to.not.have.property('scp');
      const both = await payload('both');
      expect(both).to.include({ scope: 'read write' });
      expect(both.scp).to.deep.equal(['read', 'write']);
      const bare = await payload('list', { ...claims, request_id: '', audience: [], scope: [] });
      expect(bare.aud).to.deep.equal([]);
      expect(bare.scp).to.deep.equal([]);
      const flow = await payload('list', { ...claims, subject: 'alice', ext: { tenant: 't1' } });
      expect(flow).to.include({ sub: 'alice', client_id: 'my-client' });
      expect(flow.ext).to.deep.equal({ tenant: 't1' });
      expect(bare.jti).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-4/);
    });

    it('rejects tampered, foreign and garbage tokens without throwing', async () => {
      const strategy = new JwtTokenStrategy(keys, { scopeClaim: 'list' });
      const { token } = await strategy.issue(claims);
      const [h, p, s] = token.split('.') as [string, string, string];
      expect(await strategy.validate(tamper(token, 1))).to.equal(null);
      expect(await strategy.validate(tamper(token, 2))).to.equal(null);
      const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
      const header = decodePart(h);
      expect(await strategy.validate(`${enc({ ...header, alg: 'none' })}.${p}.`)).to.equal(null);
      expect(await strategy.validate(`${enc({ ...header, alg: 'HS256' })}.${p}.${s}`)).to.equal(null);
      expect(await strategy.validate(`${enc({ ...header, typ: 'dpop+jwt' })}.${p}.${s}`)).to.equal(null);
      expect(await strategy.validate(`${enc({ ...header, kid: 'unknown' })}.${p}.${s}`)).to.equal(null);
      expect(await strategy.validate(`${h}.${p}`)).to.equal(null);
      // Signed by another manager's key (same set name, different key).
      const other = new KeyManager(new MemoryKeyStore(), new SystemSecrets([PRIMARY]), {
        rsaModulusLength: 2048,
      });
      const foreign = await new JwtTokenStrategy(other, { scopeClaim: 'list' }).issue(claims);
      expect(await strategy.validate(foreign.token)).to.equal(null);
      for (const g of [...GARBAGE, 'a.b.c', 'e30.e30.', `${h}.bm90IGpzb24.${s}`]) {
        expect(await strategy.validate(g as string)).to.equal(null);
      }
    });

    it('keeps validating tokens of an older key after a new key is added', async () => {
      const strategy = new JwtTokenStrategy(keys, { scopeClaim: 'list' });
      const before = await strategy.issue(claims);
      await keys.generateSet(ACCESS_TOKEN_KEY_SET, { alg: 'ES256', kid: 'ec-new' });
      const after = await strategy.issue(claims);
      expect(decodePart(after.token.split('.')[0]!)).to.deep.equal({
        alg: 'ES256',
        kid: 'ec-new',
        typ: 'at+jwt',
      });
      expect(await strategy.validate(before.token)).to.equal(before.signature);
      expect(await strategy.validate(after.token)).to.equal(after.signature);
    });

    it('accepts a token it verified before only while the verifying key is still in the set', async () => {
      const strategy = new JwtTokenStrategy(keys, { scopeClaim: 'list' });
      const { token, signature } = await strategy.issue(claims);
      const { kid } = decodePart(token.split('.')[0]!);
      expect(await strategy.validate(token)).to.equal(signature);
      expect(await strategy.validate(token)).to.equal(signature);
      // Adding a key reloads the set: the remembered token is verified again, and still valid.
      await keys.generateSet(ACCESS_TOKEN_KEY_SET, { alg: 'ES256', kid: 'ec-2' });
      expect(await strategy.validate(token)).to.equal(signature);
      await keys.deleteKey(ACCESS_TOKEN_KEY_SET, kid);
      expect(await strategy.validate(token)).to.equal(null);
    });

    it('works after secret rotation (keys decrypt with an older secret)', async () => {
      const store = new MemoryKeyStore();
      const first = new KeyManager(store, new SystemSecrets(['old-secret-0123456789']), {
        rsaModulusLength: 2048,
      });
      const { token, signature } = await new JwtTokenStrategy(first, { scopeClaim: 'list' }).issue(claims);
      const rotated = new KeyManager(
        store,
        new SystemSecrets(['new-secret-0123456789', 'old-secret-0123456789']),
      );
      expect(await new JwtTokenStrategy(rotated, { scopeClaim: 'list' }).validate(token)).to.equal(signature);
    });
  });
});
