// RFC 8628 §3.4–3.5: the device polls the token endpoint with its device code. fosite's order
// (fosite/handler/rfc8628/token_handler.go): the client's grant, the code (unknown or used), then its state.
// Tollgate differs where Hydra's answer misleads the device (docs/hydra-differences.md): an expired code is
// `expired_token` even if never approved (Hydra keeps answering pending until the janitor removes it); another
// client's code is `invalid_grant` before its state is told (and before its polling interval is touched);
// a rejected login or consent is `access_denied`; polling sooner than the interval is `slow_down`, which adds
// 5 s to that code's interval (§3.5).

import { DEVICE_CODE_GRANT } from '../../flows/device.js';
import type { DeviceStore } from '../../flows/device-ports.js';
import type { FlowStore } from '../../flows/ports.js';
import { AuthorizationPending, DeviceAccessDenied, ExpiredToken, InvalidGrant, SlowDown } from '../errors.js';
import { formValue } from '../form.js';
import type { GrantHandler, TokenResponse } from '../grant-handler.js';
import {
  type GrantRevocation,
  offlineGranted,
  openidGranted,
  revokeGrant,
  type TokenMinter,
} from '../grant-tokens.js';
import type { OpaqueTokens } from '../token-strategies.js';
import { allowsGrant, requireGrant } from './client-credentials.js';

export interface DeviceCodeDeps extends GrantRevocation {
  /** `ory_dc_` device codes. */
  deviceCodes: Pick<OpaqueTokens, 'validate'>;
  devices: Pick<DeviceStore, 'code' | 'poll' | 'redeem'>;
  flows: Pick<FlowStore, 'byId'>;
  minter: TokenMinter;
}

/** RFC 8628 §3.5: each slow_down adds 5 seconds to the interval. */
const SLOW_DOWN_SECONDS = 5;

export function deviceCodeGrant(deps: DeviceCodeDeps) {
  return {
    grantType: DEVICE_CODE_GRANT,
    parameters: ['device_code'],

    async handle({ client, form, now, hook }): Promise<TokenResponse> {
      requireGrant(client, DEVICE_CODE_GRANT);

      const signature = await deps.deviceCodes.validate(formValue(form, 'device_code'));
      const code = signature === null ? null : await deps.devices.code(signature);
      if (!code) throw new InvalidGrant();
      const flow = code.flow_id === null ? null : await deps.flows.byId(code.flow_id);
      if (code.used_at !== null) {
        // A second exchange: the code leaked; what it gave out is revoked (as for authorization codes).
        if (flow) await revokeGrant(deps, flow.id);
        throw new InvalidGrant('The device code has already been used.');
      }
      if (code.expires_at.getTime() <= now.getTime()) throw new ExpiredToken();
      if (code.client_id !== client.client_id) {
        throw new InvalidGrant(
          'The OAuth 2.0 Client ID from this request does not match the one from the authorize request.',
        );
      }
      const denied = flow?.login_error ?? flow?.consent_error;
      if (denied) {
        throw new DeviceAccessDenied(
          [denied.error_description, denied.error_hint].filter(Boolean).join(' ') || undefined,
        );
      }
      if (flow?.state !== 'consent_used') {
        const polled = await deps.devices.poll(code.signature, now, SLOW_DOWN_SECONDS);
        if (polled?.slowDown) {
          throw new SlowDown(
            `Ensure that you don't call the token endpoint sooner than the polling interval; it is now ${SLOW_DOWN_SECONDS} seconds longer.`,
          );
        }
        throw new AuthorizationPending();
      }

      const scope = flow.consent?.grant_scope ?? [];
      const audience = flow.consent?.grant_access_token_audience ?? [];
      const tokens = await deps.minter.mint({
        flow,
        client,
        now,
        grant: 'device_authorization',
        scope,
        audience,
        withRefresh: offlineGranted(scope) && allowsGrant(client, 'refresh_token'),
        withIdToken: openidGranted(scope),
        // The token hooks (oauth2/token-hooks.ts), before anything is stored: a refusal leaves the code unused.
        hook,
      });
      const redeemed = await deps.devices.redeem(
        code.signature,
        { access: tokens.access.record, refresh: tokens.refresh?.record ?? null },
        now,
      );
      if (!redeemed) {
        await revokeGrant(deps, flow.id);
        throw new InvalidGrant('The device code has already been used.');
      }
      return deps.minter.response(tokens, scope);
    },
  } satisfies GrantHandler;
}
