// JSON Web Key sets: the admin key operations, discovery and jwks.json, and the start-up seal report.
import type { SystemSecrets } from '../crypto/secrets.js';
import { keyHandlers } from '../http/admin/keys.js';
import type { KeyEndpoints } from '../http/endpoints.js';
import { wellKnownHandlers } from '../http/public/well-known.js';
import { KeyManager, keyEndpoints } from '../keys/key-manager.js';
import { reportSealStatus } from '../keys/seal-report.js';
import { subjectTypesSupported } from '../oidc/pairwise.js';
import { endpointUrl } from '../urls.js';
import type { Feature, WiringContext } from './feature.js';
import { subjectIdentifierOptions } from './oauth2.js';
import type { Storage } from './storage.js';

export function wireKeys({ config, logger }: WiringContext, storage: Storage, secrets: SystemSecrets) {
  const keys = new KeyManager(storage.keyStore, secrets, {
    onUnreadable: (error) =>
      logger.error(
        { set: error.setId, kid: error.kid, reason: error.message },
        'a JSON Web Key cannot be read',
      ),
  });
  keys.watch(storage.changes);
  const endpoints: KeyEndpoints = keyEndpoints(keys, config.broadcastKeys);
  const feature: Feature = {
    publicHandlers: wellKnownHandlers({
      issuer: config.issuer,
      publicUrl: config.publicUrl,
      keys: endpoints,
      ...config.flows.discovery,
      subjectTypesSupported: subjectTypesSupported(subjectIdentifierOptions(config)),
      registrationEndpoint:
        config.dynamicRegistration.discoveryUrl ??
        (config.dynamicRegistration.enabled ? endpointUrl(config.publicUrl, 'oauth2/register') : undefined),
    }),
    adminHandlers: keyHandlers(endpoints),
    start: () => reportSealStatus(keys, logger),
  };
  return { keys, feature };
}
