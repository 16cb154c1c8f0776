// The provider's protocol layer: Terraform values in msgpack (unknowns, refined unknowns, every attribute
// present), and the planning rules every resource relies on.
import { X509Certificate } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { Encoder, ExtData } from '@msgpack/msgpack';
import { expect } from 'chai';
import { planChange, reconcile } from '../../cdktf/provider/framework/plan.js';
import { type Block, conform, valueEqual } from '../../cdktf/provider/framework/schema.js';
import { validateAttributes } from '../../cdktf/provider/framework/server.js';
import { hydraClientSchema } from '../../cdktf/provider/hydra/oauth2-client.js';
import { createServerCertificate } from '../../cdktf/provider/plugin/cert.js';
import {
  containsUnknown,
  decodeMsgpack,
  encodeMsgpack,
  fromDynamic,
  isUnknown,
  UNKNOWN,
  Unknown,
} from '../../cdktf/provider/protocol/values.js';
import { oauth2ClientSchema } from '../../cdktf/provider/resources/oauth2-client.js';
import { sameDuration, sameJson } from '../../cdktf/provider/resources/values.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('Terraform provider: msgpack values', () => {
  it('round-trips objects with strings, numbers, bools, lists, maps and nulls', () => {
    const value = { a: 'x', n: 42, f: 1.5, b: true, l: ['p', 'q'], m: { k: 'v' }, z: null };
    expect(decodeMsgpack(encodeMsgpack(value))).to.deep.equal(value);
  });

  it("encodes an unknown as extension 0 with one zero byte (d4 00 00), Terraform's encoding", () => {
    expect(hex(encodeMsgpack(UNKNOWN))).to.equal('d40000');
    expect(hex(encodeMsgpack({ id: UNKNOWN }))).to.equal(`81a26964d40000`);
    expect(decodeMsgpack(Buffer.from('d40000', 'hex'))).to.be.instanceOf(Unknown);
  });

  it('decodes a refined unknown (extension 12) with what it promises: not null, a string prefix', () => {
    // cty's refinement payload: a map with integer keys, {1: false (not null), 2: "beta-of-" (prefix)}.
    const payload = Buffer.concat([Buffer.from('8201c202a8', 'hex'), Buffer.from('beta-of-')]);
    const bytes = new Encoder().encode({ name: new ExtData(12, payload) });
    const decoded = decodeMsgpack(bytes) as { name: Unknown };
    expect(isUnknown(decoded.name)).to.equal(true);
    expect(decoded.name.refinement).to.deep.equal({ notNull: true, stringPrefix: 'beta-of-' });
  });

  it('decodes any other extension type as unknown, nested ones too', () => {
    const bytes = new Encoder().encode({ list: ['a', new ExtData(7, new Uint8Array([1, 2]))] });
    const decoded = decodeMsgpack(bytes) as { list: unknown[] };
    expect(decoded.list[0]).to.equal('a');
    expect(decoded.list[1]).to.be.instanceOf(Unknown);
    expect(containsUnknown(decoded as never)).to.equal(true);
    expect(containsUnknown({ a: ['b', { c: null }] })).to.equal(false);
  });

  it('reads DynamicValue msgpack first, JSON as the fallback, and nothing as null', () => {
    expect(
      fromDynamic({ msgpack: Buffer.from(encodeMsgpack({ a: 1 })), json: Buffer.from('{"a":2}') }),
    ).to.deep.equal({
      a: 1,
    });
    expect(fromDynamic({ msgpack: Buffer.alloc(0), json: Buffer.from('{"a":2}') })).to.deep.equal({ a: 2 });
    expect(fromDynamic({ msgpack: Buffer.alloc(0), json: Buffer.alloc(0) })).to.equal(null);
    expect(fromDynamic({ msgpack: Buffer.from('c0', 'hex') })).to.equal(null);
  });
});

