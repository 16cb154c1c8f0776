// One validated configuration. Keys are Hydra's (dotted, as in hydra.yml); each can also be set through the
// environment with Hydra's naming: the key upper-cased with `.` → `_` (urls.self.issuer → URLS_SELF_ISSUER).
// Precedence: defaults < --config file < environment. An invalid value stops startup with a message naming the key.

import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { parseDurationMs } from '../sdk/duration.js';
import { DEFAULT_PORTS, envName } from './config-env.js';
import { DEFAULT_ITERATIONS, MAX_ITERATIONS, MIN_ITERATIONS } from './crypto/hasher.js';
import { TrustedProxyError, trustedProxyList } from './http/source-address.js';
import type { AccessTokenStrategyName } from './oauth2/ports.js';
import type { HookTarget } from './oauth2/token-hooks.js';
import { endpointUrl } from './urls.js';

export interface Config {
  /** `dsn`: unset → persistent embedded PostgreSQL under `.tollgate/`; `memory` → throwaway; else postgres://… */
  dsn: string | undefined;
  /** `secrets.system`: first entry signs and encrypts; all entries verify and decrypt (rotation). */
  secretsSystem: string[];
  /** `urls.self.issuer`: the `iss` of every token, verbatim. */
  issuer: string;
  /** `urls.self.public`: base URL of the public port, used in discovery. */
  publicUrl: string;
  serve: {
    public: { host: string; port: number };
    admin: { host: string; port: number };
    /**
     * `serve.trusted_proxies` (Tollgate): peers whose X-Forwarded-For is believed (addresses or CIDR ranges),
     * for the per-address lockout and rate limit (http/source-address.ts). Empty: the TCP peer counts.
     */
    trustedProxies: string[];
  };
  /** `ttl.access_token` in milliseconds (Go duration in the file, default 1h). */
  accessTokenTtlMs: number;
  strategies: {
    /** `strategies.access_token`: opaque (default) or jwt; a client's `access_token_strategy` overrides it. */
    accessToken: AccessTokenStrategyName;
    /** `strategies.scope`: wildcard (default) or exact. */
    scope: 'wildcard' | 'exact';
    /**
     * `strategies.jwt.scope_claim`: list (`scp`), string (`scope`) or both (default). Hydra defaults to list; both
     * adds RFC 9068 §2.2.3's `scope`, which resource-server libraries check, and keeps `scp` for Hydra's clients.
     */
    jwtScopeClaim: 'list' | 'string' | 'both';
    /** `strategies.jwt.stateless` (Tollgate): JWT access tokens get no row (oauth2/stateless.ts). */
    jwtStateless: boolean;
  };
  /** `janitor.*` (Tollgate): background removal of expired tokens; interval 0 turns it off. */
  janitor: { intervalMs: number; batchSize: number };
  /** `oauth2.hashers.pbkdf2.iterations`: default 600,000 (OWASP; Hydra's is 25,000), at least 1,000. */
  pbkdf2Iterations: number;
  /** `webfinger.jwks.broadcast_keys`: key sets published at /.well-known/jwks.json. */
  broadcastKeys: string[];
  /** `log.level`: trace, debug, info, warn, error, fatal. */
  logLevel: string;
  /** `log.format`: json or text; unset → text on a terminal under `--dev`, else json (server/logger.ts). */
  logFormat: 'json' | 'text' | undefined;
  /** Production protections: admin authentication, server timeouts, rate limits and lockout (docs/operations.md). */
  protection: ProtectionConfig;
  /** The browser flows: authorization code, login and consent, refresh tokens, OpenID Connect (Hydra's driver/config). */
  flows: FlowsConfig;
  /** `serve.public.cors.*`: CORS on the public port (Hydra's x/oauth2cors); never on the admin port. */
  cors: CorsConfig;
  /** `oauth2.token_hook`, `oauth2.refresh_token_hook` and `oauth2.hook_timeout` (docs/token-hooks.md). */
  tokenHooks: TokenHooksConfig;
  /**
   * `oidc.subject_identifiers.supported_types` (public, pairwise; default [public]) and `….pairwise.salt` (at
   * least 8 characters when pairwise is listed; server/oidc/pairwise.ts).
   */
  subjectIdentifiers: { supportedTypes: string[]; salt: string };
  /** `oidc.dynamic_client_registration.*`: RFC 7591/7592 at /oauth2/register (docs/dynamic-registration.md). */
  dynamicRegistration: DynamicRegistrationConfig;
  /**
   * `clients.http.*`: outbound requests to URLs clients register (jwks_uri, sector_identifier_uri, back-channel
   * logout; server/net/safe-fetch.ts). Tollgate refuses private addresses by default (Hydra allows them).
   */
  clientsHttp: { disallowPrivateIpRanges: boolean; privateIpExceptionUrls: string[] };
  /**
   * `oauth2.grant.jwt.*`: the RFC 7523 jwt-bearer grant's assertion checks (Hydra's names and defaults): whether
   * `jti` and `iat` may be left out, and the longest lifetime (`exp` − `iat`) an assertion may claim.
   */
  jwtBearer: { jtiOptional: boolean; iatOptional: boolean; maxTtlMs: number };
  /** `--dev`: allows an http issuer and generates a system secret when none is set. */
  dev: boolean;
  /**
   * Keys of the config file this server does not read (Hydra settings for features Tollgate lacks, or typos).
   * A hydra.yml must load unchanged, so they are reported at startup rather than refused.
   */
  ignoredKeys: string[];
}

