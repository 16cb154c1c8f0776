// `tollgate perform authorization-code` (declared in token-commands.ts): Hydra's example client for the
// authorization code flow. A callback server on the loopback interface (RFC 8252 §7.3) receives the code; the
// request carries state, an OpenID Connect nonce and a PKCE S256 challenge (RFC 7636 §4.2), so the command works
// for confidential and public clients alike.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import {
  basicAuthorization,
  formBody,
  NetworkError,
  OAuth2ApiError,
  type TokenResponse,
} from '../../sdk/index.js';
import { escapeHtml } from '../html.js';
import { action, endpoint, explain, headers, output } from './remote-client.js';
import { printToken } from './token-actions.js';
import type { AuthorizationCodeOptions } from './token-commands.js';
import { UsageError } from './usage-error.js';

const LOOPBACK = '127.0.0.1';

interface Settings {
  clientId: string;
  clientSecret?: string;
  authUrl: URL;
  tokenUrl: URL;
  redirectUri: string;
  extraHeaders: Headers;
}

/** One authorization request: what the callback must echo (state) and what the exchange and ID token prove. */
interface Attempt {
  state: string;
  nonce: string;
  verifier: string;
  url: string;
}

/** The end of one flow: the token response, or why there is none. */
type Outcome = { token: TokenResponse; expiry: Date } | { error: Error };

const random = (bytes: number) => randomBytes(bytes).toString('base64url');

function parseUrl(flag: string, value: string): URL {
  try {
    return new URL(value);
  } catch {
    throw new UsageError(`${flag} ${JSON.stringify(value)} is not a URL`);
  }
}

/** `<endpoint>/oauth2/…`, keeping a path prefix of the endpoint (a server behind a proxy path). */
function under(base: string, path: string): URL {
  return new URL(path, base.endsWith('/') ? base : `${base}/`);
}

function settingsFrom(options: AuthorizationCodeOptions): Settings {
  const clientId = options.clientId ?? process.env.OAUTH2_CLIENT_ID;
  if (!clientId) throw new UsageError('no client id: pass --client-id or set OAUTH2_CLIENT_ID');
  const clientSecret = options.clientSecret ?? process.env.OAUTH2_CLIENT_SECRET;
  const base = options.authUrl && options.tokenUrl ? undefined : endpoint(options, 'public');
  const redirect = options.redirect ?? `http://${LOOPBACK}:${options.port}/callback`;
  return {
    clientId,
    clientSecret: clientSecret === '' ? undefined : clientSecret,
    authUrl: options.authUrl ? parseUrl('--auth-url', options.authUrl) : under(base!, 'oauth2/auth'),
    tokenUrl: options.tokenUrl ? parseUrl('--token-url', options.tokenUrl) : under(base!, 'oauth2/token'),
    redirectUri: parseUrl('--redirect', redirect).href,
    extraHeaders: headers(options),
  };
}

function newAttempt(options: AuthorizationCodeOptions, settings: Settings): Attempt {
  const attempt = { state: options.state ?? random(24), nonce: random(24), verifier: random(32) };
  const url = new URL(settings.authUrl);
  const params: Record<string, string | undefined> = {
    response_type: 'code',
    client_id: settings.clientId,
    redirect_uri: settings.redirectUri,
    scope: (options.scope ?? ['offline', 'openid']).join(' '),
    state: attempt.state,
    nonce: attempt.nonce,
    code_challenge: createHash('sha256').update(attempt.verifier).digest('base64url'),
    code_challenge_method: 'S256',
    prompt: options.prompt?.join(' '),
    max_age: options.maxAge === undefined ? undefined : String(options.maxAge),
    audience: options.audience?.join(' '),
    response_mode: options.responseMode,
  };
  for (const [key, value] of Object.entries(params)) if (value) url.searchParams.set(key, value);
  return { ...attempt, url: url.href };
}

/** RFC 6749 §4.1.3 with the PKCE verifier (RFC 7636 §4.5); a confidential client authenticates with Basic. */
async function exchange(settings: Settings, attempt: Attempt, code: string): Promise<TokenResponse> {
  const requestHeaders = new Headers(settings.extraHeaders);
  requestHeaders.set('content-type', 'application/x-www-form-urlencoded');
  requestHeaders.set('accept', 'application/json');
  if (settings.clientSecret !== undefined) {
    requestHeaders.set('authorization', basicAuthorization(settings.clientId, settings.clientSecret));
  }
  const body = formBody({
    grant_type: 'authorization_code',
    code,
    redirect_uri: settings.redirectUri,
    code_verifier: attempt.verifier,
    client_id: settings.clientSecret === undefined ? settings.clientId : undefined,
  });
  const request = `POST ${settings.tokenUrl.href}`;
  let response: Response;
  try {
    response = await fetch(settings.tokenUrl, { method: 'POST', headers: requestHeaders, body });
  } catch (err) {
    throw new NetworkError(request, err);
  }
  if (!response.ok) throw await OAuth2ApiError.fromResponse(response, request);
  const token = (await response.json()) as TokenResponse;
  if (token.id_token !== undefined && idTokenNonce(token.id_token) !== attempt.nonce) {
    // OIDC Core §3.1.3.7 step 11: an ID token minted for another request is refused.
    throw new Error('the ID token does not carry the nonce of this request');
  }
  return token;
}

