// The device authorization grant over real HTTP (RFC 8628): the device's requests (device authorization,
// token polls) and the user's browser chain (verification URI → user code accepted → login → consent →
// urls.device.success), driven like flow-driver.ts drives the authorization code flow.
import { expect } from 'chai';
import { type ApiResponse, call } from './api.js';
import { FlowDriver } from './flow-driver.js';
import { basicHeader, type CreatedClient, createClient } from './oauth2.js';
import type { TestServer } from './server.js';

export const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

export interface DeviceAuthorization {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
}

/** A confidential client with the device grant (and refresh tokens). */
export function deviceClient(
  server: TestServer,
  extra: Record<string, unknown> = {},
): Promise<CreatedClient> {
  return createClient(server, {
    client_secret: 'a-device-client-secret-0123456789',
    grant_types: [DEVICE_GRANT, 'refresh_token'],
    scope: 'openid offline_access profile',
    ...extra,
  });
}

const authHeaders = (client: CreatedClient): Record<string, string> =>
  client.client_secret ? { authorization: basicHeader(client.client_id, client.client_secret) } : {};

/** POST /oauth2/device/auth as the client (Basic, and client_id in the body as fosite requires). */
export function requestDeviceCode(
  server: TestServer,
  client: CreatedClient,
  form: Record<string, string | string[]> = {},
): Promise<ApiResponse> {
  return call(server, 'oAuth2DeviceFlow', {
    form: { client_id: client.client_id, ...form },
    headers: authHeaders(client),
  });
}

export async function deviceCode(
  server: TestServer,
  client: CreatedClient,
  form: Record<string, string | string[]> = {},
): Promise<DeviceAuthorization> {
  const res = await requestDeviceCode(server, client, { scope: 'openid offline_access', ...form });
  expect(res.status, res.text).to.equal(200);
  return res.body;
}

/** One poll of the token endpoint with the device code. */
export function pollToken(server: TestServer, client: CreatedClient, code: string): Promise<ApiResponse> {
  const form: Record<string, string> = { grant_type: DEVICE_GRANT, device_code: code };
  if (!client.client_secret) form.client_id = client.client_id;
  return call(server, 'oauth2TokenExchange', { form, headers: authHeaders(client) });
}

/** PUT …/device/accept with the user code. */
export function acceptUserCode(
  server: TestServer,
  challenge: string,
  userCode: unknown,
): Promise<ApiResponse> {
  return call(server, 'acceptUserCodeRequest', {
    query: { device_challenge: challenge },
    json: { user_code: userCode },
  });
}

/** The browser opens the verification URI; returns the device challenge of the redirect to urls.device.verification. */
export async function openVerification(
  driver: FlowDriver,
  url: string,
): Promise<{ challenge: string; location: URL }> {
  const hop = await driver.hop(url);
  expect(hop.status, hop.text).to.equal(302);
  const location = new URL(hop.location!);
  const challenge = location.searchParams.get('device_challenge');
  expect(challenge, hop.location).to.be.a('string');
  return { challenge: challenge!, location };
}

/**
 * The user's whole browser chain: verification URI, user code accepted, login accepted for `subject`, consent
 * accepted with `grant`; returns the final hop (the 302 to urls.device.success).
 */
export async function approveDevice(
  server: TestServer,
  auth: DeviceAuthorization,
  options: {
    subject?: string;
    grant?: string[];
    driver?: FlowDriver;
    /** More of the consent accept body, e.g. `session` claims. */
    consent?: Record<string, unknown>;
  } = {},
) {
  const driver = options.driver ?? new FlowDriver(server);
  const { challenge } = await openVerification(driver, auth.verification_uri_complete);
  const accepted = await acceptUserCode(server, challenge, auth.user_code);
  expect(accepted.status, accepted.text).to.equal(200);
  const toLogin = await driver.hop(accepted.body.redirect_to);
  expect(toLogin.status, toLogin.text).to.equal(302);
  const login = new URL(toLogin.location!).searchParams.get('login_challenge')!;
  const afterLogin = await driver.decide('acceptOAuth2LoginRequest', login, {
    subject: options.subject ?? 'foo@bar.com',
  });
  const { challenge: consent } = await driver.toConsent(afterLogin);
  const afterConsent = await driver.decide('acceptOAuth2ConsentRequest', consent, {
    grant_scope: options.grant ?? ['openid', 'offline_access'],
    ...options.consent,
  });
  return driver.hop(afterConsent);
}