export interface FlowsConfig {
  /** `urls.*`: the deployment's login, consent and error pages (defaults: `<public>/oauth2/fallbacks/…`). */
  urls: {
    login: string;
    consent: string;
    error: string;
    registration: string;
    logout: string;
    postLogoutRedirect: string;
  };
  /** `urls.self.admin`: the admin API's base URL (the built-in dev UI calls it); unset → the listening port. */
  adminUrl: string | undefined;
  /** True when urls.login and urls.consent were left unset: with --dev, the built-in UI serves them. */
  builtInUi: boolean;
  /** True when urls.logout was left unset: with --dev, the built-in logout page serves it. */
  builtInLogoutUi: boolean;
  ttl: {
    loginConsentRequestMs: number;
    authenticationSessionMs: number;
    /** null: `ttl.refresh_token` -1, refresh tokens never expire. */
    refreshTokenMs: number | null;
    idTokenMs: number;
    authCodeMs: number;
  };
  pkce: { enforced: boolean; enforcedForPublicClients: boolean };
  /** `oauth2.grant.refresh_token.rotation_grace_*` (docs/refresh-tokens.md explains Tollgate's defaults). */
  refreshRotation: { gracePeriodMs: number; reuseCount: number };
  /** `oauth2.authorization.state_min_length` (Tollgate): Hydra requires 8; 0 makes `state` optional. */
  stateMinLength: number;
  exposeInternalErrors: boolean;
  allowedTopLevelClaims: string[];
  mirrorTopLevelClaims: boolean;
  cookies: {
    sameSiteMode: 'Strict' | 'Lax' | 'None';
    sameSiteLegacyWorkaround: boolean;
    domain: string;
    /** `serve.cookies.secure`: only read with --dev; otherwise cookies are always Secure (Hydra). */
    secure: boolean;
    names: { loginCsrf: string; consentCsrf: string; session: string; deviceCsrf: string };
    paths: { session: string };
  };
  /** `secrets.cookie`: signs the flow cookies; empty → secrets.system. */
  secretsCookie: string[];
  discovery: { supportedClaims: string[]; supportedScope: string[] };
  /** `dev.users` (Tollgate): who may sign in to the built-in dev UI. */
  devUsers: DevUser[];
  /** The device authorization grant (RFC 8628; docs/device-flow.md). */
  device: DeviceConfig;
}

export interface DeviceConfig {
  /** `urls.device.verification`, `urls.device.success` (defaults: `<public>/oauth2/fallbacks/device[/done]`). */
  urls: { verification: string; success: string };
  /** True when urls.device.verification was left unset: with --dev, the built-in page serves it. */
  builtInUi: boolean;
  /** `ttl.device_user_code` (10m). */
  userCodeTtlMs: number;
  /** `oauth2.device_authorization.token_polling_interval` in whole seconds (5s). */
  pollingIntervalSeconds: number;
  /** `oauth2.device_authorization.user_code.*`: Hydra's presets, or length + character_set. */
  userCode: { preset: 'base20' | 'high' | 'medium' | 'low'; length?: number; characterSet?: string };
  /** `rate_limit.device_user_code.*` (Tollgate): wrong user codes per device challenge, and per minute. */
  guessing: { perChallenge: number; perMinute: number };
}

export interface TokenHooksConfig {
  /** `oauth2.token_hook`: called for every grant; null when unset. */
  tokenHook: HookTarget | null;
  /** `oauth2.refresh_token_hook`: called first, for refresh_token only. */
  refreshTokenHook: HookTarget | null;
  /** `oauth2.hook_timeout` (Tollgate): how long one hook call may take, reply included (default 5s). */
  timeoutMs: number;
}

export interface DevUser {
  email: string;
  password: string;
  /** Extra ID token claims (the UI adds email, email_verified and name when granted). */
  claims?: Record<string, unknown>;
}

export interface CorsConfig {
  enabled: boolean;
  /** Globs (`*`, `https://*.example.com`); empty → every origin (rs/cors). */
  allowedOrigins: string[];
  allowedMethods: string[];
  allowedHeaders: string[];
  exposedHeaders: string[];
  allowCredentials: boolean;
  maxAgeSeconds: number;
  debug: boolean;
}

export interface DynamicRegistrationConfig {
  /** `oidc.dynamic_client_registration.enabled`: off by default, as in Hydra (open registration when on). */
  enabled: boolean;
  /**
   * `oidc.dynamic_client_registration.default_scope`, joined with spaces: the scope of every client created
   * without one (admin API too, as in Hydra).
   */
  defaultScope: string;
  /** `webfinger.oidc_discovery.client_registration_url`: discovery's registration_endpoint, when set. */
  discoveryUrl: string | undefined;
  /**
   * `rate_limit.registration.*` (Tollgate): per source address, client registrations and failed registration
   * access token checks allowed in `windowMs`; 0 turns either off, and so does `rate_limit.enabled: false`.
   */
  rateLimit: { perAddress: number; failedPerAddress: number; windowMs: number };
}

export interface BucketConfig {
  /** Requests per second refilled; 0 turns this limit off. */
  rate: number;
  /** Requests allowed at once (the bucket's size). */
  burst: number;
}

export interface ProtectionConfig {
  /** `serve.admin.auth.tokens`: bearer tokens the admin API accepts; empty = no authentication (Hydra). */
  adminTokens: string[];
  /** `serve.timeouts.{headers,request,idle}` in ms: bounds against slow or idle clients. */
  timeouts: { headersMs: number; requestMs: number; idleMs: number };
  rateLimit: {
    /** `rate_limit.enabled`: the off switch for every limit below, lockout included. */
    enabled: boolean;
    perClient: BucketConfig;
    perAddress: BucketConfig;
    /**
     * Failed client authentication per (client id, address): slow down, then refuse the pair for
     * `durationMs`; at most `capacity` pairs are tracked (docs/lockout.md).
     */
    lockout: { threshold: number; durationMs: number; delayMs: number; capacity: number };
  };
}

