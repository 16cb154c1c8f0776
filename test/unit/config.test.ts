import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../server/config.js';

const SECRET = 'sixteen-chars-at-least';

describe('configuration (Hydra keys, environment, --config file)', () => {
  it('has Hydra defaults', () => {
    const config = loadConfig({ env: { SECRETS_SYSTEM: SECRET } });
    expect(config.serve.public.port).to.equal(4444);
    expect(config.serve.admin.port).to.equal(4445);
    expect(config.accessTokenTtlMs).to.equal(3_600_000);
    expect(config.strategies).to.deep.equal({
      accessToken: 'opaque',
      scope: 'wildcard',
      jwtScopeClaim: 'both',
      jwtStateless: false,
    });
    expect(config.janitor).to.deep.equal({ intervalMs: 600_000, batchSize: 1000 });
    // OWASP's figure for PBKDF2-SHA256; Hydra's default is 25,000.
    expect(config.pbkdf2Iterations).to.equal(600_000);
    expect(config.dsn).to.equal(undefined);
  });

  it('reads upper-snake environment variables', () => {
    const config = loadConfig({
      env: {
        SECRETS_SYSTEM: `${SECRET}-new,${SECRET}-old`,
        URLS_SELF_ISSUER: 'https://auth.example.com/',
        SERVE_PUBLIC_PORT: '8444',
        SERVE_ADMIN_HOST: '127.0.0.1',
        TTL_ACCESS_TOKEN: '90m',
        STRATEGIES_ACCESS_TOKEN: 'jwt',
        STRATEGIES_SCOPE: 'exact',
        STRATEGIES_JWT_SCOPE_CLAIM: 'list',
        OAUTH2_HASHERS_PBKDF2_ITERATIONS: '1000',
        LOG_LEVEL: 'warn',
        DSN: 'postgres://u:p@db:5432/x?sslmode=disable&max_conns=20',
      },
    });
    expect(config.secretsSystem).to.deep.equal([`${SECRET}-new`, `${SECRET}-old`]);
    expect(config.issuer).to.equal('https://auth.example.com/');
    expect(config.serve.public.port).to.equal(8444);
    expect(config.serve.admin.host).to.equal('127.0.0.1');
    expect(config.accessTokenTtlMs).to.equal(90 * 60_000);
    expect(config.strategies.accessToken).to.equal('jwt');
    expect(config.strategies.scope).to.equal('exact');
    expect(config.strategies.jwtScopeClaim).to.equal('list');
    expect(config.pbkdf2Iterations).to.equal(1000);
    expect(config.logLevel).to.equal('warn');
  });

  it('reads a YAML file with nested keys, and the environment wins over it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tollgate-config-'));
    const file = join(dir, 'tollgate.yaml');
    await writeFile(
      file,
      `secrets:\n  system:\n    - ${SECRET}\nttl:\n  access_token: 5m\nserve:\n  public:\n    port: 9000\n`,
    );
    const config = loadConfig({ configFile: file, env: { SERVE_PUBLIC_PORT: '9001' } });
    expect(config.secretsSystem).to.deep.equal([SECRET]);
    expect(config.accessTokenTtlMs).to.equal(300_000);
    expect(config.serve.public.port).to.equal(9001);
  });

  const invalid: [string, Record<string, string>, string][] = [
    ['secrets.system', {}, 'is required'],
    ['secrets.system', { SECRETS_SYSTEM: 'short' }, 'at least 16'],
    ['serve.public.port', { SERVE_PUBLIC_PORT: 'eighty' }, 'integer'],
    ['ttl.access_token', { TTL_ACCESS_TOKEN: 'forever' }, 'duration'],
    ['strategies.access_token', { STRATEGIES_ACCESS_TOKEN: 'magic' }, 'opaque, jwt'],
    ['strategies.scope', { STRATEGIES_SCOPE: 'hierarchic' }, 'wildcard, exact'],
    ['strategies.jwt.scope_claim', { STRATEGIES_JWT_SCOPE_CLAIM: 'array' }, 'list, string, both'],
    ['urls.self.issuer', { URLS_SELF_ISSUER: 'http://auth.example.com/' }, 'https'],
    ['dsn', { DSN: 'mysql://root@db/x' }, 'postgres'],
  ];
  for (const [key, env, message] of invalid) {
    it(`stops with a message naming ${key} when it is invalid (${JSON.stringify(env)})`, () => {
      const secret = 'SECRETS_SYSTEM' in env || key === 'secrets.system' ? {} : { SECRETS_SYSTEM: SECRET };
      expect(() => loadConfig({ env: { ...secret, ...env } }))
        .to.throw(ConfigError, key)
        .with.property('message')
        .that.includes(message);
    });
  }

  it("loads Hydra's quickstart hydra.yml, listing the keys it does not use", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tollgate-config-'));
    const file = join(dir, 'hydra.yml');
    await writeFile(
      file,
      [
        'serve:',
        '  cookies:',
        '    same_site_mode: Lax',
        'urls:',
        '  self:',
        '    issuer: http://127.0.0.1:4444',
        '  consent: http://127.0.0.1:3000/consent',
        '  login: http://127.0.0.1:3000/login',
        'secrets:',
        '  system:',
        '    - youReallyNeedToChangeThis',
        'oidc:',
        '  subject_identifiers:',
        '    supported_types: [pairwise, public]',
        '    pairwise:',
        '      salt: youReallyNeedToChangeThis',
        'serve.public.prot: 1',
      ].join('\n'),
    );
    const config = loadConfig({ configFile: file, env: {}, dev: true });
    expect(config.issuer).to.equal('http://127.0.0.1:4444');
    expect(config.secretsSystem).to.deep.equal(['youReallyNeedToChangeThis']);
    // The browser flows read urls.login, urls.consent and the cookie settings now.
    expect(config.flows.urls.login).to.equal('http://127.0.0.1:3000/login');
    expect(config.flows.cookies.sameSiteMode).to.equal('Lax');
    // Pairwise subjects read oidc.subject_identifiers now; only the unknown key is ignored.
    expect(config.ignoredKeys).to.deep.equal(['serve.public.prot']);
  });

  it("takes Hydra's log level names", () => {
    expect(loadConfig({ env: { SECRETS_SYSTEM: SECRET, LOG_LEVEL: 'warning' } }).logLevel).to.equal('warn');
    expect(loadConfig({ env: { SECRETS_SYSTEM: SECRET, LOG_LEVEL: 'panic' } }).logLevel).to.equal('fatal');
    expect(() => loadConfig({ env: { SECRETS_SYSTEM: SECRET, LOG_LEVEL: 'loud' } })).to.throw(
      ConfigError,
      'log.level',
    );
  });

  it("reads Hydra's log.format (LOG_FORMAT or the file), leaving it unset for the start-up to choose", async () => {
    const env = { SECRETS_SYSTEM: SECRET };
    expect(loadConfig({ env }).logFormat).to.equal(undefined);
    expect(loadConfig({ env: { ...env, LOG_FORMAT: 'text' } }).logFormat).to.equal('text');
    expect(loadConfig({ env: { ...env, LOG_FORMAT: 'JSON' } }).logFormat).to.equal('json');
    // Hydra's json_pretty: still one JSON object per line.
    expect(loadConfig({ env: { ...env, LOG_FORMAT: 'json_pretty' } }).logFormat).to.equal('json');
    const dir = await mkdtemp(join(tmpdir(), 'tollgate-config-'));
    const file = join(dir, 'hydra.yml');
    await writeFile(file, 'log:\n  level: debug\n  format: text\n');
    const fromFile = loadConfig({ configFile: file, env });
    expect([fromFile.logLevel, fromFile.logFormat, fromFile.ignoredKeys]).to.deep.equal([
      'debug',
      'text',
      [],
    ]);
    expect(() => loadConfig({ env: { ...env, LOG_FORMAT: 'gelf' } }))
      .to.throw(ConfigError, 'log.format')
      .with.property('message')
      .that.includes('json, text');
  });

  it('allows http issuers and a missing secret with --dev', () => {
    const config = loadConfig({ env: { URLS_SELF_ISSUER: 'http://127.0.0.1:4444/' }, dev: true });
    expect(config.issuer).to.equal('http://127.0.0.1:4444/');
    expect(config.secretsSystem).to.deep.equal([]);
  });

  it('reads the protection settings with their defaults, from the environment and from a file', async () => {
    const defaults = loadConfig({ env: { SECRETS_SYSTEM: SECRET } }).protection;
    expect(defaults).to.deep.equal({
      adminTokens: [],
      timeouts: { headersMs: 10_000, requestMs: 30_000, idleMs: 5_000 },
      rateLimit: {
        enabled: true,
        perClient: { rate: 0, burst: 0 },
        perAddress: { rate: 0, burst: 0 },
        lockout: { threshold: 10, durationMs: 60_000, delayMs: 100, capacity: 100_000 },
      },
    });
    const env = loadConfig({
      env: {
        SECRETS_SYSTEM: SECRET,
        RATE_LIMIT_ENABLED: 'false',
        RATE_LIMIT_PER_CLIENT_RATE: '10',
        RATE_LIMIT_PER_ADDRESS_RATE: '100',
        RATE_LIMIT_PER_ADDRESS_BURST: '150',
        RATE_LIMIT_LOCKOUT_DURATION: '5m',
        SERVE_TIMEOUTS_HEADERS: '2s',
        SERVE_ADMIN_AUTH_TOKENS: 'first-admin-token-000,second-admin-token-00',
      },
    }).protection;
    expect(env.rateLimit.enabled).to.equal(false);
    expect(env.rateLimit.perClient).to.deep.equal({ rate: 10, burst: 20 });
    expect(env.rateLimit.perAddress).to.deep.equal({ rate: 100, burst: 150 });
    expect(env.rateLimit.lockout.durationMs).to.equal(300_000);
    expect(env.timeouts.headersMs).to.equal(2_000);
    expect(env.adminTokens).to.deep.equal(['first-admin-token-000', 'second-admin-token-00']);

    const file = join(await mkdtemp(join(tmpdir(), 'tollgate-config-')), 'protection.yml');
    await writeFile(
      file,
      [
        'serve:',
        '  admin:',
        '    auth:',
        '      tokens: [a-file-admin-token-0000]',
        'rate_limit:',
        '  per_client:',
        '    rate: 5',
      ].join('\n'),
    );
    const fromFile = loadConfig({ configFile: file, env: { SECRETS_SYSTEM: SECRET } });
    expect(fromFile.ignoredKeys).to.deep.equal([]);
    expect(fromFile.protection.adminTokens).to.deep.equal(['a-file-admin-token-0000']);
    expect(fromFile.protection.rateLimit.perClient.rate).to.equal(5);
    for (const [key, value] of [
      ['RATE_LIMIT_ENABLED', 'maybe'],
      ['RATE_LIMIT_PER_CLIENT_RATE', '-1'],
      ['SERVE_TIMEOUTS_IDLE', 'soon'],
    ] as const) {
      expect(() => loadConfig({ env: { SECRETS_SYSTEM: SECRET, [key]: value } }), key).to.throw(ConfigError);
    }
  });

  it('reads serve.trusted_proxies (addresses and CIDR ranges; none by default) and the lockout capacity', () => {
    const defaults = loadConfig({ env: { SECRETS_SYSTEM: SECRET } });
    expect(defaults.serve.trustedProxies).to.deep.equal([]);
    const config = loadConfig({
      env: {
        SECRETS_SYSTEM: SECRET,
        SERVE_TRUSTED_PROXIES: '10.0.0.0/8, 127.0.0.1,fd00::/8,::1',
        RATE_LIMIT_LOCKOUT_CAPACITY: '500',
      },
    });
    expect(config.serve.trustedProxies).to.deep.equal(['10.0.0.0/8', '127.0.0.1', 'fd00::/8', '::1']);
    expect(config.protection.rateLimit.lockout.capacity).to.equal(500);
    for (const bad of ['proxy.internal', '10.0.0.0/33', '::1/129', '10.0.0.1/8/8', '10.0.0.0/x']) {
      expect(() => loadConfig({ env: { SECRETS_SYSTEM: SECRET, SERVE_TRUSTED_PROXIES: bad } }), bad).to.throw(
        ConfigError,
        'serve.trusted_proxies',
      );
    }
    expect(() => loadConfig({ env: { SECRETS_SYSTEM: SECRET, RATE_LIMIT_LOCKOUT_CAPACITY: '0' } })).to.throw(
      ConfigError,
    );
  });
  it('names the bad serve.trusted_proxies entry by its index', () => {
    expect(() =>
      loadConfig({ env: { SECRETS_SYSTEM: SECRET, SERVE_TRUSTED_PROXIES: '10.0.0.1,10.0.0.0/33' } }),
    ).to.throw(
      ConfigError,
      'invalid configuration: serve.trusted_proxies: entry 1 must be an IP address or a CIDR range, got "10.0.0.0/33"',
    );
  });

  it("reads the browser flows' keys with Hydra's defaults (and Tollgate's refresh grace and state length)", async () => {
    const config = loadConfig({
      env: { SECRETS_SYSTEM: SECRET, URLS_SELF_ISSUER: 'https://auth.example.com/' },
    });
    expect(config.flows.urls).to.deep.equal({
      login: 'https://auth.example.com/oauth2/fallbacks/login',
      consent: 'https://auth.example.com/oauth2/fallbacks/consent',
      error: 'https://auth.example.com/oauth2/fallbacks/error',
      registration: 'https://auth.example.com/oauth2/fallbacks/login',
      logout: 'https://auth.example.com/oauth2/fallbacks/logout',
      postLogoutRedirect: 'https://auth.example.com/oauth2/fallbacks/logout/callback',
    });
    expect(config.flows.builtInUi).to.equal(true);
    expect(config.flows.ttl).to.deep.equal({
      loginConsentRequestMs: 30 * 60_000,
      authenticationSessionMs: 720 * 3_600_000,
      refreshTokenMs: 720 * 3_600_000,
      idTokenMs: 3_600_000,
      authCodeMs: 10 * 60_000,
    });
    expect(config.flows.refreshRotation).to.deep.equal({ gracePeriodMs: 60_000, reuseCount: 3 });
    expect(config.flows.stateMinLength).to.equal(8);
    expect(config.flows.cookies).to.deep.include({ sameSiteMode: 'None', secure: true, domain: '' });
    expect(config.flows.cookies.names).to.deep.equal({
      loginCsrf: 'ory_hydra_login_csrf',
      consentCsrf: 'ory_hydra_consent_csrf',
      session: 'ory_hydra_session',
      deviceCsrf: 'ory_hydra_device_csrf',
    });
    expect(config.flows.devUsers).to.deep.equal([{ email: 'foo@bar.com', password: 'foobar' }]);
    expect(config.cors.enabled).to.equal(false);

    const dir = await mkdtemp(join(tmpdir(), 'tollgate-config-'));
    const file = join(dir, 'hydra.yml');
    await writeFile(
      file,
      [
        'urls:',
        '  login: https://app.example.com/login',
        '  consent: https://app.example.com/consent',
        'ttl:',
        '  refresh_token: -1',
        'oauth2:',
        '  authorization:',
        '    state_min_length: 0',
        '  grant:',
        '    refresh_token:',
        '      rotation_grace_period: 0s',
        'serve:',
        '  cookies:',
        '    same_site_mode: Lax',
        '  public:',
        '    cors:',
        '      enabled: true',
        '      allowed_origins: ["https://spa.example.com"]',
        'dev:',
        '  users:',
        '    - email: ada@example.com',
        '      password: lovelace',
        '      claims: { name: Ada }',
      ].join('\n'),
    );
    const custom = loadConfig({ configFile: file, env: { SECRETS_SYSTEM: SECRET } });
    expect(custom.ignoredKeys).to.deep.equal([]);
    expect(custom.flows.urls.login).to.equal('https://app.example.com/login');
    expect(custom.flows.urls.registration).to.equal('https://app.example.com/login');
    expect(custom.flows.builtInUi).to.equal(false);
    expect(custom.flows.ttl.refreshTokenMs).to.equal(null);
    expect(custom.flows.stateMinLength).to.equal(0);
    expect(custom.flows.refreshRotation.gracePeriodMs).to.equal(0);
    expect(custom.flows.cookies.sameSiteMode).to.equal('Lax');
    expect(custom.cors).to.deep.include({ enabled: true, allowedOrigins: ['https://spa.example.com'] });
    expect(custom.flows.devUsers).to.deep.equal([
      { email: 'ada@example.com', password: 'lovelace', claims: { name: 'Ada' } },
    ]);

    // Cookies are Secure outside --dev whatever serve.cookies.secure says (Hydra).
    const dev = loadConfig({ dev: true, env: {} });
    expect(dev.flows.cookies.secure).to.equal(false);
    expect(loadConfig({ dev: true, env: { SERVE_COOKIES_SECURE: 'true' } }).flows.cookies.secure).to.equal(
      true,
    );
    expect(
      loadConfig({ env: { SECRETS_SYSTEM: SECRET, SERVE_COOKIES_SECURE: 'false' } }).flows.cookies.secure,
    ).to.equal(true);
  });

  it('refuses bad browser-flow settings, naming the key', () => {
    const bad: Record<string, string>[] = [
      {
        OAUTH2_GRANT_REFRESH_TOKEN_ROTATION_GRACE_PERIOD: '10m',
        OAUTH2_GRANT_REFRESH_TOKEN_ROTATION_GRACE_REUSE_COUNT: '0',
      },
      { OAUTH2_AUTHORIZATION_STATE_MIN_LENGTH: '65' },
      { SERVE_COOKIES_SAME_SITE_MODE: 'sometimes' },
      { SERVE_COOKIES_NAMES_SESSION: 'a b' },
      { DEV_USERS: '[{"email":""}]' },
      { DEV_USERS: 'not json' },
      { URLS_LOGIN: 'not a url' },
      { TTL_AUTH_CODE: '0s' },
    ];
    for (const env of bad) {
      expect(() => loadConfig({ env: { SECRETS_SYSTEM: SECRET, ...env } }), JSON.stringify(env)).to.throw(
        ConfigError,
        Object.keys(env)[0] === 'DEV_USERS' ? 'dev.users' : '',
      );
    }
  });
});
