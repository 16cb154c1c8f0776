// The answers of /oauth2/auth (fosite's authorize error and response writers): the authorization response to the client (303 with a query
// or fragment, or a form_post page), an error to the client (303, fosite WriteAuthorizeError), or an error to
// urls.error (302, Hydra oauth2/handler.go forwardError). Parameters are encoded as Go's url.Values.Encode
// does (keys sorted, `+` for spaces), so Locations compare equal with Hydra's.
import { escapeHtml } from '../html.js';
import type { OAuth2Error } from '../oauth2/errors.js';
import { RedirectUriMismatch } from './redirect-uri.js';
import type { AuthorizeReply, AuthorizeRequest } from './types.js';

/** Go's url.Values: a key's values in order; keys are sorted only when encoding. */
export type GoValues = Map<string, string[]>;

const hex = (c: string) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`;

// encodeURIComponent throws on these; Go would write U+FFFD's bytes for invalid UTF-8.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Go's url.QueryEscape: only [A-Za-z0-9-_.~] stay as they are, a space becomes `+`. */
export function goQueryEscape(value: string): string {
  return encodeURIComponent(value.replace(LONE_SURROGATE, '\uFFFD'))
    .replace(/[!'()*]/g, hex)
    .replace(/%20/g, '+');
}

/** Go's url.Values.Encode: sorted by key (byte order), values in order. */
export function encodeGoValues(values: GoValues): string {
  const keys = [...values.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return keys
    .flatMap((key) => (values.get(key) ?? []).map((v) => `${goQueryEscape(key)}=${goQueryEscape(v)}`))
    .join('&');
}

function goQueryUnescape(value: string): string | null {
  try {
    return decodeURIComponent(value.replaceAll('+', ' '));
  } catch {
    return null;
  }
}

/** Go's url.ParseQuery as URL.Query() uses it: malformed pairs (bad escapes, `;`) are dropped. */
export function parseGoQuery(rawQuery: string): GoValues {
  const values: GoValues = new Map();
  for (const pair of rawQuery.split('&')) {
    if (pair === '' || pair.includes(';')) continue;
    const eq = pair.indexOf('=');
    const key = goQueryUnescape(eq < 0 ? pair : pair.slice(0, eq));
    const value = goQueryUnescape(eq < 0 ? '' : pair.slice(eq + 1));
    if (key === null || value === null) continue;
    values.set(key, [...(values.get(key) ?? []), value]);
  }
  return values;
}

/** Splits `uri` into the part before `?`, the raw query, and drops any fragment. */
/** A URI's parts around its query: `base` has neither query nor fragment; `fragment` keeps its `#`. */
export function splitUri(uri: string): { base: string; rawQuery: string | undefined; fragment: string } {
  const hash = uri.indexOf('#');
  const fragment = hash < 0 ? '' : uri.slice(hash);
  const noFragment = hash < 0 ? uri : uri.slice(0, hash);
  const q = noFragment.indexOf('?');
  return q < 0
    ? { base: noFragment, rawQuery: undefined, fragment }
    : { base: noFragment.slice(0, q), rawQuery: noFragment.slice(q + 1), fragment };
}

/**
 * Go html/template's URL filter, which fosite's form_post template applies to the action: a scheme other than
 * http, https or mailto becomes `#ZgotmplZ`, so a registered `javascript:` redirect URI cannot run script here.
 */
function templateSafeUrl(url: string): string {
  const colon = url.indexOf(':');
  if (colon < 0) return url;
  const scheme = url.slice(0, colon);
  return scheme.includes('/') || /^(https?|mailto)$/i.test(scheme) ? url : '#ZgotmplZ';
}

/**
 * RFC 6749 §4.1.2 as an OAuth 2.0 Form Post Response: a page that posts the parameters to the client. It
 * submits itself with JavaScript, and shows a button when scripts are off.
 */