export class ConfigError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(`invalid configuration: ${key}: ${message}`);
  }
}

/** Every key this server reads, with its type. Also the list of recognised environment variables. */
const KEYS = {
  dsn: 'string',
  'secrets.system': 'list',
  'urls.self.issuer': 'string',
  'urls.self.public': 'string',
  'serve.public.host': 'string',
  'serve.public.port': 'int',
  'serve.admin.host': 'string',
  'serve.admin.port': 'int',
  'serve.trusted_proxies': 'list',
  'ttl.access_token': 'duration',
  'strategies.access_token': 'string',
  'strategies.scope': 'string',
  'strategies.jwt.scope_claim': 'string',
  'strategies.jwt.stateless': 'bool',
  'janitor.interval': 'duration',
  'janitor.batch_size': 'int',
  'oauth2.hashers.algorithm': 'string',
  'oauth2.hashers.pbkdf2.iterations': 'int',
  'webfinger.jwks.broadcast_keys': 'list',
  'log.level': 'string',
  'log.format': 'string',
  'serve.admin.auth.tokens': 'list',
  'serve.timeouts.headers': 'duration',
  'serve.timeouts.request': 'duration',
  'serve.timeouts.idle': 'duration',
  'rate_limit.enabled': 'string',
  'rate_limit.per_client.rate': 'int',
  'rate_limit.per_client.burst': 'int',
  'rate_limit.per_address.rate': 'int',
  'rate_limit.per_address.burst': 'int',
  'rate_limit.lockout.threshold': 'int',
  'rate_limit.lockout.duration': 'duration',
  'rate_limit.lockout.delay': 'duration',
  'rate_limit.lockout.capacity': 'int',
  'rate_limit.registration.per_address': 'int',
  'rate_limit.registration.failed_per_address': 'int',
  'rate_limit.registration.window': 'duration',
  'oidc.dynamic_client_registration.enabled': 'bool',
  'oidc.dynamic_client_registration.default_scope': 'list',
  'webfinger.oidc_discovery.client_registration_url': 'string',
  'urls.self.admin': 'string',
  'urls.login': 'string',
  'urls.consent': 'string',
  'urls.error': 'string',
  'urls.registration': 'string',
  'urls.logout': 'string',
  'urls.post_logout_redirect': 'string',
  'ttl.login_consent_request': 'duration',
  'ttl.authentication_session': 'duration',
  'ttl.refresh_token': 'duration',
  'ttl.id_token': 'duration',
  'ttl.auth_code': 'duration',
  'oauth2.pkce.enforced': 'bool',
  'oauth2.pkce.enforced_for_public_clients': 'bool',
  'oauth2.grant.refresh_token.rotation_grace_period': 'duration',
  'oauth2.grant.refresh_token.rotation_grace_reuse_count': 'int',
  'oauth2.authorization.state_min_length': 'int',
  'oauth2.expose_internal_errors': 'bool',
  'oauth2.allowed_top_level_claims': 'list',
  'oauth2.mirror_top_level_claims': 'bool',
  'serve.cookies.same_site_mode': 'string',
  'serve.cookies.same_site_legacy_workaround': 'bool',
  'serve.cookies.domain': 'string',
  'serve.cookies.secure': 'bool',
  'serve.cookies.names.login_csrf': 'string',
  'serve.cookies.names.consent_csrf': 'string',
  'serve.cookies.names.session': 'string',
  'serve.cookies.paths.session': 'string',
  'secrets.cookie': 'list',
  'serve.public.cors.enabled': 'bool',
  'serve.public.cors.allowed_origins': 'list',
  'serve.public.cors.allowed_methods': 'list',
  'serve.public.cors.allowed_headers': 'list',
  'serve.public.cors.exposed_headers': 'list',
  'serve.public.cors.allow_credentials': 'bool',
  'serve.public.cors.max_age': 'int',
  'serve.public.cors.debug': 'bool',
  'webfinger.oidc_discovery.supported_claims': 'list',
  'webfinger.oidc_discovery.supported_scope': 'list',
  'dev.users': 'json',
  // Hydra's hook keys: a URL, or an object whose members are keys of their own (env OAUTH2_TOKEN_HOOK_URL, …).
  'oauth2.token_hook': 'string',
  'oauth2.token_hook.url': 'string',
  'oauth2.token_hook.auth.type': 'string',
  'oauth2.token_hook.auth.config.in': 'string',
  'oauth2.token_hook.auth.config.name': 'string',
  'oauth2.token_hook.auth.config.value': 'string',
  'oauth2.refresh_token_hook': 'string',
  'oauth2.refresh_token_hook.url': 'string',
  'oauth2.refresh_token_hook.auth.type': 'string',
  'oauth2.refresh_token_hook.auth.config.in': 'string',
  'oauth2.refresh_token_hook.auth.config.name': 'string',
  'oauth2.refresh_token_hook.auth.config.value': 'string',
  'oauth2.hook_timeout': 'duration',
  'oidc.subject_identifiers.supported_types': 'list',
  'oidc.subject_identifiers.pairwise.salt': 'string',
  'urls.device.verification': 'string',
  'urls.device.success': 'string',
  'ttl.device_user_code': 'duration',
  'oauth2.device_authorization.token_polling_interval': 'duration',
  'oauth2.device_authorization.user_code.entropy_preset': 'string',
  'oauth2.device_authorization.user_code.length': 'int',
  'oauth2.device_authorization.user_code.character_set': 'string',
  'serve.cookies.names.device_csrf': 'string',
  'rate_limit.device_user_code.per_challenge': 'int',
  'rate_limit.device_user_code.per_minute': 'int',
  'clients.http.disallow_private_ip_ranges': 'bool',
  'clients.http.private_ip_exception_urls': 'list',
  'oauth2.grant.jwt.jti_optional': 'bool',
  'oauth2.grant.jwt.iat_optional': 'bool',
  'oauth2.grant.jwt.max_ttl': 'duration',
} as const;
type Key = keyof typeof KEYS;
type Raw = Partial<Record<Key, unknown>>;

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  configFile?: string;
  dev?: boolean;
  /** Extra values that win over everything (tests). */
  overrides?: Raw;
}

