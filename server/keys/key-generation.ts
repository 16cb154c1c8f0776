// New keys for Hydra's POST /admin/keys/{set}: the algorithms Hydra's jwk generator offers.
import { generateKeyPair, type JsonWebKey, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import type { components } from '../../sdk/generated/openapi.js';
import { type Jwk, orderJwk, unsupportedAlgorithm } from './jwk.js';

const generateKeyPairAsync = promisify(generateKeyPair);

/** The algorithms createJsonWebKeySet generates keys for (the contract's enum). */
export type GeneratedKeyAlgorithm = components['schemas']['createJsonWebKeySet']['alg'];

/** A new private JWK; `rsaModulusLength` applies to RSA algorithms (Hydra uses 4096). */
export async function generateJwk(
  alg: GeneratedKeyAlgorithm,
  kid: string,
  use: string,
  rsaModulusLength: number,
): Promise<Jwk> {
  let material: JsonWebKey;
  switch (alg) {
    case 'RS256':
    case 'RS512': {
      const pair = await generateKeyPairAsync('rsa', {
        modulusLength: rsaModulusLength,
        publicExponent: 0x10001,
      });
      material = pair.privateKey.export({ format: 'jwk' });
      break;
    }
    case 'ES256':
    case 'ES512': {
      const namedCurve = alg === 'ES256' ? 'prime256v1' : 'secp521r1';
      material = (await generateKeyPairAsync('ec', { namedCurve })).privateKey.export({ format: 'jwk' });
      break;
    }
    case 'EdDSA':
      material = (await generateKeyPairAsync('ed25519', {})).privateKey.export({ format: 'jwk' });
      break;
    case 'HS256':
    case 'HS512':
      material = { kty: 'oct', k: randomBytes(alg === 'HS256' ? 32 : 64).toString('base64url') };
      break;
    // Reached by a value that bypassed the contract's check (the type says it cannot happen).
    default:
      throw unsupportedAlgorithm();
  }
  return orderJwk({ ...material, use, kid, alg });
}
