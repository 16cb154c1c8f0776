// The built-in device verification pages (as Ory's reference app draws them, src/routes/device.ts): a form for
// the user code shown on the device, and the page the browser ends on once the device is authorized. The
// error is in a role="alert" region and the field says it is invalid, as on the login page.
import { html, page } from './render.js';

export interface DeviceCodeView {
  challenge: string;
  csrf: string;
  /** The field's value: what was typed, or the code of verification_uri_complete. */
  userCode: string;
  error?: string;
}

export function deviceCodePage(view: DeviceCodeView): string {
  const invalid = view.error !== undefined;
  return page(
    'Connect a device',
    html`<h1>Connect a device</h1>
<p>Enter the code shown on your device.</p>
${invalid ? html`<p role="alert" id="form-error">${view.error}</p>` : ''}
<form method="post" action="device">
<input type="hidden" name="device_challenge" value="${view.challenge}">
<input type="hidden" name="_csrf" value="${view.csrf}">
<label for="user_code">Code</label>
<input type="text" id="user_code" name="user_code" required autocomplete="one-time-code" autocapitalize="characters" spellcheck="false" value="${view.userCode}" autofocus${
      invalid ? html` aria-invalid="true" aria-describedby="form-error"` : ''
    }>
<div class="actions">
<button type="submit" class="primary">Continue</button>
</div>
</form>`,
  );
}

export function deviceDonePage(): string {
  return page(
    'Device connected',
    html`<h1>Device connected</h1>
<p role="status">Your device is now signed in. You can close this window and return to it.</p>`,
  );
}
