// The browser flows: the authorization endpoint with Hydra's login and consent round trip, the admin API the
// deployment's login and consent app calls, userinfo, and (under --dev, with urls.login and urls.consent
// unset) the built-in login and consent pages.
import { createHmac } from 'node:crypto';
import { createLoginConsentAdmin } from '../flows/admin-requests.js';
import { createAuthorizeEndpoint } from '../flows/authorize-request.js';
import { createFlowCookies } from '../flows/cookies.js';
import { createDeviceFlow, DEVICE_ISSUER, deviceEndpoint, flowsOfKind } from '../flows/device.js';
import { createUserCodes } from '../flows/device-user-code.js';
import { createFlowEngine, type FlowEngineDeps } from '../flows/login-consent.js';
import { createLogout } from '../flows/logout.js';
import { createSessionAdmin } from '../flows/sessions.js';
import { deviceAdminHandlers } from '../http/admin/device.js';
import { loginConsentHandlers } from '../http/admin/login-consent.js';
import { logoutAdminHandlers } from '../http/admin/logout.js';
import type { Handlers } from '../http/operations.js';
import { authorizeHandlers, notConfiguredHandlers } from '../http/public/authorize.js';
import { devUiHandlers } from '../http/public/dev-ui.js';
import { devDeviceHandlers, devDeviceNotConfigured } from '../http/public/dev-ui-device.js';
import { devUiLogoutHandlers } from '../http/public/dev-ui-logout.js';
import { deviceHandlers } from '../http/public/device.js';
import { logoutHandlers } from '../http/public/logout.js';
import { userinfoHandlers } from '../http/public/userinfo.js';
import { createGrantIssuer } from '../oauth2/grant-tokens.js';
import { isRefreshToken } from '../oauth2/introspection.js';
import { createBackchannelLogout } from '../oidc/backchannel-logout.js';
import type { IdTokenSigner } from '../oidc/id-token.js';
import { accessTokenLookup, createUserinfo } from '../oidc/userinfo.js';
import { endpointUrl } from '../urls.js';
import type { Feature, WiringContext } from './feature.js';
import type { OAuth2Shared } from './oauth2.js';
import { outboundFetch } from './outbound.js';
import type { Storage } from './storage.js';

export interface FlowDependencies {
  storage: Storage;
  oauth2: OAuth2Shared;
  idTokens: IdTokenSigner;
}

