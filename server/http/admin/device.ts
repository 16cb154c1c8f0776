// Admin API of the device authorization grant: Hydra's acceptUserCodeRequest, which the verification page
// calls with the user code the user typed.
import type { DeviceFlow } from '../../flows/device.js';
import type { Handlers } from '../operations.js';

export function deviceAdminHandlers(device: DeviceFlow) {
  return {
    async acceptUserCodeRequest({ query, body }) {
      return device.acceptUserCode(query.device_challenge, body);
    },
  } satisfies Handlers;
}
