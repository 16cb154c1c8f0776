// Public API: the authorization endpoint (RFC 6749 §3.1; Hydra's GET /oauth2/auth, and POST with a form as
// fosite accepts it) and the fallback error page. The domain answers with an AuthorizeReply (a redirect, a
// form_post page or an error page); this file only turns it into HTTP. /oauth2/auth never answers JSON.
import type { IncomingHttpHeaders } from 'node:http';
import { type ErrorPageQuery, fallbackErrorPage } from '../../flows/authorize-response.js';
import type { AuthorizeEndpoint, AuthorizeReply, FlowEngine } from '../../flows/types.js';
import { escapeHtml } from '../../html.js';
import type { Handlers, Reply } from '../operations.js';

/** Renders the error page of getOAuth2FallbackError (the default `urls.error`). */
export type ErrorPage = (query: ErrorPageQuery) => { status: number; html: string };

export interface AuthorizeHandlerDeps {
  endpoint: AuthorizeEndpoint;
  engine: FlowEngine;
  /** Defaults to `fallbackErrorPage`. */
  errorPage?: ErrorPage;
}

const HTML = 'text/html;charset=UTF-8';

/** What a handler returns for an AuthorizeReply: fosite marks every authorize answer uncacheable. */
export function authorizeHttpReply(reply: AuthorizeReply): {
  status: number;
  headers: Record<string, string | string[]>;
  body?: string;
} {
  const headers: Record<string, string | string[]> = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };
  if (reply.cookies.length > 0) headers['Set-Cookie'] = reply.cookies;
  if (reply.kind === 'redirect')
    return { status: reply.status, headers: { ...headers, Location: reply.location } };
  return { status: reply.status, headers: { ...headers, 'Content-Type': HTML }, body: reply.html };
}

export interface AuthorizeHttpInput {
  query: Record<string, unknown>;
  form?: Record<string, unknown>;
  method: 'GET' | 'POST';
  cookies: Record<string, string>;
  headers: IncomingHttpHeaders;
}

/** Go's url.Values.Get over the body and the query (the body first, as net/http's r.Form). */
function firstValues(input: AuthorizeHttpInput): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const source of input.method === 'POST' ? [input.form, input.query] : [input.query]) {
    for (const [key, value] of Object.entries(source ?? {})) {
      const first = Array.isArray(value) ? value[0] : value;
      if (typeof first === 'string' && !(key in merged)) merged[key] = first;
    }
  }
  return merged;
}

/** fosite's authorize_request_handler.go: steps 1–9, then the login and consent engine (steps 10–11 and the final redirect). */
export function authorizeFlow(deps: Pick<AuthorizeHandlerDeps, 'endpoint' | 'engine'>) {
  return async (input: AuthorizeHttpInput): Promise<AuthorizeReply> => {
    const parsed = await deps.endpoint.parse({ query: input.query, form: input.form, method: input.method });
    if (!parsed.ok) return parsed.reply;
    return deps.engine.handle({
      request: parsed.request,
      client: parsed.client,
      query: firstValues(input),
      cookies: input.cookies,
      headers: input.headers,
    });
  };
}

/** The fallback error page as an HTTP reply. */
export function errorPageReply(errorPage: ErrorPage, query: ErrorPageQuery) {
  const page = errorPage(query);
  return { status: page.status, headers: { 'Content-Type': HTML }, body: page.html };
}

/**
 * Hydra's page for a `urls.login` or `urls.consent` left at its fallback without the built-in UI: a
 * misconfiguration, so a 500 that names the key.
 */
export function notConfiguredPage(key: string): { status: number; html: string } {
  const title =
    'The request could not be executed because a mandatory configuration key is missing or malformed';
  return {
    status: 500,
    html: `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>${title}</title>
  </head>
  <body>
    <h1>${title}</h1>
    <p>You are seeing this page because configuration key <code>${escapeHtml(key)}</code> is not set.</p>
    <p>If you are an administrator, set it to your login and consent app (or start Tollgate with --dev to use the built-in pages). If you are a user, please contact the administrator.</p>
  </body>
</html>
`,
  };
}

type AuthorizeOperation = 'oAuth2Authorize' | 'oAuth2AuthorizeWithForm';

// The statuses an AuthorizeReply can have are the contract's (200, 302, 303, 400, 503; a 500 page is `default`).
const reply = <O extends AuthorizeOperation>(answer: AuthorizeReply) =>
  authorizeHttpReply(answer) as Reply<O>;

export function authorizeHandlers(deps: AuthorizeHandlerDeps) {
  const flow = authorizeFlow(deps);
  const errorPage = deps.errorPage ?? fallbackErrorPage;
  return {
    async oAuth2Authorize({ query, cookies, headers }) {
      return reply(await flow({ query: { ...query }, method: 'GET', cookies, headers }));
    },

    async oAuth2AuthorizeWithForm({ query, body, cookies, headers }) {
      return reply(await flow({ query: { ...query }, form: { ...body }, method: 'POST', cookies, headers }));
    },

    async getOAuth2FallbackError({ query }) {
      return errorPageReply(errorPage, query) as Reply<'getOAuth2FallbackError'>;
    },
  } satisfies Handlers;
}

/** The built-in UI's paths when it is off (outside --dev, or urls.login/urls.consent set): Hydra's page. */
export function notConfiguredHandlers() {
  const page = (key: string) => {
    const { status, html } = notConfiguredPage(key);
    return async () => ({ status, headers: { 'Content-Type': HTML }, body: html });
  };
  return {
    getDevLogin: page('urls.login'),
    submitDevLogin: page('urls.login'),
    getDevConsent: page('urls.consent'),
    submitDevConsent: page('urls.consent'),
    getDevLogout: page('urls.logout'),
    submitDevLogout: page('urls.logout'),
  };
}
