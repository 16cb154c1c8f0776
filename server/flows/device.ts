// The device authorization grant, RFC 8628, with Hydra v25's endpoints: the device asks for a code
// (POST /oauth2/device/auth, §3.1–3.2), the user opens the verification URI (GET /oauth2/device/verify → the
// verification page with a device challenge), the page hands the typed user code to the admin API (Hydra's
// acceptUserCodeRequest), and the verifier it answers leads into the ordinary login and consent steps
// (login-consent.ts, one engine per flow kind). Once the consent verifier is redeemed the flow is `consent_used`,
// which is what approves the device code: the token endpoint (grants/device-code.ts) reads the flow.
import { createHash, createHmac, randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { components } from '../../sdk/generated/openapi.js';
import type { StoredClient } from '../clients/client.js';
import { deriveKey } from '../crypto/secrets.js';
import type { AudienceStrategy } from '../oauth2/audience-strategy.js';
import { requestedAudiences } from '../oauth2/audience-strategy.js';
import type { ClientAuthenticationRequest } from '../oauth2/client-authentication.js';
import {
  InvalidGrant,
  InvalidRequest,
  InvalidScope,
  NotFoundError,
  RequestForbidden,
  TooManyRequests,
} from '../oauth2/errors.js';
import { dedupe, type Form, fields, formValue, isEmptyForm, splitSpaceList } from '../oauth2/form.js';
import type { ScopeStrategy } from '../oauth2/scope-strategy.js';
import type { OpaqueTokens } from '../oauth2/token-strategies.js';
import { endpointUrl } from '../urls.js';
import { newChallenge, newCsrf } from './challenges.js';
import { CSRF_HINTS, createFlowCookies, diagnoseCsrf, type FlowCookieOptions } from './cookies.js';
import type { DeviceStore } from './device-ports.js';
import { type UserCodes, userCodeSignature } from './device-user-code.js';
import { setQuery } from './login-consent.js';
import type { FlowStore } from './ports.js';
import type {
  AuthorizeEndpoint,
  AuthorizeReply,
  AuthorizeRequest,
  FlowEngine,
  GrantIssuer,
} from './types.js';

export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** RFC 8628 §3.2, the contract's deviceAuthorization; authorize() builds it in Hydra's key order. */
export type DeviceAuthorizationResponse = Required<components['schemas']['deviceAuthorization']>;

export interface DeviceGuessingLimits {
  /** Wrong user codes one device challenge may try; then it is used up (410). */
  perChallenge: number;
  /** Wrong user codes this replica accepts per minute, over every challenge; then 429 for everyone. */
  perMinute: number;
}

export interface DeviceFlowDeps {
  devices: DeviceStore;
  /** `ory_dc_` device codes. */
  deviceCodes: Pick<OpaqueTokens, 'mint'>;
  userCodes: UserCodes;
  /** The client authentication of the token endpoint (with its lockout). */
  authenticate(request: ClientAuthenticationRequest): Promise<StoredClient>;
  clients: { get(id: string): Promise<StoredClient | null> };
  scopeStrategy: ScopeStrategy;
  audienceStrategy: AudienceStrategy;
  /** The login and consent engine for device flows (createFlowEngine with deviceEndpoint and DEVICE_ISSUER). */
  engine: FlowEngine;
  /** urls.self.public. */
  publicUrl: string;
  /** urls.device.verification. */
  verificationUrl: string;
  /** ttl.device_user_code, ttl.login_consent_request (the device challenge's lifetime). */
  ttl: { userCodeMs: number; challengeMs: number };
  /** oauth2.device_authorization.token_polling_interval in whole seconds. */
  pollingIntervalSeconds: number;
  limits: DeviceGuessingLimits;
  /** The device CSRF cookie is written like the login and consent ones. */
  cookies: Omit<FlowCookieOptions, 'csrfMaxAgeSeconds'>;
  /** secrets.system: the first keys the user code signatures and derives the device verifiers. */
  secrets: readonly string[];
  issuerUrl: string;
  clock?: () => Date;
  log?: (event: string, fields: Record<string, unknown>) => void;
}

export interface DeviceVerifyInput {
  query: Record<string, unknown>;
  cookies: Record<string, string>;
  headers: IncomingHttpHeaders;
}

export type RedirectTo = { redirect_to: string };

export interface DeviceFlow {
  /** POST /oauth2/device/auth. */
  authorize(request: ClientAuthenticationRequest): Promise<DeviceAuthorizationResponse>;
  /** GET /oauth2/device/verify: a new challenge, or a device, login or consent verifier redeemed. */
  verify(input: DeviceVerifyInput): Promise<AuthorizeReply>;
  /** PUT /admin/oauth2/auth/requests/device/accept. */
  acceptUserCode(
    challenge: string | undefined,
    body: unknown,
  ): Promise<{ status: 200; body: RedirectTo } | { status: 410; body: RedirectTo }>;
}

const first = (value: unknown): string | undefined => {
  const v = Array.isArray(value) ? value[0] : value;
  return typeof v === 'string' ? v : undefined;
};

const sha256 = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex');

const USER_CODE_UNKNOWN =
  "The 'user_code' session could not be found or has expired or is otherwise malformed.";

/**
 * The wrong user codes of the last minute, on this replica: once `perMinute` is reached, no user code is
 * looked up until the minute has passed, so guessing across fresh challenges stays bounded too.
 */
export class FailureBudget {
  private windowStart = 0;
  private failures = 0;

  constructor(private readonly perMinute: number) {}

  private roll(now: number) {
    if (now - this.windowStart >= 60_000) {
      this.windowStart = now;
      this.failures = 0;
    }
  }

  /** Seconds until guessing may resume, or 0. */
  blockedFor(now: Date): number {
    this.roll(now.getTime());
    return this.failures >= this.perMinute
      ? Math.max(1, Math.ceil((this.windowStart + 60_000 - now.getTime()) / 1000))
      : 0;
  }

  fail(now: Date) {
    this.roll(now.getTime());
    this.failures++;
  }

  /** Gives back an attempt reserved with fail() that turned out to be the right code. */
  refund() {
    if (this.failures > 0) this.failures--;
  }
}

/** The authorization request a device flow's login and consent steps read: no redirect URI, no response type. */
export function deviceAuthorizeRequest(
  publicUrl: string,
  clientId: string,
  scope: string[],
  audience: string[],
): AuthorizeRequest {
  return {
    client_id: clientId,
    response_types: [],
    response_mode: 'query',
    redirect_uri: '',
    redirect_uri_sent: false,
    state: '',
    requested_scope: scope,
    requested_audience: audience,
    prompt: [],
    oidc_context: { acr_values: [], ui_locales: [] },
    // The login and consent verifiers come back here (Hydra: …/device/verify?client_id=…&login_verifier=…).
    request_url: setQuery(verifyUrl(publicUrl), { client_id: clientId }),
    device: true,
  };
}

const verifyUrl = (publicUrl: string) => endpointUrl(publicUrl, 'oauth2/device/verify');

/**
 * Where the device flow's login and consent steps end: errors are thrown (Hydra writes them to the browser as
 * JSON; there is no redirect URI to send them to), success is the 302 to urls.device.success.
 */
export function deviceEndpoint(
  successUrl: string,
): Pick<AuthorizeEndpoint, 'finalChecks' | 'success' | 'toClient' | 'toErrorPage'> {
  return {
    // Scope and audience were checked when the device asked; the consent's grant is the app's decision.
    finalChecks: () => null,
    success: (request) => ({
      kind: 'redirect',
      status: 302,
      location: setQuery(successUrl, { client_id: request.client_id }),
      cookies: [],
    }),
    toClient: (_request, error) => {
      throw error;
    },
    toErrorPage: (error) => {
      throw error;
    },
  };
}

/** A consented device flow issues nothing in the browser: the device's next poll does (grants/device-code.ts). */
export const DEVICE_ISSUER: GrantIssuer = {
  authorize: async () => ({ params: {}, artefacts: {} }),
};

/**
 * The flow store seen by one engine: verifiers of the other kind of flow are unknown to it, so a device flow's
 * verifier cannot finish at /oauth2/auth and an authorization request's cannot finish at /oauth2/device/verify.
 */
export function flowsOfKind(store: FlowStore, device: boolean): FlowStore {
  const wrapped: FlowStore = Object.create(store);
  const keep = <T extends { request: AuthorizeRequest } | null>(flow: T): T | null =>
    flow !== null && (flow.request.device === true) === device ? flow : null;
  wrapped.byLoginVerifier = async (hash) => keep(await store.byLoginVerifier(hash));
  wrapped.byConsentVerifier = async (hash) => keep(await store.byConsentVerifier(hash));
  return wrapped;
}

export function createDeviceFlow(deps: DeviceFlowDeps): DeviceFlow {
  const clock = deps.clock ?? (() => new Date());
  if (deps.secrets.length === 0) throw new Error('the device flow needs a secret');
  const key = deriveKey(deps.secrets[0]!);
  const cookies = createFlowCookies({
    ...deps.cookies,
    csrfMaxAgeSeconds: Math.floor(deps.ttl.challengeMs / 1000),
  });
  const budget = new FailureBudget(deps.limits.perMinute);
  const verificationUri = verifyUrl(deps.publicUrl);
  const restart = (): RedirectTo => ({ redirect_to: verificationUri });
  const deviceVerifier = (challenge: string) =>
    createHmac('sha256', key).update(`device_verifier.${challenge}`, 'utf8').digest('base64url');

  async function newCode(clientId: string, scope: string[], audience: string[], now: Date) {
    const expiresAt = new Date(now.getTime() + deps.ttl.userCodeMs);
    // A collision with a live user code is rare (see docs/device-flow.md); draw again.
    for (let attempt = 0; attempt < 5; attempt++) {
      const userCode = deps.userCodes.generate();
      const { token, signature } = deps.deviceCodes.mint();
      const created = await deps.devices.createCode({
        signature,
        user_code_signature: userCodeSignature(key, deps.userCodes.normalise(userCode)),
        client_id: clientId,
        requested_scope: scope,
        requested_audience: audience,
        requested_at: now,
        expires_at: expiresAt,
        interval_seconds: deps.pollingIntervalSeconds,
        last_polled_at: null,
        flow_id: null,
        used_at: null,
      });
      if (created) return { deviceCode: token, userCode, expiresAt };
    }
    throw new Error('could not draw a free user code');
  }

  function csrfError(challenge: string, expected: string, input: DeviceVerifyInput) {
    const check = cookies.checkCsrf('device', '', challenge, expected, input.cookies);
    if (check === 'ok') return null;
    const diagnosis = diagnoseCsrf({
      check,
      cookieName: cookies.csrfName('device', ''),
      headers: input.headers,
      cookies: input.cookies,
      issuerUrl: deps.issuerUrl,
      secure: cookies.secure,
      sameSite: cookies.sameSite,
      maxAgeSeconds: Math.floor(deps.ttl.challengeMs / 1000),
    });
    deps.log?.('flow.csrf_failed', { step: 'device', check, diagnosis });
    return new RequestForbidden(`${CSRF_HINTS[check]} ${diagnosis}`);
  }

  /** The device verifier: bind the device code to a new flow and start its login step. */
  async function redeemDeviceVerifier(input: DeviceVerifyInput, verifier: string): Promise<AuthorizeReply> {
    const now = clock();
    const invalid = () =>
      new InvalidRequest('The device verifier has already been used, has not been granted, or is invalid.');
    const challenge = await deps.devices.challengeByVerifier(sha256(verifier));
    if (!challenge?.device_code_signature || challenge.used_at !== null || challenge.expires_at <= now) {
      throw invalid();
    }
    const forbidden = csrfError(challenge.challenge, challenge.csrf, input);
    if (forbidden) throw forbidden;
    const code = await deps.devices.code(challenge.device_code_signature);
    if (!code || code.expires_at <= now) throw invalid();
    const client = await deps.clients.get(code.client_id);
    if (!client) throw invalid();
    if (first(input.query.client_id) !== code.client_id) {
      throw new InvalidRequest('The flow client id does not match the device authorization client id.');
    }
    const flowId = randomUUID();
    // One browser per user code: the first to redeem its verifier binds the flow.
    if (!(await deps.devices.useChallenge(challenge.challenge, now))) throw invalid();
    if (!(await deps.devices.bindFlow(code.signature, flowId, now))) throw invalid();
    return deps.engine.handle({
      request: deviceAuthorizeRequest(
        deps.publicUrl,
        code.client_id,
        code.requested_scope,
        code.requested_audience,
      ),
      client,
      query: {},
      cookies: input.cookies,
      headers: input.headers,
      flowId,
    });
  }

  return {
    async authorize(request) {
      const { form } = request;
      if (isEmptyForm(form)) throw new InvalidRequest('The POST body can not be empty.');
      const client = await deps.authenticate(request);
      // fosite's NewDeviceRequest: even with Basic authentication, the body must name the same client.
      if (formValue(form as Form, 'client_id') !== client.client_id) {
        throw new InvalidRequest('Provided client_id mismatch.');
      }
      const grants = client.document.grant_types ?? [];
      if (!grants.some((g) => g.toLowerCase() === DEVICE_CODE_GRANT)) {
        throw new InvalidGrant(
          `The requested OAuth 2.0 Client does not have the '${DEVICE_CODE_GRANT}' grant.`,
        );
      }
      const scope = dedupe(splitSpaceList(formValue(form as Form, 'scope')));
      const allowed = fields(client.document.scope ?? '');
      const refused = scope.find((s) => !deps.scopeStrategy(allowed, s));
      if (refused !== undefined) {
        throw new InvalidScope(`The OAuth 2.0 Client is not allowed to request scope '${refused}'.`);
      }
      const audience = dedupe(requestedAudiences(form as Form));
      deps.audienceStrategy(client.document.audience ?? [], audience);

      const now = clock();
      const { deviceCode, userCode, expiresAt } = await newCode(client.client_id, scope, audience, now);
      return {
        device_code: deviceCode,
        user_code: userCode,
        verification_uri: verificationUri,
        verification_uri_complete: setQuery(verificationUri, { user_code: userCode }),
        // Seconds left, truncated, read after the row was written (Hydra answers 599 or 600).
        expires_in: Math.max(0, Math.floor((expiresAt.getTime() - clock().getTime()) / 1000)),
        interval: deps.pollingIntervalSeconds,
      };
    },

    async verify(input) {
      const deviceVerifier = first(input.query.device_verifier)?.trim();
      if (deviceVerifier) return redeemDeviceVerifier(input, deviceVerifier);
      const clientId = first(input.query.client_id);
      if (first(input.query.login_verifier) || first(input.query.consent_verifier)) {
        const client = clientId ? await deps.clients.get(clientId) : null;
        if (!client) {
          throw new InvalidRequest('The flow client id does not match the device authorization client id.');
        }
        return deps.engine.handle({
          request: deviceAuthorizeRequest(deps.publicUrl, client.client_id, [], []),
          client,
          query: input.query,
          cookies: input.cookies,
          headers: input.headers,
        });
      }
      // A new device challenge for the verification page, bound to this browser by the device CSRF cookie.
      const now = clock();
      const challenge = newChallenge();
      const csrf = newCsrf();
      await deps.devices.createChallenge({
        challenge,
        csrf,
        expires_at: new Date(now.getTime() + deps.ttl.challengeMs),
        failed_attempts: 0,
        device_code_signature: null,
        verifier: null,
        used_at: null,
      });
      const query: Record<string, string> = { device_challenge: challenge };
      const userCode = first(input.query.user_code);
      if (userCode) query.user_code = userCode;
      return {
        kind: 'redirect',
        status: 302,
        location: setQuery(deps.verificationUrl, query),
        cookies: cookies.addCsrf('device', '', challenge, csrf, input.cookies, now),
      };
    },

    async acceptUserCode(challengeId, body) {
      if (!challengeId) {
        throw new InvalidRequest("Query parameter 'device_challenge' is not defined but should have been.");
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw new InvalidRequest(
          `Unable to decode request body: json: cannot unmarshal ${body === undefined ? 'EOF' : Array.isArray(body) ? 'array' : typeof body} into Go value of type flow.AcceptDeviceUserCodeRequest`,
        );
      }
      const typed = (body as { user_code?: unknown }).user_code;
      if (typed !== undefined && typed !== null && typeof typed !== 'string') {
        throw new InvalidRequest(
          `Unable to decode request body: json: cannot unmarshal ${typeof typed} into Go struct field AcceptDeviceUserCodeRequest.user_code of type string`,
        );
      }
      const userCode = (typed as string | null | undefined) ?? '';
      if (userCode === '') throw new InvalidRequest("Field 'user_code' must not be empty.");
      const now = clock();
      const challenge = await deps.devices.challenge(challengeId);
      if (!challenge) throw new NotFoundError('Not Found', 'Unable to locate the requested resource');
      const verifier = deviceVerifier(challenge.challenge);
      const accepted = (clientId: string) => ({
        status: 200 as const,
        body: { redirect_to: setQuery(verificationUri, { client_id: clientId, device_verifier: verifier }) },
      });
      if (challenge.expires_at <= now || challenge.used_at !== null) return { status: 410, body: restart() };
      const normalised = deps.userCodes.normalise(userCode);
      const signature = userCodeSignature(key, normalised);
      if (challenge.device_code_signature !== null) {
        // A repeated accept (a double click) answers the same redirect; another code does not move it.
        const bound = await deps.devices.code(challenge.device_code_signature);
        if (bound && bound.user_code_signature === signature) return accepted(bound.client_id);
        return { status: 410, body: restart() };
      }
      if (challenge.failed_attempts >= deps.limits.perChallenge) return { status: 410, body: restart() };
      const wait = budget.blockedFor(now);
      if (wait > 0) {
        throw new TooManyRequests(
          wait,
          'Too many wrong user codes were entered on this server in the last minute; try again shortly.',
        );
      }
      // The attempt is counted before the lookup is awaited: concurrent guesses must not all pass the check.
      budget.fail(now);
      const wellFormed =
        [...normalised].length === deps.userCodes.length &&
        [...normalised].every((c) => deps.userCodes.characterSet.includes(c));
      const code = wellFormed ? await deps.devices.openCodeByUserCode(signature, now) : null;
      if (code) budget.refund();
      if (!code) {
        const failures = await deps.devices.failAttempt(challenge.challenge);
        deps.log?.('device.user_code_failed', { failures });
        if (failures !== null && failures >= deps.limits.perChallenge)
          return { status: 410, body: restart() };
        throw new InvalidRequest(USER_CODE_UNKNOWN);
      }
      const stored = await deps.devices.acceptChallenge(
        challenge.challenge,
        code.signature,
        sha256(verifier),
        now,
        deps.limits.perChallenge,
      );
      if (!stored) return { status: 410, body: restart() };
      return accepted(code.client_id);
    },
  };
}
