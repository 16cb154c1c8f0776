// Helper for a device verification page (RFC 8628 §3.3, Hydra's acceptUserCodeRequest): hand the user code the
// user typed to the admin API and send the browser on to `redirect_to`. A wrong code throws OAuth2ApiError
// (400 invalid_request; 429 when the server is refusing guesses); 410 Gone means the device challenge is
// used, expired or used up by wrong codes, and its `redirect_to` (the verification URI) starts again.
import { type AdminClient, type AdminClientOptions, createAdminClient } from './client.js';
import { OAuth2ApiError } from './errors.js';

export interface DeviceVerificationOptions extends Omit<AdminClientOptions, 'baseUrl'> {
  /** Base URL of the admin API, e.g. `http://127.0.0.1:4445`. */
  adminUrl: string;
}

export interface DeviceVerification {
  /** Returns where to send the browser next; `gone` when the challenge cannot be used any more. */
  acceptUserCode(challenge: string, userCode: string): Promise<{ redirect_to: string; gone: boolean }>;
}

const ACCEPT = '/admin/oauth2/auth/requests/device/accept';

export function deviceVerification(options: DeviceVerificationOptions): DeviceVerification {
  const { adminUrl, ...rest } = options;
  const admin: AdminClient = createAdminClient({ ...rest, baseUrl: adminUrl });
  return {
    async acceptUserCode(challenge, userCode) {
      try {
        const { data } = await admin.PUT(ACCEPT, {
          params: { query: { device_challenge: challenge } },
          body: { user_code: userCode },
        });
        return { redirect_to: data.redirect_to, gone: false };
      } catch (err) {
        const to =
          err instanceof OAuth2ApiError && err.status === 410
            ? (err.body as { redirect_to?: unknown }).redirect_to
            : undefined;
        if (typeof to !== 'string') throw err;
        return { redirect_to: to, gone: true };
      }
    },
  };
}