describe('Terraform provider: planning rules', () => {
  const block: Block = {
    attributes: {
      id: { type: 'string', optional: true, computed: true, forceNew: true, description: '' },
      name: { type: 'string', optional: true, description: '' },
      scope: { type: 'string', optional: true, computed: true, description: '' },
      tags: { type: ['set', 'string'], optional: true, description: '' },
      ttl: { type: 'string', optional: true, equal: sameDuration, description: '' },
      secret_wo: { type: 'string', optional: true, writeOnly: true, description: '' },
      updated: { type: 'string', computed: true, unknownOnUpdate: true, description: '' },
    },
  };
  const obj = (o: Record<string, unknown>) => conform(block, o);

  it('on create, computed values the configuration leaves unset are unknown and write-only ones null', () => {
    const config = obj({ name: 'a', secret_wo: 's' });
    const { planned, requiresReplace } = planChange(block, null, config, config);
    expect(isUnknown(planned.id)).to.equal(true);
    expect(isUnknown(planned.scope)).to.equal(true);
    expect(isUnknown(planned.updated)).to.equal(true);
    expect(planned.name).to.equal('a');
    expect(planned.secret_wo).to.equal(null);
    expect(requiresReplace).to.deep.equal([]);
  });

  it('keeps the prior spelling of an equal duration and plans no change', () => {
    const prior = obj({ id: 'x', name: 'a', scope: 's', ttl: '1h', updated: 't1' });
    const config = obj({ name: 'a', ttl: '60m' });
    const proposed = obj({ id: 'x', name: 'a', scope: 's', ttl: '60m', updated: 't1' });
    const { planned } = planChange(block, prior, proposed, config);
    expect(planned.ttl).to.equal('1h');
    expect(planned.updated).to.equal('t1');
  });

  it('a changed value marks update-time attributes unknown; a changed force-new one asks for replacement', () => {
    const prior = obj({ id: 'x', name: 'a', scope: 's', updated: 't1' });
    const renamed = planChange(block, prior, obj({ ...prior, name: 'b' }), obj({ name: 'b' }));
    expect(isUnknown(renamed.planned.updated)).to.equal(true);
    expect(renamed.requiresReplace).to.deep.equal([]);
    const moved = planChange(block, prior, obj({ ...prior, id: 'y' }), obj({ id: 'y', name: 'a' }));
    expect(moved.requiresReplace).to.deep.equal(['id']);
    expect(isUnknown(moved.planned.scope)).to.equal(true); // a replacement is a create
  });

  it('sets compare without order', () => {
    expect(valueEqual(['set', 'string'], ['a', 'b'], ['b', 'a'])).to.equal(true);
    expect(valueEqual(['list', 'string'], ['a', 'b'], ['b', 'a'])).to.equal(false);
  });

  it('reconciles server values with the reference: equal spelling kept, empty is unset, drift shows', () => {
    const reference = obj({ id: 'x', name: null, scope: 's', tags: ['b', 'a'], ttl: '1h', updated: 't1' });
    const server = { id: 'x', name: '', scope: 's', tags: ['a', 'b'], ttl: '1h0m0s', updated: 't2' };
    expect(reconcile(block, server, reference)).to.deep.equal(
      obj({ id: 'x', name: null, scope: 's', tags: ['b', 'a'], ttl: '1h', updated: 't2' }),
    );
    const drifted = reconcile(block, { ...server, name: 'changed elsewhere', ttl: '2h0m0s' }, reference);
    expect(drifted.name).to.equal('changed elsewhere');
    expect(drifted.ttl).to.equal('2h0m0s');
  });

  it('keeps what the server never returns (a secret), and never stores a write-only value', () => {
    const secretBlock: Block = {
      attributes: {
        secret: { type: 'string', optional: true, computed: true, description: '' },
        secret_wo: { type: 'string', optional: true, writeOnly: true, description: '' },
      },
    };
    const out = reconcile(
      secretBlock,
      { secret: undefined, secret_wo: 'x' },
      { secret: 'kept', secret_wo: 'x' },
    );
    expect(out).to.deep.equal({ secret: 'kept', secret_wo: null });
  });

  it('JSON documents are equal regardless of key order and whitespace', () => {
    expect(sameJson('{"a":1,"b":{"c":[1,2]}}', '{ "b": {"c": [1, 2]}, "a": 1 }')).to.equal(true);
    expect(sameJson('{"a":1}', '{"a":2}')).to.equal(false);
    expect(sameJson(null, '{}')).to.equal(true); // the server reports an unset object as {}
    expect(sameDuration('90m', '1h30m0s')).to.equal(true);
    expect(sameDuration('90m', 'soon')).to.equal(false);
  });
});

describe("Terraform provider: the client resources check the contract's allowed values at plan time", () => {
  for (const [name, schema] of [
    ['tollgate_oauth2_client', oauth2ClientSchema],
    ['hydra_oauth2_client', hydraClientSchema],
  ] as const) {
    it(`${name} refuses a typo in userinfo_signed_response_alg and takes the contract's values`, () => {
      const typo = validateAttributes(schema.block, { userinfo_signed_response_alg: 'RS265' });
      expect(typo).to.have.length(1);
      expect(typo[0]).to.deep.include({
        summary: 'Invalid userinfo_signed_response_alg',
        detail: '"RS265" is not allowed; use one of "none", "RS256"',
      });
      for (const alg of ['none', 'RS256'])
        expect(validateAttributes(schema.block, { userinfo_signed_response_alg: alg })).to.deep.equal([]);
    });
  }
});

describe('Terraform provider: AutoMTLS server certificate', () => {
  it('is a self-signed P-256 CA certificate for localhost with server and client auth', () => {
    const cert = createServerCertificate();
    const x509 = new X509Certificate(cert.der);
    expect(x509.subjectAltName).to.contain('DNS:localhost');
    expect(x509.ca).to.equal(true);
    expect(x509.verify(x509.publicKey)).to.equal(true);
    expect(x509.keyUsage).to.include.members(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
    expect(x509.publicKey.asymmetricKeyDetails?.namedCurve).to.equal('prime256v1');
    expect(new X509Certificate(cert.certPem).fingerprint256).to.equal(x509.fingerprint256);
  });

  it('always encodes as DER OpenSSL accepts (a serial number with a redundant zero byte once failed 1 in 256)', () => {
    for (let i = 0; i < 512; i++) {
      const cert = createServerCertificate();
      expect(
        () => createSecureContext({ cert: cert.certPem, key: cert.keyPem }),
        `certificate ${i}`,
      ).not.to.throw();
    }
  });
});
