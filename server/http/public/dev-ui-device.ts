// The built-in device verification pages of `serve --dev` (Hydra's fallback paths when
// urls.device.verification is unset): the user code form of Ory's reference app. Like the login and consent
// pages, it reaches the flow only through the admin API, with the SDK's helper, as an app of the user's would.
import { deviceVerification } from '../../../sdk/device.js';
import { NetworkError, OAuth2ApiError } from '../../../sdk/errors.js';
import { checkCsrf, csrfToken } from '../../dev-ui/csrf.js';
import { deviceCodePage, deviceDonePage } from '../../dev-ui/device-pages.js';
import { messagePage } from '../../dev-ui/pages.js';
import { setQuery } from '../../flows/login-consent.js';
import { TemporarilyUnavailable } from '../../oauth2/errors.js';
import type { Handlers } from '../operations.js';
import { notConfiguredPage } from './authorize.js';
import { see, show, text } from './dev-ui-responses.js';

export interface DevDeviceDeps {
  /** The admin API's base URL, read per request: the admin port is known only once it listens. */
  adminUrl: () => string;
  adminToken?: string;
  /** Key of the form's CSRF token (server/dev-ui/csrf.ts). */
  csrfKey: string | Uint8Array;
  /** `<public>/oauth2/device/verify`: a visit without a device challenge goes there for one. */
  verificationUri: string;
}

const WRONG_CODE = 'That code is not valid or has expired. Check the code shown on your device.';
const TOO_MANY = 'Too many wrong codes were entered. Wait a minute, then try again.';

export function devDeviceHandlers(deps: DevDeviceDeps) {
  let api: { url: string; helper: ReturnType<typeof deviceVerification> } | undefined;
  const admin = () => {
    const url = deps.adminUrl();
    if (api?.url !== url)
      api = { url, helper: deviceVerification({ adminUrl: url, token: deps.adminToken }) };
    return api.helper;
  };
  const form = (challenge: string, userCode: string, error?: string) =>
    show(
      error === undefined ? 200 : 400,
      deviceCodePage({
        challenge,
        csrf: csrfToken(deps.csrfKey, 'device', challenge),
        userCode,
        ...(error === undefined ? {} : { error }),
      }),
    );
  const restart = (url: string) =>
    show(
      400,
      messagePage({
        title: 'Enter the code again',
        message:
          'This code entry has expired or had too many wrong attempts. Start again and enter the code shown on your device.',
        restartUrl: url,
      }),
    );

  return {
    async getDevDeviceVerification({ query }) {
      // Without a challenge (a bookmark, or urls.device.verification shared directly): get one first.
      if (!query.device_challenge) {
        return see(
          query.user_code
            ? setQuery(deps.verificationUri, { user_code: query.user_code })
            : deps.verificationUri,
        );
      }
      return form(query.device_challenge, query.user_code ?? '');
    },

    async submitDevDeviceVerification({ body = {} }) {
      const challenge = text(body.device_challenge);
      const userCode = text(body.user_code);
      if (!challenge || !checkCsrf(deps.csrfKey, 'device', challenge, body._csrf)) {
        return show(
          400,
          messagePage({
            title: 'Form not accepted',
            message: 'This form was not issued for this request. Start again from your device.',
            restartUrl: deps.verificationUri,
          }),
        );
      }
      if (userCode.trim() === '') return form(challenge, userCode, 'Enter the code shown on your device.');
      try {
        const answer = await admin().acceptUserCode(challenge, userCode);
        return answer.gone ? restart(answer.redirect_to) : see(answer.redirect_to);
      } catch (err) {
        if (err instanceof OAuth2ApiError && err.status === 400) return form(challenge, userCode, WRONG_CODE);
        if (err instanceof OAuth2ApiError && err.status === 429) return form(challenge, userCode, TOO_MANY);
        if (err instanceof OAuth2ApiError && err.status === 404) return restart(deps.verificationUri);
        if (err instanceof NetworkError || (err instanceof OAuth2ApiError && err.status === 503)) {
          throw new TemporarilyUnavailable('The device page could not reach the admin API.');
        }
        throw err;
      }
    },

    async getDevDeviceDone() {
      return show(200, deviceDonePage());
    },
  } satisfies Handlers;
}

/** The pages when the built-in UI is off (outside --dev, or urls.device.verification set): Hydra's page. */
export function devDeviceNotConfigured() {
  const { status, html } = notConfiguredPage('urls.device.verification');
  const page = async () => ({ status, headers: { 'Content-Type': 'text/html;charset=UTF-8' }, body: html });
  return {
    getDevDeviceVerification: page,
    submitDevDeviceVerification: page,
    getDevDeviceDone: page,
  };
}
