// A login and consent app for Tollgate (or Hydra): set urls.login to http://127.0.0.1:3000/login and
// urls.consent to http://127.0.0.1:3000/consent. A real app adds CSRF protection to its two forms.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { loginConsent } from 'tollgate/sdk';

const flows = loginConsent({ adminUrl: process.env.TOLLGATE_ADMIN_URL ?? 'http://127.0.0.1:4445' });
const USERS: Record<string, string> = { 'foo@bar.com': 'foobar' }; // your user store
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

async function handle(req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? '/', 'http://app');
  const login = url.pathname === '/login';
  const go = (to: string) => void res.writeHead(303, { location: to }).end();
  let body = '';
  for await (const chunk of req) body += chunk;
  const form = new URLSearchParams(body);
  const challenge =
    form.get('challenge') ?? url.searchParams.get(login ? 'login_challenge' : 'consent_challenge');
  const request = login ? await flows.getLogin(challenge ?? '') : await flows.getConsent(challenge ?? '');
  if ('gone' in request) return go(request.redirect_to); // handled or expired: this restarts the flow
  if (req.method === 'POST' && !form.has('ok'))
    return go(await (login ? flows.rejectLogin : flows.rejectConsent)(request.challenge));
  const email = form.get('email') ?? '';
  if (req.method === 'POST' && login && USERS[email] === form.get('password'))
    return go(await flows.acceptLogin(request.challenge, { subject: email, remember: form.has('remember') }));
  if (req.method === 'POST' && !login) {
    const grant_scope = form.getAll('scope');
    const id_token = grant_scope.includes('email') ? { email: request.subject, email_verified: true } : {};
    return go(
      await flows.acceptConsent(request.challenge, { grant_scope, remember: true, session: { id_token } }),
    );
  }
  const skipped = await flows.acceptIfSkipped(request); // a remembered login or consent: no page
  if (skipped) return go(skipped);
  const fields = login
    ? `<label>Email <input name="email" value="${esc(email || (request.oidc_context?.login_hint ?? ''))}"></label>
       <label>Password <input name="password" type="password"></label> <label><input type="checkbox" name="remember"> Remember me</label>`
    : (request.requested_scope ?? [])
        .map((s) => `<label><input type="checkbox" name="scope" value="${esc(s)}" checked> ${esc(s)}</label>`)
        .join(' ');
  res
    .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
    .end(`<!doctype html><html lang="en"><title>Sign in</title>
    <form method="post"><input type="hidden" name="challenge" value="${esc(request.challenge)}">${fields}
    <button name="ok" value="1">Continue</button> <button>Deny</button></form></html>`);
}

createServer((req, res) => void handle(req, res).catch((err) => res.writeHead(500).end(String(err)))).listen(
  Number(process.env.PORT ?? 3000),
);