export function formPostHtml(action: string, values: GoValues): string {
  const inputs = [...values.entries()]
    .flatMap(([key, list]) =>
      list.map((v) => `<input type="hidden" name="${escapeHtml(key)}" value="${escapeHtml(v)}">`),
    )
    .join('\n      ');
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>Submit This Form</title>
  </head>
  <body onload="document.forms[0].submit()">
    <form method="post" action="${escapeHtml(templateSafeUrl(action))}">
      ${inputs}
      <noscript><p>JavaScript is off: press the button to continue.</p><button type="submit">Continue</button></noscript>
    </form>
  </body>
</html>
`;
}

/** `oauth2.expose_internal_errors`: a debug text fosite appends to error_description (ToValues). */
const debugTexts = new WeakMap<OAuth2Error, string>();

/** Attaches fosite's debug text to an error; it reaches the client only with `exposeInternalErrors`. */
export function withDebug<E extends OAuth2Error>(error: E, debug: string): E {
  if (debug !== '') debugTexts.set(error, debug);
  return error;
}

export interface ResponseWriterDeps {
  /** `urls.error`; the fallback page (getOAuth2FallbackError) by default. */
  errorUrl: string;
  exposeInternalErrors: boolean;
}

type Target = Pick<AuthorizeRequest, 'redirect_uri' | 'state' | 'response_mode'>;

export function createResponseWriters(deps: ResponseWriterDeps) {
  function errorValues(error: OAuth2Error): GoValues {
    const { error: code, error_description } = error.toJSON();
    const debug = debugTexts.get(error);
    const description =
      deps.exposeInternalErrors && debug
        ? `${error_description} ${debug.replaceAll('"', "'")}`
        : error_description;
    return new Map([
      ['error', [code]],
      ['error_description', [description]],
    ]);
  }

  /** Writes `values` to the client the way its response_mode says; `merge` is Go's Add (errors) or Set. */
  function deliver(
    target: Target,
    values: GoValues,
    merge: 'add' | 'set',
    cookies: string[],
  ): AuthorizeReply {
    const { base, rawQuery } = splitUri(target.redirect_uri);
    const withQuery = rawQuery === undefined ? base : `${base}?${rawQuery}`;
    if (target.response_mode === 'form_post') {
      return { kind: 'form_post', status: 200, html: formPostHtml(withQuery, values), cookies };
    }
    if (target.response_mode === 'fragment') {
      return { kind: 'redirect', status: 303, location: `${withQuery}#${encodeGoValues(values)}`, cookies };
    }
    const query = parseGoQuery(rawQuery ?? '');
    for (const [key, list] of values) {
      query.set(key, merge === 'add' ? [...list, ...(query.get(key) ?? [])] : list);
    }
    return { kind: 'redirect', status: 303, location: `${base}?${encodeGoValues(query)}`, cookies };
  }

  return {
    /** fosite WriteAuthorizeResponse: the code (and tokens) to the client, 303 or a form_post page. */
    success(request: Target, params: Record<string, string>, cookies: string[]): AuthorizeReply {
      return deliver(request, new Map(Object.entries(params).map(([k, v]) => [k, [v]])), 'set', cookies);
    },

    /** fosite WriteAuthorizeError: `state` is always present, the redirect URI's own query is kept. */
    toClient(request: Target, error: OAuth2Error, cookies: string[] = []): AuthorizeReply {
      const values = errorValues(error);
      values.set('state', [request.state]);
      return deliver(request, values, 'add', cookies);
    },

    /**
     * Hydra forwardError: 302 to urls.error with `error` and `error_description` set on its query. A
     * redirect_uri near miss adds `error_hint` (Tollgate), which the fallback page shows.
     */
    toErrorPage(error: OAuth2Error, cookies: string[] = []): AuthorizeReply {
      const { base, rawQuery } = splitUri(deps.errorUrl);
      const query = parseGoQuery(rawQuery ?? '');
      for (const [key, list] of errorValues(error)) query.set(key, list);
      if (error instanceof RedirectUriMismatch && error.nearMiss !== undefined) {
        query.set('error_hint', [error.nearMiss]);
      }
      return { kind: 'redirect', status: 302, location: `${base}?${encodeGoValues(query)}`, cookies };
    },
  };
}

/** The query of the fallback error page (getOAuth2FallbackError). */
export interface ErrorPageQuery {
  error?: string;
  error_description?: string;
  error_hint?: string;
}

/**
 * The fallback error page (urls.error's default): 400, since the error is the request's (Hydra answers a bare
 * 500). Every value is escaped: the query is the attacker's to choose.
 */
export function fallbackErrorPage(query: ErrorPageQuery): { status: number; html: string } {
  const error = query.error || 'unknown_error';
  const description = query.error_description || 'The authorization request failed.';
  const hint = query.error_hint
    ? `\n    <p id="hint"><strong>Hint:</strong> ${escapeHtml(query.error_hint)}</p>`
    : '';
  const html = `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Authorization failed: ${escapeHtml(error)}</title>
    <style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1a1a1a;line-height:1.5}code{background:#f0f0f0;padding:0 .25rem}</style>
  </head>
  <body>
    <main>
      <h1>The authorization request failed</h1>
      <p>Error: <code id="error">${escapeHtml(error)}</code></p>
      <p id="description">${escapeHtml(description)}</p>${hint}
      <p>The application that sent you here needs to fix its request; going back and trying again will not help.</p>
    </main>
  </body>
</html>
`;
  return { status: 400, html };
}
