// The built-in login and consent UI of `serve --dev` (on Hydra's fallback paths when urls.login and
// urls.consent are unset): the behaviour of Ory's reference app (hydra-login-consent-node), served by Tollgate.
// It is an ordinary login and consent app: it reaches the flow only through the admin API, with the SDK's
// helpers, exactly as an app of the user's would.
import { NetworkError, OAuth2ApiError } from '../../../sdk/errors.js';
import { isGone, type LoginConsent, type LoginRequest, loginConsent } from '../../../sdk/login-consent.js';
import { checkCsrf, csrfToken, type FormPurpose } from '../../dev-ui/csrf.js';
import { type ClientView, consentPage, loginPage, messagePage } from '../../dev-ui/pages.js';
import {
  authenticate,
  DEFAULT_DEV_USERS,
  type DevUser,
  findUser,
  idTokenClaims,
} from '../../dev-ui/users.js';
import { TemporarilyUnavailable } from '../../oauth2/errors.js';
import type { Handlers } from '../operations.js';
import { list, type Page, type SeeOther, see, show, text } from './dev-ui-responses.js';

export interface DevUiDeps {
  /** The admin API's base URL, read per request: the admin port is known only once it listens. */
  adminUrl: () => string;
  /** Sent as a bearer token when the admin API requires one (`serve.admin.auth.tokens`). */
  adminToken?: string;
  /** Key of the forms' CSRF tokens (server/dev-ui/csrf.ts). */
  csrfKey: string | Uint8Array;
  /** `dev.users`; default foo@bar.com / foobar. */
  users?: readonly DevUser[];
}

const WRONG_PASSWORD = 'The email address or password is not correct.';

export function devUiHandlers(deps: DevUiDeps) {
  const users = deps.users ?? DEFAULT_DEV_USERS;
  let api: { url: string; helpers: LoginConsent } | undefined;
  const admin = (): LoginConsent => {
    const url = deps.adminUrl();
    if (api?.url !== url) api = { url, helpers: loginConsent({ adminUrl: url, token: deps.adminToken }) };
    return api.helpers;
  };
  const csrf = (purpose: FormPurpose, challenge: string) => csrfToken(deps.csrfKey, purpose, challenge);

  const unknown = (what: 'login' | 'consent') =>
    show(
      400,
      messagePage({
        title: `Unknown ${what} request`,
        message: `This ${what} request does not exist. Go back to the application and sign in again.`,
      }),
    );

  /**
   * A missing challenge, and one the admin API does not know (404), cannot read (400) or refuses as too long
   * (414, 431), answer a 400 page: the link that led here is wrong. An admin API that is down or cannot reach its database is the 503 page,
   * whose link repeats the request.
   */
  async function withChallenge(
    what: 'login' | 'consent',
    challenge: string | undefined,
    run: (challenge: string) => Promise<Page | SeeOther>,
  ): Promise<Page | SeeOther> {
    if (!challenge) return unknown(what);
    try {
      return await run(challenge);
    } catch (err) {
      if (err instanceof OAuth2ApiError && [400, 404, 414, 431].includes(err.status)) return unknown(what);
      if (err instanceof NetworkError || (err instanceof OAuth2ApiError && err.status === 503)) {
        throw new TemporarilyUnavailable(`The ${what} page could not reach the admin API.`);
      }
      throw err;
    }
  }

  const forged = () =>
    show(
      400,
      messagePage({
        title: 'Form not accepted',
        message: 'This form was not issued for this request. Go back to the application and sign in again.',
      }),
    );

  const loginForm = (
    request: LoginRequest,
    fields: { email?: string; remember?: boolean; error?: string } = {},
  ) =>
    show(
      200,
      loginPage({
        challenge: request.challenge,
        csrf: csrf('login', request.challenge),
        client: (request.client ?? {}) as ClientView,
        email: fields.email ?? request.oidc_context?.login_hint ?? '',
        remember: fields.remember ?? false,
        ...(fields.error === undefined ? {} : { error: fields.error }),
      }),
    );

  return {
    async getDevLogin({ query }) {
      return withChallenge('login', query.login_challenge, async (challenge) => {
        const request = await admin().getLogin(challenge);
        if (isGone(request)) return see(request.redirect_to);
        // A remembered session: accepted without asking, as Ory's reference app does.
        const skipped = await admin().acceptIfSkipped(request);
        if (skipped !== null) return see(skipped);
        return loginForm(request);
      });
    },

    async submitDevLogin({ body = {} }) {
      const challenge = text(body.challenge);
      if (!checkCsrf(deps.csrfKey, 'login', challenge, body._csrf)) return forged();
      return withChallenge('login', challenge, async () => {
        if (text(body.action) === 'deny') return see(await admin().rejectLogin(challenge));
        const email = text(body.email);
        const remember = text(body.remember) !== '';
        const user = authenticate(users, email, text(body.password));
        if (!user) {
          const request = await admin().getLogin(challenge);
          if (isGone(request)) return see(request.redirect_to);
          return loginForm(request, { email, remember, error: WRONG_PASSWORD });
        }
        return see(await admin().acceptLogin(challenge, { subject: user.email, remember }));
      });
    },

    async getDevConsent({ query }) {
      return withChallenge('consent', query.consent_challenge, async (challenge) => {
        const request = await admin().getConsent(challenge);
        if (isGone(request)) return see(request.redirect_to);
        const user = findUser(users, request.subject ?? '');
        const requested = request.requested_scope ?? [];
        // A remembered consent or a client with skip_consent: everything requested, and the claims again,
        // since the accept replaces the session (ory/hydra#1861).
        const skipped = await admin().acceptIfSkipped(request, {
          session: { id_token: user ? idTokenClaims(user, requested) : {} },
        });
        if (skipped !== null) return see(skipped);
        return show(
          200,
          consentPage({
            challenge,
            csrf: csrf('consent', challenge),
            client: (request.client ?? {}) as ClientView,
            subject: request.subject ?? '',
            requestedScope: requested,
            requestedAudience: request.requested_access_token_audience ?? [],
          }),
        );
      });
    },

    async submitDevConsent({ body = {} }) {
      const challenge = text(body.challenge);
      if (!checkCsrf(deps.csrfKey, 'consent', challenge, body._csrf)) return forged();
      return withChallenge('consent', challenge, async () => {
        if (text(body.action) === 'deny') return see(await admin().rejectConsent(challenge));
        const request = await admin().getConsent(challenge);
        if (isGone(request)) return see(request.redirect_to);
        // Only what was asked for: an edited form cannot widen the grant (Hydra checks no grant itself).
        const requested = request.requested_scope ?? [];
        const granted = list(body.grant_scope).filter((s) => requested.includes(s));
        const user = findUser(users, request.subject ?? '');
        return see(
          await admin().acceptConsent(challenge, {
            grant_scope: granted,
            grant_access_token_audience: request.requested_access_token_audience ?? [],
            remember: text(body.remember) !== '',
            session: { id_token: user ? idTokenClaims(user, granted) : {} },
          }),
        );
      });
    },
  } satisfies Handlers;
}