export function loadConfig(options: LoadOptions = {}): Config {
  const env = options.env ?? process.env;
  const raw: Raw = {};
  const ignoredKeys: string[] = [];
  if (options.configFile) Object.assign(raw, readConfigFile(options.configFile, ignoredKeys));
  for (const key of Object.keys(KEYS) as Key[]) {
    const value = env[envName(key)];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  Object.assign(raw, options.overrides);
  return { ...validate(raw, options.dev ?? false), ignoredKeys };
}

function readConfigFile(file: string, ignored: string[]): Raw {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError('--config', `cannot read ${file}: ${(err as Error).message}`);
  }
  const out: Raw = {};
  const walk = (node: unknown, prefix: string) => {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) {
      if (prefix in KEYS) out[prefix as Key] = node;
      else ignored.push(prefix);
      return;
    }
    for (const [k, v] of Object.entries(node)) {
      const key = prefix ? `${prefix}.${k}` : k;
      // A nested object whose path is itself a key would be a type error; report it as such below.
      if (key in KEYS && (v === null || typeof v !== 'object' || Array.isArray(v))) out[key as Key] = v;
      else walk(v, key);
    }
  };
  walk(doc ?? {}, '');
  return out;
}

function str(raw: Raw, key: Key, fallback: string): string {
  const v = raw[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'string' && typeof v !== 'number') throw new ConfigError(key, 'must be a string');
  return String(v);
}

function int(raw: Raw, key: Key, fallback: number, min: number, max: number): number {
  const v = raw[key];
  if (v === undefined || v === null) return fallback;
  const n = typeof v === 'number' ? v : /^\d+$/.test(String(v)) ? Number(v) : Number.NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(key, `must be an integer between ${min} and ${max}, got ${JSON.stringify(v)}`);
  }
  return n;
}

function list(raw: Raw, key: Key, fallback: string[]): string[] {
  const v = raw[key];
  if (v === undefined || v === null) return fallback;
  if (Array.isArray(v)) return v.map(String);
  const s = String(v).trim();
  // Hydra accepts a JSON array or a comma-separated list in the environment.
  if (s.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(s);
      if (Array.isArray(parsed)) return parsed.map(String);
    } catch {
      throw new ConfigError(key, 'is not a valid JSON array');
    }
  }
  return s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
}

function bool(raw: Raw, key: Key, fallback: boolean): boolean {
  const v = raw[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v === 'boolean') return v;
  const s = String(v).toLowerCase();
  if (s === 'true' || s === '1') return true;
  if (s === 'false' || s === '0') return false;
  throw new ConfigError(key, `must be true or false, got ${JSON.stringify(v)}`);
}

function durationMs(raw: Raw, key: Key, fallback: string): number {
  const v = str(raw, key, fallback);
  try {
    const ms = parseDurationMs(v);
    if (ms >= 0) return ms;
  } catch {}
  throw new ConfigError(
    key,
    `must be a duration such as 10m or 1h (0 turns it off), got ${JSON.stringify(v)}`,
  );
}

function positiveDuration(raw: Raw, key: Key, fallback: string): number {
  const ms = durationMs(raw, key, fallback);
  if (ms <= 0) throw new ConfigError(key, 'must be positive');
  return ms;
}

