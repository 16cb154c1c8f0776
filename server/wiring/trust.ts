// The RFC 7523 jwt-bearer trust relationships: the admin operations, with the trusted key copied to the key set
// named after the issuer (as Hydra does, so `GET /admin/keys/<issuer>` lists it).
import { trustHandlers } from '../http/admin/trust.js';
import type { KeyManager } from '../keys/key-manager.js';
import { NotFoundError } from '../oauth2/errors.js';
import type { Audit } from '../observability/audit.js';
import type { TrustKeySets } from '../trust/ports.js';
import { createTrustService } from '../trust/trust-service.js';
import type { Feature } from './feature.js';
import type { Storage } from './storage.js';

export function keySetsOf(keys: KeyManager): TrustKeySets {
  return {
    async addIfAbsent(set, jwk) {
      try {
        await keys.getKey(set, jwk.kid);
        return;
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
      }
      await keys.setKey(set, jwk.kid, jwk);
    },
    async remove(set, kid) {
      try {
        await keys.deleteKey(set, kid);
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
      }
    },
  };
}

export function wireTrust(deps: { storage: Storage; keys: KeyManager; audit: Audit }): Feature {
  const trust = createTrustService({ store: deps.storage.trustStore, keySets: keySetsOf(deps.keys) });
  return { adminHandlers: trustHandlers(trust, deps.audit) };
}
