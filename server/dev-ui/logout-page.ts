// The built-in logout pages (as Ory's reference app draws them, hydra-login-consent-node's logout route): "Do
// you want to sign out?" with Yes and No, the page shown after No, and the default post-logout page.
import { html, page } from './render.js';

export interface LogoutView {
  challenge: string;
  csrf: string;
  subject: string;
  /** The relying party that asked, when one did. */
  clientName?: string;
}

export function logoutPage(view: LogoutView): string {
  return page(
    'Sign out?',
    html`<h1>Do you want to sign out?</h1>
<p>You are signed in as <strong>${view.subject}</strong>${
      view.clientName ? html`; ${view.clientName} asks to sign you out` : ''
    }.</p>
<form method="post" action="logout">
<input type="hidden" name="challenge" value="${view.challenge}">
<input type="hidden" name="_csrf" value="${view.csrf}">
<div class="actions">
<button type="submit" class="primary" name="action" value="accept" autofocus>Yes, sign me out</button>
<button type="submit" class="secondary" name="action" value="deny">No</button>
</div>
</form>`,
  );
}

/** After No: the reference app sends the user to ory.sh; Tollgate says what happened instead. */
export function stillSignedInPage(): string {
  return page(
    'Still signed in',
    html`<h1>You are still signed in</h1>
<p>You chose not to sign out. You can close this page and go back to the application.</p>`,
  );
}

/** `urls.post_logout_redirect`'s default (Hydra's /oauth2/fallbacks/logout/callback). */
export function signedOutPage(): string {
  return page(
    'Signed out',
    html`<h1>You are signed out</h1>
<p>You have been signed out successfully. You can close this page.</p>`,
  );
}