function oneOf<T extends string>(raw: Raw, key: Key, allowed: readonly T[], fallback: T): T {
  const v = str(raw, key, fallback).toLowerCase();
  if (!allowed.includes(v as T)) {
    throw new ConfigError(key, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
  }
  return v as T;
}

function validate(raw: Raw, dev: boolean): Omit<Config, 'ignoredKeys'> {
  const publicPort = int(raw, 'serve.public.port', DEFAULT_PORTS.public, 0, 65535);
  const adminPort = int(raw, 'serve.admin.port', DEFAULT_PORTS.admin, 0, 65535);
  const publicHost = str(raw, 'serve.public.host', '');
  const adminHost = str(raw, 'serve.admin.host', '');

  const scheme = dev ? 'http' : 'https';
  const issuer = str(raw, 'urls.self.issuer', `${scheme}://${publicHost || 'localhost'}:${publicPort}/`);
  checkUrl('urls.self.issuer', issuer, dev);
  const publicUrl = str(raw, 'urls.self.public', issuer);
  checkUrl('urls.self.public', publicUrl, dev);

  const secretsSystem = list(raw, 'secrets.system', []);
  for (const [i, s] of secretsSystem.entries()) {
    // Hydra requires at least 16 characters per system secret (config schema).
    if (s.length < 16)
      throw new ConfigError('secrets.system', `entry ${i} must be at least 16 characters long`);
  }
  if (secretsSystem.length === 0 && !dev) {
    throw new ConfigError(
      'secrets.system',
      'is required (set SECRETS_SYSTEM); only --dev generates one (see README, differences from Hydra)',
    );
  }

  let accessTokenTtlMs: number;
  const ttl = str(raw, 'ttl.access_token', '1h');
  try {
    accessTokenTtlMs = parseDurationMs(ttl);
  } catch {
    throw new ConfigError(
      'ttl.access_token',
      `must be a duration such as 1h or 30m, got ${JSON.stringify(ttl)}`,
    );
  }
  if (accessTokenTtlMs <= 0) throw new ConfigError('ttl.access_token', 'must be positive');

  const algorithm = str(raw, 'oauth2.hashers.algorithm', 'pbkdf2');
  if (algorithm !== 'pbkdf2') {
    throw new ConfigError(
      'oauth2.hashers.algorithm',
      `only pbkdf2 is supported, got ${JSON.stringify(algorithm)}`,
    );
  }

  const dsn = raw.dsn === undefined || raw.dsn === null || raw.dsn === '' ? undefined : str(raw, 'dsn', '');
  if (dsn !== undefined && dsn !== 'memory' && !/^postgres(ql)?:\/\//.test(dsn)) {
    throw new ConfigError(
      'dsn',
      'must be unset, "memory" or a postgres:// URL (PostgreSQL is the only database)',
    );
  }

  return {
    dsn,
    secretsSystem,
    issuer,
    publicUrl,
    serve: {
      public: { host: publicHost, port: publicPort },
      admin: { host: adminHost, port: adminPort },
      trustedProxies: trustedProxies(raw),
    },
    accessTokenTtlMs,
    strategies: {
      accessToken: oneOf(raw, 'strategies.access_token', ['opaque', 'jwt'] as const, 'opaque'),
      // Hydra falls back to exact for unknown values; we refuse them so a typo cannot silently change behaviour.
      scope: oneOf(raw, 'strategies.scope', ['wildcard', 'exact'] as const, 'wildcard'),
      jwtScopeClaim: oneOf(raw, 'strategies.jwt.scope_claim', ['list', 'string', 'both'] as const, 'both'),
      jwtStateless: bool(raw, 'strategies.jwt.stateless', false),
    },
    janitor: {
      intervalMs: durationMs(raw, 'janitor.interval', '10m'),
      batchSize: int(raw, 'janitor.batch_size', 1000, 1, 100_000),
    },
    pbkdf2Iterations: int(
      raw,
      'oauth2.hashers.pbkdf2.iterations',
      DEFAULT_ITERATIONS,
      MIN_ITERATIONS,
      MAX_ITERATIONS,
    ),
    broadcastKeys: list(raw, 'webfinger.jwks.broadcast_keys', ['hydra.openid.id-token']),
    logLevel: logLevel(raw),
    logFormat: logFormat(raw),
    protection: protection(raw),
    flows: flows(raw, publicUrl, dev),
    cors: cors(raw),
    tokenHooks: {
      tokenHook: hookTarget(raw, 'oauth2.token_hook'),
      refreshTokenHook: hookTarget(raw, 'oauth2.refresh_token_hook'),
      timeoutMs: positiveMs(raw, 'oauth2.hook_timeout', '5s'),
    },
    dynamicRegistration: dynamicRegistration(raw),
    clientsHttp: clientsHttp(raw),
    subjectIdentifiers: subjectIdentifiers(raw),
    jwtBearer: jwtBearer(raw),
    dev,
  };
}

function subjectIdentifiers(raw: Raw): Config['subjectIdentifiers'] {
  const key = 'oidc.subject_identifiers.supported_types';
  const supportedTypes = list(raw, key, ['public']);
  for (const type of supportedTypes) {
    if (type !== 'public' && type !== 'pairwise') {
      throw new ConfigError(key, `must list public and/or pairwise, got ${JSON.stringify(type)}`);
    }
  }
  const salt = str(raw, 'oidc.subject_identifiers.pairwise.salt', '');
  // Hydra stops at startup too (driver/config/provider.go SubjectTypesSupported).
  if (supportedTypes.includes('pairwise') && salt.length < 8) {
    throw new ConfigError(
      'oidc.subject_identifiers.pairwise.salt',
      `must be at least 8 characters long when pairwise is in ${key} (got ${salt.length}); set OIDC_SUBJECT_IDENTIFIERS_PAIRWISE_SALT to a random string`,
    );
  }
  return { supportedTypes, salt };
}

function positiveMs(raw: Raw, key: Key, fallback: string): number {
  const ms = durationMs(raw, key, fallback);
  if (ms <= 0) throw new ConfigError(key, 'must be positive');
  return ms;
}

/**
 * A hook key (Hydra's HookConfig): the URL itself, a JSON object in that key (an environment variable), or the
 * object's members as keys of their own. Only `api_key` auth exists, in a header or a cookie.
 */
function hookTarget(raw: Raw, key: 'oauth2.token_hook' | 'oauth2.refresh_token_hook'): HookTarget | null {
  const sub = (name: string) => raw[`${key}.${name}` as Key];
  let doc: Record<string, unknown> = {
    url: sub('url'),
    auth:
      sub('auth.type') === undefined
        ? undefined
        : {
            type: sub('auth.type'),
            config: {
              in: sub('auth.config.in'),
              name: sub('auth.config.name'),
              value: sub('auth.config.value'),
            },
          },
  };
  const given = raw[key];
  const whole = typeof given === 'object' && given !== null ? '' : str(raw, key, '').trim();
  if (typeof given === 'object' && given !== null && !Array.isArray(given)) {
    doc = given as Record<string, unknown>;
  } else if (whole.startsWith('{')) {
    try {
      doc = JSON.parse(whole) as Record<string, unknown>;
    } catch {
      throw new ConfigError(key, 'is neither a URL nor a JSON object {url, auth}');
    }
  } else if (whole !== '') {
    doc = { url: whole };
  }
  if (doc.url === undefined || doc.url === null || doc.url === '') {
    if (doc.auth !== undefined) throw new ConfigError(`${key}.url`, 'is required when auth is set');
    return null;
  }
  const url = String(doc.url);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(key, `must be an absolute http(s) URL, got ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new ConfigError(key, `must be an http(s) URL, got ${JSON.stringify(url)}`);
  }
  if (doc.auth === undefined || doc.auth === null) return { url };
  const auth = doc.auth as { type?: unknown; config?: Record<string, unknown> };
  if (auth.type !== 'api_key') {
    throw new ConfigError(`${key}.auth.type`, `must be api_key, got ${JSON.stringify(auth.type)}`);
  }
  const config = auth.config ?? {};
  if (config.in !== 'header' && config.in !== 'cookie') {
    throw new ConfigError(
      `${key}.auth.config.in`,
      `must be header or cookie, got ${JSON.stringify(config.in)}`,
    );
  }
  const name = typeof config.name === 'string' ? config.name : '';
  // An HTTP token (RFC 9110 §5.6.2): a header or cookie name.
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
    throw new ConfigError(`${key}.auth.config.name`, 'must be a header or cookie name');
  }
  const value = config.value === undefined || config.value === null ? '' : String(config.value);
  // The value is a credential: never echoed in the message.
  if (/[\r\n\0]/.test(value) || (config.in === 'cookie' && /[;,\s"]/.test(value))) {
    throw new ConfigError(`${key}.auth.config.value`, `is not a valid ${config.in} value`);
  }
  return { url, auth: { type: 'api_key', config: { in: config.in, name, value } } };
}

function dynamicRegistration(raw: Raw): DynamicRegistrationConfig {
  const discoveryUrl = raw['webfinger.oidc_discovery.client_registration_url']
    ? str(raw, 'webfinger.oidc_discovery.client_registration_url', '')
    : undefined;
  if (discoveryUrl !== undefined)
    checkUrl('webfinger.oidc_discovery.client_registration_url', discoveryUrl, true);
  return {
    enabled: bool(raw, 'oidc.dynamic_client_registration.enabled', false),
    defaultScope: list(raw, 'oidc.dynamic_client_registration.default_scope', [
      'offline_access',
      'offline',
      'openid',
    ]).join(' '),
    discoveryUrl,
    rateLimit: {
      perAddress: int(raw, 'rate_limit.registration.per_address', 20, 0, 1_000_000),
      failedPerAddress: int(raw, 'rate_limit.registration.failed_per_address', 10, 0, 1_000_000),
      windowMs: positiveDuration(raw, 'rate_limit.registration.window', '1h'),
    },
  };
}

function clientsHttp(raw: Raw): Config['clientsHttp'] {
  const privateIpExceptionUrls = list(raw, 'clients.http.private_ip_exception_urls', []);
  for (const url of privateIpExceptionUrls) checkUrl('clients.http.private_ip_exception_urls', url, true);
  return {
    disallowPrivateIpRanges: bool(raw, 'clients.http.disallow_private_ip_ranges', true),
    privateIpExceptionUrls,
  };
}

function jwtBearer(raw: Raw): Config['jwtBearer'] {
  const maxTtlMs = durationMs(raw, 'oauth2.grant.jwt.max_ttl', '720h');
  if (maxTtlMs <= 0) throw new ConfigError('oauth2.grant.jwt.max_ttl', 'must be positive');
  return {
    jtiOptional: bool(raw, 'oauth2.grant.jwt.jti_optional', false),
    iatOptional: bool(raw, 'oauth2.grant.jwt.iat_optional', false),
    maxTtlMs,
  };
}

const MAX_SESSION_MS = 180 * 24 * 3600_000;

function flows(raw: Raw, publicUrl: string, dev: boolean): FlowsConfig {
  const fallback = (path: string) => endpointUrl(publicUrl, `oauth2/fallbacks/${path}`);
  const url = (key: Key, path: string) => {
    const value = str(raw, key, fallback(path));
    checkUrl(key, value, true);
    return value;
  };
  const login = url('urls.login', 'login');
  const adminUrl = raw['urls.self.admin'] ? str(raw, 'urls.self.admin', '') : undefined;
  if (adminUrl !== undefined) checkUrl('urls.self.admin', adminUrl, true);
  const refresh = str(raw, 'ttl.refresh_token', '720h');
  const positive = (key: Key, fallbackValue: string) => {
    const ms = durationMs(raw, key, fallbackValue);
    if (ms <= 0) throw new ConfigError(key, 'must be positive');
    return ms;
  };
  const grace = durationMs(raw, 'oauth2.grant.refresh_token.rotation_grace_period', '60s');
  const reuseCount = int(raw, 'oauth2.grant.refresh_token.rotation_grace_reuse_count', 3, 0, 1_000_000);
  // Hydra caps the grace period at 5m unless a reuse count bounds it (then 180d).
  if (grace > (reuseCount > 0 ? MAX_SESSION_MS : 5 * 60_000)) {
    throw new ConfigError(
      'oauth2.grant.refresh_token.rotation_grace_period',
      'must be at most 5m, or 180d when rotation_grace_reuse_count is set',
    );
  }
  const sameSite = str(raw, 'serve.cookies.same_site_mode', 'None').toLowerCase();
  const sameSiteMode = ({ strict: 'Strict', lax: 'Lax', none: 'None' } as const)[
    sameSite as 'strict' | 'lax' | 'none'
  ];
  if (!sameSiteMode) {
    throw new ConfigError('serve.cookies.same_site_mode', 'must be one of Strict, Lax, None');
  }
  return {
    urls: {
      login,
      consent: url('urls.consent', 'consent'),
      error: url('urls.error', 'error'),
      registration: raw['urls.registration'] ? url('urls.registration', 'login') : login,
      logout: url('urls.logout', 'logout'),
      postLogoutRedirect: url('urls.post_logout_redirect', 'logout/callback'),
    },
    adminUrl,
    builtInUi: !raw['urls.login'] && !raw['urls.consent'],
    builtInLogoutUi: !raw['urls.logout'],
    ttl: {
      loginConsentRequestMs: positive('ttl.login_consent_request', '30m'),
      // Hydra caps remembered login sessions at 180 days.
      authenticationSessionMs: Math.min(positive('ttl.authentication_session', '720h'), MAX_SESSION_MS),
      refreshTokenMs: refresh.trim() === '-1' ? null : positive('ttl.refresh_token', '720h'),
      idTokenMs: positive('ttl.id_token', '1h'),
      authCodeMs: positive('ttl.auth_code', '10m'),
    },
    pkce: {
      enforced: bool(raw, 'oauth2.pkce.enforced', false),
      enforcedForPublicClients: bool(raw, 'oauth2.pkce.enforced_for_public_clients', false),
    },
    refreshRotation: { gracePeriodMs: grace, reuseCount },
    stateMinLength: int(raw, 'oauth2.authorization.state_min_length', 8, 0, 64),
    exposeInternalErrors: bool(raw, 'oauth2.expose_internal_errors', false),
    allowedTopLevelClaims: list(raw, 'oauth2.allowed_top_level_claims', []),
    mirrorTopLevelClaims: bool(raw, 'oauth2.mirror_top_level_claims', true),
    cookies: {
      sameSiteMode,
      sameSiteLegacyWorkaround: bool(raw, 'serve.cookies.same_site_legacy_workaround', false),
      domain: str(raw, 'serve.cookies.domain', ''),
      secure: dev && bool(raw, 'serve.cookies.secure', false) ? true : !dev,
      names: {
        loginCsrf: cookieName(raw, 'serve.cookies.names.login_csrf', 'ory_hydra_login_csrf'),
        consentCsrf: cookieName(raw, 'serve.cookies.names.consent_csrf', 'ory_hydra_consent_csrf'),
        session: cookieName(raw, 'serve.cookies.names.session', 'ory_hydra_session'),
        deviceCsrf: cookieName(raw, 'serve.cookies.names.device_csrf', 'ory_hydra_device_csrf'),
      },
      paths: { session: str(raw, 'serve.cookies.paths.session', '/') },
    },
    secretsCookie: list(raw, 'secrets.cookie', []),
    discovery: {
      supportedClaims: list(raw, 'webfinger.oidc_discovery.supported_claims', []),
      supportedScope: list(raw, 'webfinger.oidc_discovery.supported_scope', []),
    },
    devUsers: devUsers(raw),
    device: device(raw, url, positive),
  };
}

function device(
  raw: Raw,
  url: (key: Key, path: string) => string,
  positive: (key: Key, fallback: string) => number,
): DeviceConfig {
  const interval = positive('oauth2.device_authorization.token_polling_interval', '5s');
  const preset = oneOf(
    raw,
    'oauth2.device_authorization.user_code.entropy_preset',
    ['base20', 'high', 'medium', 'low'] as const,
    'base20',
  );
  const length = raw['oauth2.device_authorization.user_code.length'];
  const characterSet = raw['oauth2.device_authorization.user_code.character_set'];
  // Hydra's schema: length and character_set together (length ≥ 6, at least 8 characters), or a preset.
  if ((length === undefined) !== (characterSet === undefined)) {
    throw new ConfigError(
      'oauth2.device_authorization.user_code',
      'length and character_set are set together, or neither (then entropy_preset applies)',
    );
  }
  const userCode: DeviceConfig['userCode'] = { preset };
  if (length !== undefined) {
    userCode.length = int(raw, 'oauth2.device_authorization.user_code.length', 8, 6, 64);
    userCode.characterSet = str(raw, 'oauth2.device_authorization.user_code.character_set', '');
    if (new Set(userCode.characterSet).size < 8) {
      throw new ConfigError(
        'oauth2.device_authorization.user_code.character_set',
        'must hold at least 8 distinct characters',
      );
    }
  }
  return {
    urls: {
      verification: url('urls.device.verification', 'device'),
      success: url('urls.device.success', 'device/done'),
    },
    builtInUi: !raw['urls.device.verification'],
    userCodeTtlMs: positive('ttl.device_user_code', '10m'),
    // RFC 8628 §3.2: the interval is whole seconds, at least 1.
    pollingIntervalSeconds: Math.max(1, Math.round(interval / 1000)),
    userCode,
    guessing: {
      perChallenge: int(raw, 'rate_limit.device_user_code.per_challenge', 5, 1, 1000),
      perMinute: int(raw, 'rate_limit.device_user_code.per_minute', 60, 1, 1_000_000),
    },
  };
}

function cookieName(raw: Raw, key: Key, fallback: string): string {
  const name = str(raw, key, fallback);
  // RFC 6265 §4.1.1: a cookie name is an HTTP token.
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/.test(name)) {
    throw new ConfigError(key, "must be a cookie name: letters, digits and !#$%&'*+.^_`|~- (at most 64)");
  }
  return name;
}

const DEFAULT_DEV_USERS: DevUser[] = [{ email: 'foo@bar.com', password: 'foobar' }];

function devUsers(raw: Raw): DevUser[] {
  let v = raw['dev.users'];
  if (v === undefined || v === null || v === '') return DEFAULT_DEV_USERS;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      throw new ConfigError('dev.users', 'must be a JSON array of {"email", "password", "claims"?}');
    }
  }
  if (!Array.isArray(v) || v.length === 0 || v.length > 100) {
    throw new ConfigError('dev.users', 'must be a list of 1 to 100 {email, password, claims?} entries');
  }
  return v.map((entry, i) => {
    const e = entry as Partial<DevUser> | null;
    if (!e || typeof e.email !== 'string' || !e.email || typeof e.password !== 'string') {
      throw new ConfigError('dev.users', `entry ${i} needs a non-empty email and a password`);
    }
    const claims = e.claims;
    if (claims !== undefined && (claims === null || typeof claims !== 'object' || Array.isArray(claims))) {
      throw new ConfigError('dev.users', `entry ${i}: claims must be an object`);
    }
    return { email: e.email, password: e.password, ...(claims ? { claims } : {}) };
  });
}

