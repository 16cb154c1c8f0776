// L2 trust relationship for the JWT bearer grant (RFC 7523): who may sign assertions, for which subject, with
// which public key and scopes, until when. Checked at synth time; rendered to `tollgate_trusted_jwt_grant_issuer`.
import { createHash } from 'node:crypto';
import { Construct } from 'constructs';
import { PRIVATE_JWK_MEMBERS, publicJwkProblem, rfc3339Millis } from '../provider/resources/trust-values.js';
import { type TerraformProvider, Token } from './core.js';
import { TrustedJwtGrantIssuer as L1TrustedJwtGrantIssuer } from './l1/trusted-jwt-grant-issuer.js';
import type { TollgateProvider } from './provider.js';
import { terraformProvider } from './provider.js';
import { notEmpty, problems, scopes } from './validation.js';

/** A public JSON Web Key (RFC 7517 §4). */
export type PublicJsonWebKey = Readonly<Record<string, unknown>>;

export interface TrustedJwtIssuerProps {
  /**
   * The provider configuration to use.
   * @default the stack's default `tollgate` provider configuration
   */
  readonly provider?: TollgateProvider | TerraformProvider;
  /** The `iss` claim of the assertions, e.g. `https://jwt-idp.example.com`. */
  readonly issuer: string;
  /** The one `sub` the assertions may name. Give this or `allowAnySubject: true`. @default none */
  readonly subject?: string;
  /** The assertions may name any subject. @default false */
  readonly allowAnySubject?: boolean;
  /** The scopes an assertion may request; at least one. */
  readonly scopes: string[];
  /**
   * The issuer's public key (a JWK object, e.g. `publicKey.export({ format: 'jwk' })` of node:crypto). Private
   * members are refused.
   */
  readonly publicKey: PublicJsonWebKey;
  /**
   * The key id the assertions carry in their `kid` header.
   * @default the key's own `kid`, else its RFC 7638 thumbprint (base64url SHA-256)
   */
  readonly kid?: string;
  /**
   * When the relationship ends (a Date or an RFC 3339 string); must be in the future at synth time. Changing it
   * replaces the relationship.
   */
  readonly expiresAt: Date | string;
}

// RFC 7638 §3.2: the required members of each key type, in lexicographic order.
const THUMBPRINT_MEMBERS: Record<string, readonly string[]> = {
  EC: ['crv', 'kty', 'x', 'y'],
  RSA: ['e', 'kty', 'n'],
  OKP: ['crv', 'kty', 'x'],
};

/** RFC 7638 JWK thumbprint (SHA-256, base64url), or undefined for a key type it does not cover. */
export function jwkThumbprint(jwk: PublicJsonWebKey): string | undefined {
  const members = THUMBPRINT_MEMBERS[String(jwk.kty)];
  if (members === undefined || members.some((m) => typeof jwk[m] !== 'string')) return undefined;
  const canonical = `{${members.map((m) => `${JSON.stringify(m)}:${JSON.stringify(jwk[m])}`).join(',')}}`;
  return createHash('sha256').update(canonical).digest('base64url');
}

/** A Date as RFC 3339 in whole seconds (what the server stores), or its text when it is an invalid date. */
const isoSeconds = (d: Date): string =>
  Number.isNaN(d.getTime()) ? String(d) : `${d.toISOString().slice(0, 19)}Z`;

/**
 * A trusted issuer of JWT bearer grant assertions (`tollgate_trusted_jwt_grant_issuer`). The client that
 * presents the assertions needs the grant type `urn:ietf:params:oauth:grant-type:jwt-bearer`.
 *
 * ```ts
 * new TrustedJwtIssuer(stack, 'partner', {
 *   issuer: 'https://idp.partner.example',
 *   allowAnySubject: true,
 *   scopes: ['invoices.read'],
 *   publicKey: { kty: 'EC', crv: 'P-256', x: '…', y: '…', kid: 'partner-2026' },
 *   expiresAt: '2027-01-01T00:00:00Z',
 * });
 * ```
 */