export function wireFlows({ config, logger }: WiringContext, deps: FlowDependencies): Feature {
  const { storage, oauth2, idTokens } = deps;
  const settings = config.flows;
  const clients = storage.clientCache;
  const endpoint = createAuthorizeEndpoint({
    clients,
    scopeStrategy: oauth2.scopeStrategy,
    audienceStrategy: oauth2.audienceStrategy,
    publicUrl: config.publicUrl,
    errorUrl: settings.urls.error,
    stateMinLength: settings.stateMinLength,
    pkce: settings.pkce,
    dev: config.dev,
    exposeInternalErrors: settings.exposeInternalErrors,
    subjects: oauth2.grantSettings.subjects,
  });
  // Hydra signs the flow cookies with secrets.cookie, else secrets.system.
  const cookieSecrets = settings.secretsCookie.length > 0 ? settings.secretsCookie : config.secretsSystem;
  const engineSettings = {
    sessions: storage.loginSessions,
    idTokens,
    urls: settings.urls,
    ttl: settings.ttl,
    cookies: settings.cookies,
    secrets: cookieSecrets,
    dev: config.dev,
    issuerUrl: config.issuer,
    scopeStrategy: oauth2.scopeStrategy,
    exposeInternalErrors: settings.exposeInternalErrors,
    log: (event: string, fields: Record<string, unknown>) =>
      logger.info({ component: 'flows', ...fields }, event),
    subjects: oauth2.grantSettings.subjects,
  };
  const engine = createFlowEngine({
    ...engineSettings,
    // The device flow's verifiers are not redeemed here (flows/device.ts).
    flows: flowsOfKind(storage.flowStore, false),
    endpoint,
    issuer: createGrantIssuer({ ...oauth2.grantSettings, idTokens }),
  });
  // OpenID Connect logout: the logout requests, the session cookie, and the relying parties told in the background.
  const backchannel = createBackchannelLogout({
    issuer: config.issuer,
    signer: idTokens,
    // Client-registered URLs: the SSRF-guarded fetch (clients.http.*).
    post: outboundFetch(config),
    sessions: storage.logoutStore,
    clients,
    log: (level, fields, message) => logger[level]({ component: 'logout', ...fields }, message),
  });
  const logout = createLogout({
    store: storage.logoutStore,
    sessions: storage.loginSessions,
    clients,
    idTokens,
    cookies: createFlowCookies({
      ...settings.cookies,
      dev: config.dev,
      issuerUrl: config.issuer,
      secrets: cookieSecrets,
      csrfMaxAgeSeconds: Math.floor(settings.ttl.loginConsentRequestMs / 1000),
    }),
    backchannel,
    endpoint,
    urls: {
      logout: settings.urls.logout,
      postLogoutRedirect: settings.urls.postLogoutRedirect,
      publicUrl: config.publicUrl,
    },
    issuer: config.issuer,
    requestTtlMs: settings.ttl.loginConsentRequestMs,
    secrets: config.secretsSystem,
    log: (event, fields) => logger.info({ component: 'logout', ...fields }, event),
  });
  const device = wireDevice(config, deps, engineSettings);
  const userinfo = createUserinfo({
    lookup: accessTokenLookup({
      strategies: oauth2.strategies,
      tokens: storage.tokens,
      clients,
      stateless: oauth2.stateless,
      // The domain's own function, bound: no request-time closure lives in server/wiring/.
      isRefreshToken: isRefreshToken.bind(null, {
        tokens: oauth2.grantSettings.refreshTokens,
        grants: storage.grantStore,
      }),
    }),
    flows: storage.flowStore,
    idTokens,
    issuer: config.issuer,
    subjects: oauth2.grantSettings.subjects,
  });
  // The built-in login and consent pages (--dev with urls.login and urls.consent unset) call the admin API like
  // any login app: urls.self.admin, else this process's admin port once it listens, else the configured port.
  let adminUrl =
    settings.adminUrl ?? `http://${loopbackHost(config.serve.admin.host)}:${config.serve.admin.port}`;
  const builtInUi = config.dev && settings.builtInUi;
  const devUi = {
    adminUrl: () => adminUrl,
    adminToken: config.protection.adminTokens[0],
    csrfKey: createHmac('sha256', config.secretsSystem[0] ?? '')
      .update('tollgate dev-ui csrf')
      .digest(),
    users: settings.devUsers,
  };
  const notConfigured = notConfiguredHandlers();
  const pages = {
    ...(builtInUi ? devUiHandlers(devUi) : notConfigured),
    // The logout page is on its own key: --dev with urls.logout unset.
    ...(config.dev && settings.builtInLogoutUi
      ? devUiLogoutHandlers(devUi)
      : { getDevLogout: notConfigured.getDevLogout, submitDevLogout: notConfigured.submitDevLogout }),
  };
  return {
    // Back-channel deliveries still running finish (or give up) before the process exits.
    close: () => backchannel.settled(),
    listening(urls) {
      // The port the system chose, on an address this process reaches (the shown URL says `localhost`, which
      // may resolve to ::1 while the port listens on 0.0.0.0 only).
      if (!settings.adminUrl && urls.adminUrl) {
        adminUrl = `http://${loopbackHost(config.serve.admin.host)}:${new URL(urls.adminUrl).port}`;
      }
    },
    // The authorize handlers answer with the statuses the contract declares (302/303, 200, 400, 500, 503),
    // computed from the domain's reply rather than written as literals.
    publicHandlers: {
      ...userinfoHandlers(userinfo),
      ...(authorizeHandlers({ endpoint, engine }) as Handlers),
      ...(pages as Handlers),
      ...(logoutHandlers(logout, config.publicUrl) as Handlers),
      ...deviceHandlers(device),
      ...(config.dev && config.flows.device.builtInUi
        ? devDeviceHandlers({
            adminUrl: () => adminUrl,
            adminToken: config.protection.adminTokens[0],
            csrfKey: createHmac('sha256', config.secretsSystem[0] ?? '')
              .update('tollgate dev-ui csrf')
              .digest(),
            verificationUri: endpointUrl(config.publicUrl, 'oauth2/device/verify'),
          })
        : (devDeviceNotConfigured() as Handlers)),
    },
    adminHandlers: {
      ...loginConsentHandlers(
        createLoginConsentAdmin({ flows: storage.flowStore, clients, secrets: config.secretsSystem }),
        createSessionAdmin({
          flows: storage.flowStore,
          sessions: storage.loginSessions,
          clients,
          endSession: logout.endSession,
        }),
      ),
      ...logoutAdminHandlers(logout),
      ...deviceAdminHandlers(device),
    },
  };
}

/**
 * The device authorization grant (RFC 8628): its own login and consent engine (errors as JSON, success to
 * urls.device.success), sharing the settings, sessions and cookies of the authorization endpoint's.
 */
function wireDevice(
  config: WiringContext['config'],
  { storage, oauth2 }: FlowDependencies,
  engineSettings: Omit<FlowEngineDeps, 'flows' | 'endpoint' | 'issuer'>,
) {
  const settings = config.flows.device;
  return createDeviceFlow({
    devices: storage.deviceStore,
    deviceCodes: oauth2.deviceCodes,
    userCodes: createUserCodes(settings.userCode),
    authenticate: oauth2.authenticate,
    clients: storage.clientCache,
    scopeStrategy: oauth2.scopeStrategy,
    audienceStrategy: oauth2.audienceStrategy,
    engine: createFlowEngine({
      ...engineSettings,
      flows: flowsOfKind(storage.flowStore, true),
      endpoint: deviceEndpoint(settings.urls.success),
      issuer: DEVICE_ISSUER,
    }),
    publicUrl: config.publicUrl,
    verificationUrl: settings.urls.verification,
    ttl: { userCodeMs: settings.userCodeTtlMs, challengeMs: config.flows.ttl.loginConsentRequestMs },
    pollingIntervalSeconds: settings.pollingIntervalSeconds,
    limits: settings.guessing,
    cookies: {
      ...config.flows.cookies,
      dev: config.dev,
      issuerUrl: config.issuer,
      secrets: engineSettings.secrets,
    },
    // User codes and device verifiers are keyed like the login and consent verifiers.
    secrets: config.secretsSystem,
    issuerUrl: config.issuer,
    log: engineSettings.log,
  });
}

/** An address this process can call its own admin port on: all interfaces are reached through loopback. */
function loopbackHost(host: string): string {
  if (!host || host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
