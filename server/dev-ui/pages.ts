// The built-in login and consent pages (as Ory's reference app, hydra-login-consent-node, draws them): plain
// forms that post back to the same path, labelled fields, the error in a role="alert" region, focus where the
// user continues (autofocus works without JavaScript), and the two decisions as submit buttons, the accepting
// one first so that Enter in a field accepts.
import { html, page, type SafeHtml } from './render.js';

/** The part of a client the pages show. */
export interface ClientView {
  client_id?: string;
  client_name?: string;
  logo_uri?: string;
  policy_uri?: string;
  tos_uri?: string;
  client_uri?: string;
}

export interface LoginView {
  challenge: string;
  csrf: string;
  client: ClientView;
  /** The email field's value: what was typed, or the request's login_hint. */
  email: string;
  remember: boolean;
  error?: string;
}

export interface ConsentView {
  challenge: string;
  csrf: string;
  client: ClientView;
  subject: string;
  requestedScope: string[];
  requestedAudience: string[];
  error?: string;
}

export interface MessageView {
  title: string;
  message: string;
  /** Where "start again" leads, when the server knows. */
  restartUrl?: string;
}

/** OpenID Connect Core §5.4 and RFC 6749's refresh tokens, in words a user can judge. */
const SCOPE_DESCRIPTIONS: Record<string, string> = {
  openid: 'Confirm who you are',
  offline_access: 'Stay signed in when you are away (refresh tokens)',
  offline: 'Stay signed in when you are away (refresh tokens)',
  profile: 'Your name and profile details',
  email: 'Your email address',
  address: 'Your postal address',
  phone: 'Your phone number',
};

function clientName(client: ClientView): string {
  return client.client_name || client.client_id || 'An application';
}

/** Only web and inline-image URLs become links or images: a client's `javascript:` URI stays text. */
function safeUrl(value: string | undefined, allowData = false): string | undefined {
  if (!value) return undefined;
  try {
    const { protocol } = new URL(value);
    if (protocol === 'https:' || protocol === 'http:') return value;
    if (allowData && protocol === 'data:' && /^data:image\//i.test(value)) return value;
  } catch {
    // Not an absolute URL: leave it out.
  }
  return undefined;
}

function alert(error: string | undefined): SafeHtml | undefined {
  return error === undefined ? undefined : html`<p role="alert" id="form-error">${error}</p>`;
}

/** The client's logo beside a sentence that names the client (linked to its home page when it has one). */
function clientHeader(client: ClientView, sentence: (name: SafeHtml) => SafeHtml): SafeHtml {
  const logo = safeUrl(client.logo_uri, true);
  const home = safeUrl(client.client_uri);
  const name = clientName(client);
  const named = home ? html`<a href="${home}"><strong>${name}</strong></a>` : html`<strong>${name}</strong>`;
  return html`<div class="client">
${logo ? html`<img src="${logo}" alt="${name} logo">` : ''}
<p>${sentence(named)}</p>
</div>`;
}

function clientLinks(client: ClientView): SafeHtml | undefined {
  const links = [
    [safeUrl(client.policy_uri), 'Privacy policy'],
    [safeUrl(client.tos_uri), 'Terms of service'],
  ].filter((l): l is [string, string] => l[0] !== undefined);
  if (links.length === 0) return undefined;
  return html`<p class="hint">${clientName(client)}'s ${links.map(
    ([href, text], i) => html`${i > 0 ? ' and ' : ''}<a href="${href}">${text}</a>`,
  )}</p>`;
}

export function loginPage(view: LoginView): string {
  const invalid = view.error !== undefined;
  // After a failed attempt the password is what needs retyping; on a first visit, the first empty field.
  const focusPassword = invalid || view.email !== '';
  return page(
    'Sign in',
    html`<h1>Sign in</h1>
${clientHeader(view.client, (name) => html`to continue to ${name}`)}
${alert(view.error)}
<form method="post" action="login">
<input type="hidden" name="challenge" value="${view.challenge}">
<input type="hidden" name="_csrf" value="${view.csrf}">
<label for="email">Email</label>
<input type="email" id="email" name="email" autocomplete="username" required value="${view.email}"${
      focusPassword ? '' : html` autofocus`
    }>
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required${
      invalid ? html` aria-invalid="true" aria-describedby="form-error"` : ''
    }${focusPassword ? html` autofocus` : ''}>
<div class="check"><input type="checkbox" id="remember" name="remember" value="1"${
      view.remember ? html` checked` : ''
    }><label for="remember">Remember me</label></div>
<div class="actions">
<button type="submit" class="primary" name="action" value="login">Sign in</button>
<button type="submit" class="secondary" name="action" value="deny" formnovalidate>Deny</button>
</div>
</form>`,
  );
}

export function consentPage(view: ConsentView): string {
  const name = clientName(view.client);
  return page(
    `Allow ${name}?`,
    html`<h1>Allow access?</h1>
${clientHeader(view.client, (client) => html`${client} asks for access to your account <strong>${view.subject}</strong>.`)}
${alert(view.error)}
<form method="post" action="consent">
<input type="hidden" name="challenge" value="${view.challenge}">
<input type="hidden" name="_csrf" value="${view.csrf}">
<fieldset>
<legend>Requested permissions</legend>
${
  view.requestedScope.length === 0
    ? html`<p class="hint">No permissions beyond signing in.</p>`
    : html`<ul class="scopes">${view.requestedScope.map(
        (scope, i) =>
          html`<li class="check"><input type="checkbox" id="scope-${i}" name="grant_scope" value="${scope}" checked${SCOPE_DESCRIPTIONS[scope] ? html` aria-describedby="scope-${i}-hint"` : ''}><label for="scope-${i}">${scope}</label>${
            SCOPE_DESCRIPTIONS[scope]
              ? html` <span class="hint" id="scope-${i}-hint">${SCOPE_DESCRIPTIONS[scope]}</span>`
              : ''
          }</li>`,
      )}</ul>`
}
</fieldset>
${
  view.requestedAudience.length > 0
    ? html`<p class="hint">For use at: ${view.requestedAudience.join(', ')}</p>`
    : ''
}
<div class="check"><input type="checkbox" id="remember" name="remember" value="1"><label for="remember">Remember this decision</label></div>
<div class="actions">
<button type="submit" class="primary" name="action" value="allow">Allow</button>
<button type="submit" class="secondary" name="action" value="deny">Deny</button>
</div>
</form>
${clientLinks(view.client)}`,
  );
}

/** An unknown or malformed request, or a form that this server did not render. */
export function messagePage(view: MessageView): string {
  return page(
    view.title,
    html`<h1>${view.title}</h1>
<p role="alert">${view.message}</p>
${view.restartUrl ? html`<p><a href="${view.restartUrl}">Start again</a></p>` : ''}`,
  );
}
