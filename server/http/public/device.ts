// Public API of the device authorization grant (RFC 8628): the device authorization endpoint and the
// verification URI. The domain (flows/device.ts) decides; this file only turns its answers into HTTP.
import type { DeviceFlow } from '../../flows/device.js';
import type { Form } from '../../oauth2/form.js';
import { type Handlers, OAUTH2_JSON_HEADERS, type Reply } from '../operations.js';
import { authorizeHttpReply } from './authorize.js';

export function deviceHandlers(device: DeviceFlow) {
  return {
    async oAuth2DeviceFlow({ body, authorization, source }) {
      const form: Form = body ?? {};
      const answer = await device.authorize({ authorization, form, source });
      return { status: 200, body: answer, headers: OAUTH2_JSON_HEADERS };
    },

    async performOAuth2DeviceVerificationFlow({ query, cookies, headers }) {
      const reply = await device.verify({ query: { ...query }, cookies, headers });
      return authorizeHttpReply(reply) as Reply<'performOAuth2DeviceVerificationFlow'>;
    },
  } satisfies Handlers;
}
