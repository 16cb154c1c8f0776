// The browser flows' cookies (Hydra's consent/csrf.go and the authentication session cookie): names, signed
// values, attributes, and the diagnosis Tollgate appends when a CSRF check fails (the most reported Hydra
// problem, ory/hydra#1647 and others). Tollgate does not read Hydra's gorilla cookies; a flow started on Hydra
// cannot continue here, which only costs a restart.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { deriveKey } from '../crypto/secrets.js';
import { safeEqual } from './challenges.js';
import { murmur3 } from './murmur3.js';
import { isRedirectUriSecure } from './redirect-uri.js';

export type SameSiteMode = 'Strict' | 'Lax' | 'None';
export type CsrfKind = 'login' | 'consent' | 'device';

export interface FlowCookieOptions {
  /** `--dev`: names get `_dev`, and `secure` decides the Secure attribute. */
  dev: boolean;
  /** urls.self.issuer: SameSite=None becomes Lax unless it is https (Hydra's CookieSameSiteMode). */
  issuerUrl: string;
  /** serve.cookies.same_site_mode. */
  sameSiteMode: SameSiteMode;
  /** serve.cookies.same_site_legacy_workaround: also write `<name>_legacy` without SameSite. */
  sameSiteLegacyWorkaround: boolean;
  /** serve.cookies.domain; empty or undefined = host-only. */
  domain?: string;
  /** serve.cookies.secure; only read in `--dev` (Secure is always set otherwise). */
  secure: boolean;
  /** serve.cookies.names.*. */
  names: { loginCsrf: string; consentCsrf: string; session: string; deviceCsrf?: string };
  /** serve.cookies.paths.session. */
  paths: { session: string };
  /** ttl.login_consent_request in seconds: the CSRF cookies' Max-Age. */
  csrfMaxAgeSeconds: number;
  /** secrets.cookie, else secrets.system; the first signs, every one verifies (rotation). */
  secrets: readonly string[];
}

/** How many flows of one client a CSRF cookie remembers: parallel tabs do not break each other. */
export const MAX_FLOWS_PER_CSRF_COOKIE = 4;

export type CsrfCheck = 'ok' | 'undecodable' | 'missing' | 'mismatch' | 'other_flows';

export interface FlowCookies {
  csrfName(kind: CsrfKind, clientId: string): string;
  readonly sessionName: string;
  /** The Secure and SameSite attributes the cookies are written with. */
  readonly secure: boolean;
  readonly sameSite: SameSiteMode;
  /** Set-Cookie values that add this flow's token to the client's CSRF cookie, newest first. */
  addCsrf(
    kind: CsrfKind,
    clientId: string,
    flowId: string,
    csrf: string,
    jar: Record<string, string>,
    now: Date,
  ): string[];
  checkCsrf(
    kind: CsrfKind,
    clientId: string,
    flowId: string,
    expected: string,
    jar: Record<string, string>,
  ): CsrfCheck;
  /** The sid of the authentication session cookie, or null (absent, or not signed by us). */
  readSession(jar: Record<string, string>): string | null;
  setSession(sid: string, maxAgeSeconds: number, now: Date): string[];
  clearSession(): string[];
}