export class TrustedJwtIssuer extends Construct {
  /** The L1 resource (this construct's default child), for escape hatches. */
  readonly resource: L1TrustedJwtGrantIssuer;
  /** The key id assertions must carry (known at synth time). */
  readonly kid: string;

  constructor(scope: Construct, id: string, props: TrustedJwtIssuerProps) {
    super(scope, id);
    const key = props.publicKey ?? {};
    this.kid =
      props.kid ?? (typeof key.kid === 'string' && key.kid !== '' ? key.kid : (jwkThumbprint(key) ?? ''));
    const expiresAt =
      props.expiresAt instanceof Date ? isoSeconds(props.expiresAt) : (props.expiresAt as string);
    this.resource = new L1TrustedJwtGrantIssuer(this, 'Default', {
      provider: terraformProvider(props.provider),
      issuer: props.issuer,
      subject: props.subject,
      allowAnySubject: props.allowAnySubject,
      scope: props.scopes,
      jwk: Token.isUnresolved(key) ? (key as unknown as string) : JSON.stringify({ ...key, kid: this.kid }),
      expiresAt,
    });
    this.node.addValidation({ validate: () => validateProps(props, this.kid, expiresAt) });
  }

  /** The relationship id (a UUID the server chooses). */
  get trustId(): string {
    return this.resource.id;
  }

  get createdAt(): string {
    return this.resource.createdAt;
  }

  /** The key set the server stores the key in (named after the issuer). */
  get publicKeySet(): string {
    return this.resource.publicKeySet;
  }
}

function validateProps(p: TrustedJwtIssuerProps, kid: string, expiresAt: string): string[] {
  const literal = (v: unknown) => v !== undefined && !Token.isUnresolved(v);
  const key = p.publicKey;
  const expires = rfc3339Millis(expiresAt);
  return problems(
    notEmpty('issuer', p.issuer),
    p.issuer === undefined ? 'issuer is required' : undefined,
    notEmpty('subject', p.subject),
    p.subject !== undefined && p.allowAnySubject === true
      ? 'subject and allowAnySubject are both set; a relationship is for one subject or for any subject'
      : undefined,
    p.subject === undefined && p.allowAnySubject !== true
      ? 'neither subject nor allowAnySubject is set; give the one subject the assertions may name, or allowAnySubject: true'
      : undefined,
    scopes('scopes', p.scopes),
    p.scopes === undefined || (literal(p.scopes) && p.scopes.length === 0)
      ? 'scopes is empty; list the scopes an assertion of this issuer may request (at least one)'
      : undefined,
    key === undefined ? 'publicKey is required' : literal(key) ? keyProblem(key, kid) : undefined,
    p.expiresAt === undefined
      ? 'expiresAt is required'
      : !literal(expiresAt)
        ? undefined
        : expires === undefined
          ? `expiresAt is ${JSON.stringify(expiresAt)}; expected a Date or an RFC 3339 timestamp such as "2030-01-01T00:00:00Z"`
          : expires <= Date.now()
            ? `expiresAt is ${JSON.stringify(expiresAt)}, which is not in the future; the server would refuse every assertion`
            : undefined,
  );
}

function keyProblem(key: PublicJsonWebKey, kid: string): string | undefined {
  if (key === null || typeof key !== 'object' || Array.isArray(key))
    return 'publicKey must be a JSON Web Key object';
  const secret = PRIVATE_JWK_MEMBERS.filter((m) => m in key);
  if (secret.length > 0 && key.kty !== 'oct') {
    return `publicKey holds private key members (${secret.join(', ')}); give the public key only (e.g. createPublicKey(privateKey).export({ format: 'jwk' }))`;
  }
  if (kid === '') {
    return `publicKey has no kid, and no RFC 7638 thumbprint exists for kty ${JSON.stringify(key.kty)}; set kid`;
  }
  const problem = publicJwkProblem({ ...key, kid });
  return problem === undefined ? undefined : `publicKey ${problem}`;
}
