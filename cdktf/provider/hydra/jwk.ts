// The JSON Web Key shape of svrakitin/hydra (`resource_jwk.go`): one object per key with every RFC 7517
// member as its own attribute. Used as a nested block in `hydra_oauth2_client.jwk` and as the element type
// of `hydra_jwks.key`.
import type { Attribute, Block, CtyType } from '../framework/schema.js';
import type { ObjectValue, Value } from '../protocol/values.js';

export const JWK_REQUIRED = ['alg', 'kid', 'use', 'kty'] as const;
export const JWK_PUBLIC = ['crv', 'n', 'e', 'x', 'y'] as const;
export const JWK_PRIVATE = ['d', 'dp', 'dq', 'k', 'p', 'q', 'qi'] as const;
const JWK_STRINGS = [...JWK_REQUIRED, ...JWK_PUBLIC, ...JWK_PRIVATE];

export const jwkObjectType: CtyType = [
  'object',
  Object.fromEntries([
    ...JWK_STRINGS.map((n) => [n, 'string' as CtyType]),
    ['x5c', ['list', 'string'] as CtyType],
  ]),
];

export function jwkBlock(): Block {
  const attributes: Record<string, Attribute> = {};
  for (const n of JWK_REQUIRED)
    attributes[n] = { type: 'string', required: true, description: `JWK \`${n}\`.` };
  for (const n of [...JWK_PUBLIC, ...JWK_PRIVATE]) {
    // svrakitin/hydra marks e, x and y sensitive too; kept for an identical plan output.
    const sensitive = n !== 'crv' && n !== 'n';
    attributes[n] = {
      type: 'string',
      optional: true,
      computed: true,
      sensitive,
      description: `JWK \`${n}\`.`,
    };
  }
  attributes.x5c = { type: ['list', 'string'], optional: true, computed: true, description: 'JWK `x5c`.' };
  return { attributes };
}

/** A server key as the nested object (members it lacks are null); private members only when `withPrivate`. */
export function jwkFromApi(key: Record<string, unknown>, withPrivate: boolean): ObjectValue {
  const out: ObjectValue = {};
  for (const n of JWK_STRINGS) {
    const v = key[n];
    out[n] =
      typeof v === 'string' && (withPrivate || !(JWK_PRIVATE as readonly string[]).includes(n)) ? v : null;
  }
  out.x5c = Array.isArray(key.x5c) ? (key.x5c as string[]) : null;
  return out;
}

/** The nested object as a JWK (null and empty members left out). */
export function jwkToApi(v: Value): Record<string, unknown> {
  const o = (v ?? {}) as ObjectValue;
  const out: Record<string, unknown> = {};
  for (const n of JWK_STRINGS) if (typeof o[n] === 'string' && o[n] !== '') out[n] = o[n];
  if (Array.isArray(o.x5c) && o.x5c.length > 0) out.x5c = o.x5c;
  return out;
}
