// Helpers for a login and consent app (Hydra's "login & consent flow"): read a login or consent request,
// accept or reject it, and send the browser on to `redirect_to`. Built on the admin client, so errors are the
// SDK's own: an error answer throws OAuth2ApiError, no answer throws NetworkError. One answer is not an error
// here: 410 Gone means the request was already handled or expired, and its `redirect_to` restarts the flow.
import { type AdminClient, type AdminClientOptions, createAdminClient } from './client.js';
import { OAuth2ApiError } from './errors.js';
import type { components } from './generated/openapi.js';

type Schemas = components['schemas'];
/** What `GET /admin/oauth2/auth/requests/login` returns: client, requested scopes, `skip`, `subject`. */
export type LoginRequest = Schemas['oAuth2LoginRequest'];
/** What `GET /admin/oauth2/auth/requests/consent` returns. */
export type ConsentRequest = Schemas['oAuth2ConsentRequest'];
/** The body of a login accept: `subject` (required), `remember`, `remember_for`, `acr`, `context`… */
export type AcceptLogin = Schemas['acceptOAuth2LoginRequest'];
/** The body of a consent accept: `grant_scope`, `grant_access_token_audience`, `remember`, `session`… */
export type AcceptConsent = Schemas['acceptOAuth2ConsentRequest'];
/** The body of a reject: `error`, `error_description`, `error_hint`, `status_code`. */
export type Reject = Schemas['rejectOAuth2Request'];
/** The request was already handled or has expired; sending the browser to `redirect_to` starts it again. */
export type Gone = Schemas['oAuth2RedirectTo'] & { gone: true };

export interface LoginConsentOptions extends Omit<AdminClientOptions, 'baseUrl'> {
  /** Base URL of the admin API, e.g. `http://127.0.0.1:4445`. */
  adminUrl: string;
}

export interface LoginConsent {
  getLogin(challenge: string): Promise<LoginRequest | Gone>;
  /** Returns where to send the browser next (`redirect_to`); a Gone request's restart URL, likewise. */
  acceptLogin(challenge: string, decision: AcceptLogin): Promise<string>;
  /** Default reason: `access_denied`, "The resource owner denied the request". */
  rejectLogin(challenge: string, reason?: Reject): Promise<string>;
  getConsent(challenge: string): Promise<ConsentRequest | Gone>;
  acceptConsent(challenge: string, decision: AcceptConsent): Promise<string>;
  rejectConsent(challenge: string, reason?: Reject): Promise<string>;
  /**
   * The reference app's shortcut: a login request with `skip` is accepted for its `subject`; a consent
   * request with `skip` (or a client with `skip_consent`) is accepted with every requested scope and audience, plus
   * `extra` (e.g. `session`). Returns `redirect_to`, or null when the user has to be asked.
   */
  acceptIfSkipped(
    request: LoginRequest | ConsentRequest,
    extra?: Omit<AcceptConsent, 'grant_scope' | 'grant_access_token_audience'>,
  ): Promise<string | null>;
}

/** The reason of a reject without one, as Ory's reference login and consent app words it. */
export const DENIED: Reject = {
  error: 'access_denied',
  error_description: 'The resource owner denied the request',
};

const LOGIN = '/admin/oauth2/auth/requests/login';
const CONSENT = '/admin/oauth2/auth/requests/consent';

export function isGone(value: object): value is Gone {
  return (value as Partial<Gone>).gone === true;
}

export function loginConsent(options: LoginConsentOptions): LoginConsent {
  const { adminUrl, ...rest } = options;
  const admin: AdminClient = createAdminClient({ ...rest, baseUrl: adminUrl });

  const login = (challenge: string) => ({ params: { query: { login_challenge: challenge } } });
  const consent = (challenge: string) => ({ params: { query: { consent_challenge: challenge } } });

  const self: LoginConsent = {
    getLogin: (challenge) => orGone(async () => (await admin.GET(LOGIN, login(challenge))).data),
    getConsent: (challenge) => orGone(async () => (await admin.GET(CONSENT, consent(challenge))).data),
    acceptLogin: (challenge, decision) =>
      redirect(() => admin.PUT(`${LOGIN}/accept`, { ...login(challenge), body: decision })),
    rejectLogin: (challenge, reason = DENIED) =>
      redirect(() => admin.PUT(`${LOGIN}/reject`, { ...login(challenge), body: reason })),
    acceptConsent: (challenge, decision) =>
      redirect(() => admin.PUT(`${CONSENT}/accept`, { ...consent(challenge), body: decision })),
    rejectConsent: (challenge, reason = DENIED) =>
      redirect(() => admin.PUT(`${CONSENT}/reject`, { ...consent(challenge), body: reason })),

    async acceptIfSkipped(request, extra) {
      if (!isConsentRequest(request)) {
        return request.skip ? self.acceptLogin(request.challenge, { subject: request.subject }) : null;
      }
      if (!request.skip && !request.client?.skip_consent) return null;
      return self.acceptConsent(request.challenge, {
        ...extra,
        grant_scope: request.requested_scope ?? [],
        grant_access_token_audience: request.requested_access_token_audience ?? [],
      });
    },
  };
  return self;
}

/** A consent request names the login it follows; a login request has no such field. */
function isConsentRequest(request: LoginRequest | ConsentRequest): request is ConsentRequest {
  return 'login_challenge' in request || 'consent_request_id' in request;
}

async function orGone<T>(call: () => Promise<T>): Promise<T | Gone> {
  try {
    return await call();
  } catch (err) {
    const restart = goneRedirect(err);
    if (restart === undefined) throw err;
    return { gone: true, redirect_to: restart };
  }
}

async function redirect(call: () => Promise<{ data: Schemas['oAuth2RedirectTo'] }>): Promise<string> {
  try {
    return (await call()).data.redirect_to;
  } catch (err) {
    const restart = goneRedirect(err);
    if (restart === undefined) throw err;
    return restart;
  }
}

/** 410 `{"redirect_to": <the original authorization URL>}`: handled or expired. */
function goneRedirect(err: unknown): string | undefined {
  if (!(err instanceof OAuth2ApiError) || err.status !== 410) return undefined;
  const to = (err.body as { redirect_to?: unknown }).redirect_to;
  return typeof to === 'string' ? to : undefined;
}