export function createFlowCookies(options: FlowCookieOptions): FlowCookies {
  if (options.secrets.length === 0) throw new Error('the flow cookies need a secret');
  const keys = options.secrets.map(deriveKey);
  const dev = options.dev ? '_dev' : '';
  const https = new URL(options.issuerUrl).protocol === 'https:';
  const sameSite: SameSiteMode = options.sameSiteMode === 'None' && !https ? 'Lax' : options.sameSiteMode;
  const secure = options.dev ? options.secure : true;
  const sessionName = `${options.names.session}${dev}`;

  const mac = (key: Buffer, name: string, payload: string) =>
    createHmac('sha256', key).update(`${name}.${payload}`, 'utf8').digest();

  // `b64url(json).b64url(HMAC-SHA-256(key, name "." payload))`: the name is signed so a value cannot be moved
  // from one cookie to another.
  const sign = (name: string, value: unknown) => {
    const payload = Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
    return `${payload}.${mac(keys[0]!, name, payload).toString('base64url')}`;
  };

  /** undefined: no cookie; null: present but not ours (tampered, or signed by a retired secret). */
  const read = (name: string, jar: Record<string, string>): unknown => {
    const raw = jar[name] ?? (options.sameSiteLegacyWorkaround ? jar[`${name}_legacy`] : undefined);
    if (raw === undefined || raw === '') return undefined;
    const dot = raw.indexOf('.');
    if (dot < 1) return null;
    const payload = raw.slice(0, dot);
    const given = Buffer.from(raw.slice(dot + 1), 'base64url');
    const valid = keys.some((key) => {
      const expected = mac(key, name, payload);
      return expected.length === given.length && timingSafeEqual(expected, given);
    });
    if (!valid) return null;
    try {
      return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return null;
    }
  };

  const attributes = (path: string, maxAge: number, now: Date, withSameSite: boolean) => {
    const parts = [`Path=${path}`];
    if (options.domain) parts.push(`Domain=${options.domain}`);
    parts.push(`Max-Age=${maxAge}`);
    const expires = maxAge > 0 ? new Date(now.getTime() + maxAge * 1000) : new Date(0);
    parts.push(`Expires=${expires.toUTCString()}`, 'HttpOnly');
    if (secure) parts.push('Secure');
    if (withSameSite) parts.push(`SameSite=${sameSite}`);
    return parts.join('; ');
  };

  const write = (name: string, value: string, path: string, maxAge: number, now: Date) => {
    const cookies = [`${name}=${value}; ${attributes(path, maxAge, now, true)}`];
    if (options.sameSiteLegacyWorkaround) {
      cookies.push(`${name}_legacy=${value}; ${attributes(path, maxAge, now, false)}`);
    }
    return cookies;
  };

  const csrfEntries = (value: unknown): [string, string][] | null => {
    const list = (value as { csrf?: unknown } | null)?.csrf;
    if (!Array.isArray(list)) return null;
    return list.filter(
      (e): e is [string, string] =>
        Array.isArray(e) && e.length === 2 && typeof e[0] === 'string' && typeof e[1] === 'string',
    );
  };

  const csrfName = (kind: CsrfKind, clientId: string) =>
    kind === 'device'
      ? // Hydra's device CSRF cookie has no client suffix: the client is not known before the user code.
        `${options.names.deviceCsrf ?? 'ory_hydra_device_csrf'}${dev}`
      : `${kind === 'login' ? options.names.loginCsrf : options.names.consentCsrf}${dev}_${murmur3(clientId)}`;

  return {
    csrfName,
    sessionName,
    secure,
    sameSite,

    addCsrf(kind, clientId, flowId, csrf, jar, now) {
      const name = csrfName(kind, clientId);
      const kept = (csrfEntries(read(name, jar)) ?? []).filter(([id]) => id !== flowId);
      const entries = [[flowId, csrf], ...kept].slice(0, MAX_FLOWS_PER_CSRF_COOKIE);
      return write(name, sign(name, { csrf: entries }), '/', options.csrfMaxAgeSeconds, now);
    },

    checkCsrf(kind, clientId, flowId, expected, jar) {
      const name = csrfName(kind, clientId);
      const value = read(name, jar);
      if (value === undefined) return 'missing';
      const entries = csrfEntries(value);
      if (entries === null) return 'undecodable';
      if (entries.length === 0) return 'missing';
      const entry = entries.find(([id]) => id === flowId);
      if (!entry) return 'other_flows';
      return safeEqual(entry[1], expected) ? 'ok' : 'mismatch';
    },

    readSession(jar) {
      const sid = (read(sessionName, jar) as { sid?: unknown } | null | undefined)?.sid;
      return typeof sid === 'string' && sid !== '' ? sid : null;
    },

    setSession(sid, maxAgeSeconds, now) {
      return write(sessionName, sign(sessionName, { sid }), options.paths.session, maxAgeSeconds, now);
    },

    clearSession() {
      return write(sessionName, '', options.paths.session, 0, new Date(0));
    },
  };
}