function cors(raw: Raw): CorsConfig {
  return {
    enabled: bool(raw, 'serve.public.cors.enabled', false),
    allowedOrigins: list(raw, 'serve.public.cors.allowed_origins', []),
    allowedMethods: list(raw, 'serve.public.cors.allowed_methods', ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']),
    allowedHeaders: list(raw, 'serve.public.cors.allowed_headers', [
      'Accept',
      'Content-Type',
      'Content-Length',
      'Accept-Language',
      'Content-Language',
      'Authorization',
      'X-CSRF-TOKEN',
    ]),
    exposedHeaders: list(raw, 'serve.public.cors.exposed_headers', [
      'Cache-Control',
      'Expires',
      'Last-Modified',
      'Pragma',
      'Content-Length',
      'Content-Language',
      'Content-Type',
    ]),
    allowCredentials: bool(raw, 'serve.public.cors.allow_credentials', true),
    maxAgeSeconds: int(raw, 'serve.public.cors.max_age', 0, 0, 86_400),
    debug: bool(raw, 'serve.public.cors.debug', false),
  };
}

function bucket(raw: Raw, prefix: 'rate_limit.per_client' | 'rate_limit.per_address'): BucketConfig {
  const rate = int(raw, `${prefix}.rate`, 0, 0, 1_000_000);
  return { rate, burst: int(raw, `${prefix}.burst`, rate * 2, 1, 10_000_000) };
}

/**
 * Defaults: admin authentication off (Hydra compatibility; a warning at startup when the admin port is
 * reachable beyond loopback); the request-rate buckets off, because no rate suits every deployment and any
 * default low enough to matter would throttle a legitimate busy client (a single client may legitimately
 * request tokens at a high, sustained rate); the failed-authentication lockout on, as it never touches a
 * client that presents its secret.
 */
function protection(raw: Raw): ProtectionConfig {
  const adminTokens = list(raw, 'serve.admin.auth.tokens', []);
  for (const [i, t] of adminTokens.entries()) {
    if (t.length < 16)
      throw new ConfigError('serve.admin.auth.tokens', `entry ${i} must be at least 16 characters long`);
  }
  return {
    adminTokens,
    timeouts: {
      headersMs: durationMs(raw, 'serve.timeouts.headers', '10s'),
      requestMs: durationMs(raw, 'serve.timeouts.request', '30s'),
      idleMs: durationMs(raw, 'serve.timeouts.idle', '5s'),
    },
    rateLimit: {
      enabled: bool(raw, 'rate_limit.enabled', true),
      perClient: bucket(raw, 'rate_limit.per_client'),
      perAddress: bucket(raw, 'rate_limit.per_address'),
      lockout: {
        threshold: int(raw, 'rate_limit.lockout.threshold', 10, 1, 1_000_000),
        durationMs: durationMs(raw, 'rate_limit.lockout.duration', '1m'),
        delayMs: durationMs(raw, 'rate_limit.lockout.delay', '100ms'),
        capacity: int(raw, 'rate_limit.lockout.capacity', 100_000, 1, 10_000_000),
      },
    },
  };
}

/** Addresses or CIDR ranges, read by source-address.ts `trustedProxyList`. */
function trustedProxies(raw: Raw): string[] {
  const entries = list(raw, 'serve.trusted_proxies', []);
  try {
    trustedProxyList(entries);
  } catch (err) {
    if (err instanceof TrustedProxyError) throw new ConfigError('serve.trusted_proxies', err.message);
    throw err;
  }
  return entries;
}

/** Hydra's (logrus) level names, plus pino's spellings and `silent`. */
const LOG_LEVELS: Record<string, string> = {
  trace: 'trace',
  debug: 'debug',
  info: 'info',
  warning: 'warn',
  warn: 'warn',
  error: 'error',
  fatal: 'fatal',
  panic: 'fatal',
  silent: 'silent',
};

function logLevel(raw: Raw): string {
  const level = LOG_LEVELS[str(raw, 'log.level', 'info').toLowerCase()];
  if (!level) throw new ConfigError('log.level', `must be one of ${Object.keys(LOG_LEVELS).join(', ')}`);
  return level;
}

/** Hydra's `json_pretty` is written as `json`: one entry per line is what a log pipeline reads. */
function logFormat(raw: Raw): 'json' | 'text' | undefined {
  if (raw['log.format'] === undefined || raw['log.format'] === null) return undefined;
  const format = oneOf(raw, 'log.format', ['json', 'text', 'json_pretty'] as const, 'json');
  return format === 'json_pretty' ? 'json' : format;
}

function checkUrl(key: string, value: string, dev: boolean) {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(key, `must be an absolute URL, got ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'https:' && !(dev && url.protocol === 'http:')) {
    throw new ConfigError(key, 'must use https (http is allowed with --dev, as in Hydra)');
  }
}
