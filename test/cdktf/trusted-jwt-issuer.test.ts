// Synth tests of the TrustedJwtIssuer construct: the tollgate_trusted_jwt_grant_issuer attributes it writes,
// its defaults (kid from the key or its RFC 7638 thumbprint, a Date as whole UTC seconds), and the synth-time
// checks with their messages.
import { generateKeyPairSync } from 'node:crypto';
import { TerraformOutput, TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { expect } from 'chai';
import {
  jwkThumbprint,
  l1,
  TollgateProvider,
  TrustedJwtIssuer,
  type TrustedJwtIssuerProps,
} from 'tollgate/cdktf';

const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const PUBLIC_JWK = publicKey.export({ format: 'jwk' }) as Record<string, string>;
const PRIVATE_JWK = privateKey.export({ format: 'jwk' }) as Record<string, string>;

const BASE: TrustedJwtIssuerProps = {
  issuer: 'https://idp.partner.example',
  subject: 'alice',
  scopes: ['invoices.read'],
  publicKey: { ...PUBLIC_JWK, kid: 'partner-2026', alg: 'ES256' },
  expiresAt: '2099-01-01T00:00:00Z',
};

/** A Terraform interpolation as it appears in the JSON: `${expression}`. */
const tf = (expression: string): string => `\${${expression}}`;

function newStack(): TerraformStack {
  const stack = new TerraformStack(Testing.app(), 'trust');
  new TollgateProvider(stack, 'tollgate');
  return stack;
}

function synthTrust(props: TrustedJwtIssuerProps): Record<string, unknown> {
  const stack = newStack();
  new TrustedJwtIssuer(stack, 'partner', props);
  const json = JSON.parse(Testing.synth(stack, true));
  const { '//': _, ...attributes } = json.resource.tollgate_trusted_jwt_grant_issuer.partner;
  return attributes;
}

function synthError(props: Partial<TrustedJwtIssuerProps>): string {
  const stack = newStack();
  new TrustedJwtIssuer(stack, 'partner', props as TrustedJwtIssuerProps);
  try {
    Testing.synth(stack, true);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('synth succeeded but should have failed');
}

describe('cdktf TrustedJwtIssuer: synthesized tollgate_trusted_jwt_grant_issuer and synth-time checks', () => {
  it('maps the props to the resource attributes', () => {
    expect(synthTrust(BASE)).to.deep.equal({
      issuer: 'https://idp.partner.example',
      subject: 'alice',
      scope: ['invoices.read'],
      jwk: JSON.stringify({ ...PUBLIC_JWK, kid: 'partner-2026', alg: 'ES256' }),
      expires_at: '2099-01-01T00:00:00Z',
    });
  });

  it('defaults: kid is the RFC 7638 thumbprint of a key without one; a Date becomes whole UTC seconds', () => {
    const stack = newStack();
    const trust = new TrustedJwtIssuer(stack, 'partner', {
      ...BASE,
      subject: undefined,
      allowAnySubject: true,
      publicKey: PUBLIC_JWK,
      expiresAt: new Date('2099-06-30T12:34:56.789Z'),
    });
    const attributes = JSON.parse(Testing.synth(stack, true)).resource.tollgate_trusted_jwt_grant_issuer
      .partner;
    const thumbprint = jwkThumbprint(PUBLIC_JWK);
    expect(thumbprint).to.match(/^[A-Za-z0-9_-]{43}$/);
    expect(trust.kid).to.equal(thumbprint);
    expect(JSON.parse(attributes.jwk).kid).to.equal(thumbprint);
    expect(attributes.allow_any_subject).to.equal(true);
    expect(attributes).not.to.have.property('subject');
    expect(attributes.expires_at).to.equal('2099-06-30T12:34:56Z');
  });

  it('the RFC 7638 thumbprint matches the specification example (RFC 7638 §3.1)', () => {
    const rsa = {
      kty: 'RSA',
      n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
      e: 'AQAB',
      alg: 'RS256',
      kid: '2011-04-29',
    };
    expect(jwkThumbprint(rsa)).to.equal('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });

  it('a token for the key or the expiry is passed through unchecked', () => {
    const stack = newStack();
    const expires = new TerraformVariable(stack, 'expires', { type: 'string' });
    new TrustedJwtIssuer(stack, 'partner', { ...BASE, expiresAt: expires.stringValue });
    const attributes = JSON.parse(Testing.synth(stack, true)).resource.tollgate_trusted_jwt_grant_issuer
      .partner;
    expect(attributes.expires_at).to.equal(tf('var.expires'));
  });

  it('exposes the relationship id and key set as Terraform references', () => {
    const stack = newStack();
    const trust = new TrustedJwtIssuer(stack, 'partner', BASE);
    new TerraformOutput(stack, 'id', { value: trust.trustId });
    new TerraformOutput(stack, 'set', { value: trust.publicKeySet });
    const { output } = JSON.parse(Testing.synth(stack, true));
    expect(output.id.value).to.equal(tf('tollgate_trusted_jwt_grant_issuer.partner.id'));
    expect(output.set.value).to.equal(tf('tollgate_trusted_jwt_grant_issuer.partner.public_key_set'));
    expect(trust.resource).to.be.instanceOf(l1.TrustedJwtGrantIssuer);
  });

  describe('refuses at synth time', () => {
    const cases: [string, Partial<TrustedJwtIssuerProps>, string][] = [
      [
        'both subject and allowAnySubject',
        { ...BASE, allowAnySubject: true },
        'subject and allowAnySubject are both set',
      ],
      [
        'neither subject nor allowAnySubject',
        { ...BASE, subject: undefined },
        'neither subject nor allowAnySubject is set',
      ],
      ['an empty scope list', { ...BASE, scopes: [] }, 'scopes is empty'],
      ['a scope with a space', { ...BASE, scopes: ['a b'] }, 'scopes[0] is "a b"'],
      [
        'a private key',
        { ...BASE, publicKey: { ...PRIVATE_JWK, kid: 'k' } },
        'publicKey holds private key members (d)',
      ],
      [
        'a symmetric key',
        { ...BASE, publicKey: { kty: 'oct', k: 'c2VjcmV0', kid: 'k' } },
        'publicKey is a symmetric key',
      ],
      [
        'a key without kid and no thumbprint',
        { ...BASE, publicKey: { kty: 'EC', crv: 'P-256' } },
        'publicKey has no kid, and no RFC 7638 thumbprint exists for kty "EC"; set kid',
      ],
      [
        'an expiry in the past',
        { ...BASE, expiresAt: '2020-01-01T00:00:00Z' },
        'expiresAt is "2020-01-01T00:00:00Z", which is not in the future',
      ],
      [
        'an expiry that is not RFC 3339',
        { ...BASE, expiresAt: 'next year' },
        'expiresAt is "next year"; expected a Date or an RFC 3339 timestamp',
      ],
      ['an invalid Date', { ...BASE, expiresAt: new Date('nope') }, 'expiresAt is "Invalid Date"'],
      ['a missing issuer', { ...BASE, issuer: undefined }, 'issuer is required'],
    ];
    for (const [what, props, message] of cases) {
      it(what, () => {
        const error = synthError(props);
        expect(error).to.contain('partner');
        expect(error).to.contain(message);
      });
    }
  });
});