/** Hydra's hints for the three CSRF failures (consent/csrf.go); `other_flows` reads like a mismatch there. */
export const CSRF_HINTS: Record<Exclude<CsrfCheck, 'ok'>, string> = {
  undecodable: 'CSRF session cookie could not be decoded.',
  missing: 'No CSRF value available in the session cookie.',
  mismatch: 'The CSRF value from the token does not match the CSRF value from the data store.',
  other_flows: 'The CSRF value from the token does not match the CSRF value from the data store.',
};

export interface CsrfDiagnosisInput {
  check: Exclude<CsrfCheck, 'ok'>;
  cookieName: string;
  headers: IncomingHttpHeaders;
  cookies: Record<string, string>;
  issuerUrl: string;
  secure: boolean;
  sameSite: SameSiteMode;
  maxAgeSeconds: number;
}

/** The host name of a Host header or URL authority, without the port: cookies do not tell ports apart. */
export function hostName(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const colon = h.lastIndexOf(':');
  return colon < 0 ? h : h.slice(0, colon);
}

const hostOf = (url: string) => {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return '';
  }
};

/**
 * The likely cause of a failed CSRF check, in sentences for the error description: Hydra's bare "No CSRF
 * value" leaves developers guessing between a host mix-up, cookie attributes the browser refuses, a newer flow
 * and blocked cookies.
 */
export function diagnoseCsrf(input: CsrfDiagnosisInput): string {
  const causes: string[] = [];
  const issuerHost = hostOf(input.issuerUrl);
  const issuerHttps = input.issuerUrl.startsWith('https:');
  const requestHost = hostName(String(input.headers.host ?? ''));
  if (input.check === 'undecodable') {
    causes.push(
      `The cookie '${input.cookieName}' was not signed with a current cookie secret: it was altered, or set before secrets.cookie (or secrets.system) changed, or by another server.`,
    );
  } else if (input.check === 'mismatch') {
    causes.push(
      `The cookie '${input.cookieName}' holds another token for this request: it was altered or comes from another browser.`,
    );
  } else if (input.check === 'other_flows') {
    causes.push(
      `The cookie '${input.cookieName}' only holds newer authorization requests of this client: more than ${MAX_FLOWS_PER_CSRF_COOKIE} were started in this browser after this one (other tabs or retries), or this one was started in another browser. Start again from the application.`,
    );
  } else {
    if (requestHost && issuerHost && requestHost !== issuerHost) {
      causes.push(
        `This request reached host '${requestHost}' but the issuer is '${issuerHost}': a browser sends a cookie only to the host that set it (localhost and 127.0.0.1 are different hosts), so start the authorization at ${input.issuerUrl.replace(/\/$/, '')}/oauth2/auth.`,
      );
    }
    if (input.sameSite === 'None' && !input.secure) {
      causes.push(
        'The cookies are sent with SameSite=None but without Secure, which browsers refuse: serve the issuer over https or set serve.cookies.same_site_mode to Lax.',
      );
    }
    if (input.secure && !issuerHttps && !isRedirectUriSecure(input.issuerUrl, false)) {
      causes.push(
        'The cookies are marked Secure but the issuer uses http: browsers keep Secure cookies only for https (and localhost); use https, or --dev with serve.cookies.secure=false.',
      );
    }
    if (input.sameSite === 'Strict' && input.headers['sec-fetch-site'] === 'cross-site') {
      causes.push(
        'The cookies use SameSite=Strict and this request came from another site (the login or consent UI), so the browser withheld them: use Lax.',
      );
    }
    if (Object.keys(input.cookies).length === 0) {
      causes.push(
        'The browser sent no cookies at all: cookies may be blocked for this site (browser settings, private mode, an embedded frame), or the request was started in another browser.',
      );
    } else if (causes.length === 0) {
      causes.push(
        `The browser sent other cookies but not '${input.cookieName}': it expires ${input.maxAgeSeconds} s after the authorization request, or the request was started in another browser or profile.`,
      );
    }
  }
  return causes.join(' ');
}