/** The nonce claim of an ID token (its signature is the server's to vouch for; this only binds it to the request). */
function idTokenNonce(idToken: string): unknown {
  try {
    return JSON.parse(Buffer.from(idToken.split('.')[1] ?? '', 'base64url').toString('utf8')).nonce;
  } catch {
    return undefined;
  }
}

function page(res: ServerResponse, status: number, title: string, text: string, done?: () => void) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(
    `<!doctype html><html lang="en"><meta charset="utf-8"><title>${escapeHtml(title)}</title>` +
      `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p></html>\n`,
    done,
  );
}

// With response_mode=fragment the parameters never reach a server: this page moves them into the query.
const FRAGMENT_PAGE =
  '<!doctype html><html lang="en"><meta charset="utf-8"><title>Signing in</title>' +
  '<script>if (location.hash.length > 1) location.replace(location.pathname + "?" + location.hash.slice(1));</script>' +
  '<p>Waiting for the authorization response…</p></html>\n';

async function callbackParams(req: IncomingMessage): Promise<URLSearchParams> {
  const url = new URL(req.url ?? '/', `http://${LOOPBACK}`);
  if (req.method !== 'POST') return url.searchParams;
  // response_mode=form_post (OAuth 2.0 Form Post Response Mode): the parameters arrive as a form.
  let body = '';
  for await (const chunk of req) body += String(chunk);
  return new URLSearchParams(body);
}

/** Opens the URL in the user's browser; a failure only means the user opens it by hand. */
function openBrowser(url: string) {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '', url]]
        : ['xdg-open', [url]];
  const child = spawn(command, args as string[], { detached: true, stdio: 'ignore' });
  child.on('error', () => {});
  child.unref();
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new Error(
          err.code === 'EADDRINUSE'
            ? `cannot listen on ${LOOPBACK}:${port}: the port is in use; choose another with --port (the client needs its redirect URI)`
            : `cannot listen on ${LOOPBACK}:${port}: ${err.message}`,
        ),
      ),
    );
    server.listen(port, LOOPBACK, () => resolve());
  });
}

export const performAuthorizationCode = action(async (options: AuthorizationCodeOptions) => {
  const settings = settingsFrom(options);
  const callbackPath = new URL(settings.redirectUri).pathname;
  const home = `http://${LOOPBACK}:${options.port}/`;
  let attempt = newAttempt(options, settings);
  let finish: (outcome: Outcome) => void = () => {};
  const finished = new Promise<Outcome>((resolve) => {
    finish = resolve;
  });

  const announce = () =>
    process.stderr.write(
      `Open this URL in a browser to sign in (or ${home}, which redirects to it):\n${attempt.url}\n`,
    );

  /** The flow ended: print the tokens or the error; then stop, or start a new attempt with --no-shutdown. */
  const end = (outcome: Outcome) => {
    if (!options.shutdown) {
      if ('token' in outcome) output(options, printToken(outcome.token, outcome.expiry));
      else process.stderr.write(`tollgate: ${explain(outcome.error)}\n`);
      attempt = newAttempt(options, settings);
      announce();
      return;
    }
    finish(outcome);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', home).pathname;
    if (path === '/' && path !== callbackPath) {
      res.writeHead(302, { location: attempt.url, 'cache-control': 'no-store' }).end();
      return;
    }
    if (path !== callbackPath || (req.method !== 'GET' && req.method !== 'POST')) {
      page(res, 404, 'Not found', `The callback is ${callbackPath}.`);
      return;
    }
    const params = await callbackParams(req);
    const [code, error, state] = ['code', 'error', 'state'].map((k) => params.get(k) ?? undefined);
    if (code === undefined && error === undefined && state === undefined && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(FRAGMENT_PAGE);
      return;
    }
    const current = attempt;
    // RFC 6749 §10.12: a response that does not carry our state belongs to another request (or an attacker's).
    if (state !== current.state) {
      const err = new Error(
        `the callback's state ${JSON.stringify(state ?? '')} is not the one this command sent; sign in again from ${home}`,
      );
      page(res, 400, 'Sign-in failed', err.message, () => end({ error: err }));
      return;
    }
    if (error !== undefined) {
      const description = params.get('error_description');
      const err = new Error(
        `the authorization server answered ${error}${description ? `: ${description}` : ''}`,
      );
      page(res, 400, 'Sign-in failed', err.message, () => end({ error: err }));
      return;
    }
    if (code === undefined) {
      const err = new Error('the callback carries neither a code nor an error');
      page(res, 400, 'Sign-in failed', err.message, () => end({ error: err }));
      return;
    }
    const started = Date.now();
    try {
      const token = await exchange(settings, current, code);
      const expiry = new Date(started + token.expires_in * 1000);
      page(res, 200, 'Signed in', 'The tokens are printed in the terminal; you can close this window.', () =>
        end({ token, expiry }),
      );
    } catch (err) {
      page(res, 502, 'Sign-in failed', explain(err), () => end({ error: err as Error }));
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) page(res, 500, 'Error', explain(err));
    });
  });
  await listen(server, options.port);
  announce();
  process.stderr.write(`Waiting for the callback on ${settings.redirectUri}\n`);
  if (options.open && process.stderr.isTTY) openBrowser(attempt.url);

  const outcome = await finished;
  server.close();
  server.closeAllConnections();
  if ('error' in outcome) throw outcome.error;
  output(options, printToken(outcome.token, outcome.expiry));
});
