// User codes of the device flow (RFC 8628 §6.1) and the device flow's configuration keys (Hydra's names and
// environment variables, Tollgate's default preset).
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../server/config.js';
import { createUserCodes } from '../../server/flows/device-user-code.js';

const SECRET = 'sixteen-chars-at-least';

describe('device flow user codes', () => {
  it('defaults to 8 consonants shown as XXXX-XXXX, compared without case, dashes or spaces', () => {
    const codes = createUserCodes();
    expect(codes.space).to.equal(20 ** 8);
    const code = codes.generate();
    expect(code).to.match(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    const typed = ` ${code.toLowerCase().replace('-', ' ')} `;
    expect(codes.normalise(typed)).to.equal(code.replace('-', ''));
    expect(codes.normalise(code)).to.equal(code.replace('-', ''));
  });

  it("keeps Hydra's presets: high is case-sensitive, medium is A–Z, low is 9 digits", () => {
    const high = createUserCodes({ preset: 'high' });
    const code = high.generate();
    expect(code).to.match(/^[abcdefghijkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY34679]{8}$/);
    expect(high.normalise('aBcD-eFgH')).to.equal('aBcDeFgH');
    expect(createUserCodes({ preset: 'medium' }).generate()).to.match(/^[A-Z]{4}-[A-Z]{4}$/);
    expect(createUserCodes({ preset: 'low' }).generate()).to.match(/^\d{9}$/);
  });

  it('draws every character of the set, and nothing else', () => {
    const codes = createUserCodes({ length: 6, characterSet: 'abcdefgh' });
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) for (const c of codes.generate().replace('-', '')) seen.add(c);
    expect([...seen].sort().join('')).to.equal('abcdefgh');
    expect(codes.normalise('AB-CD EF')).to.equal('abcdef');
  });
});

describe('device flow configuration', () => {
  it('reads Hydra keys and environment variables, with Tollgate defaults', () => {
    const defaults = loadConfig({ env: { SECRETS_SYSTEM: SECRET } }).flows.device;
    expect(defaults).to.deep.include({
      userCodeTtlMs: 600_000,
      pollingIntervalSeconds: 5,
      userCode: { preset: 'base20' },
      guessing: { perChallenge: 5, perMinute: 60 },
      builtInUi: true,
    });
    expect(defaults.urls.verification).to.match(/\/oauth2\/fallbacks\/device$/);
    expect(defaults.urls.success).to.match(/\/oauth2\/fallbacks\/device\/done$/);
    const set = loadConfig({
      env: {
        SECRETS_SYSTEM: SECRET,
        URLS_DEVICE_VERIFICATION: 'https://app.example.com/device',
        URLS_DEVICE_SUCCESS: 'https://app.example.com/device/done',
        TTL_DEVICE_USER_CODE: '15m',
        OAUTH2_DEVICE_AUTHORIZATION_TOKEN_POLLING_INTERVAL: '10s',
        OAUTH2_DEVICE_AUTHORIZATION_USER_CODE_ENTROPY_PRESET: 'high',
        SERVE_COOKIES_NAMES_DEVICE_CSRF: 'device_csrf',
        RATE_LIMIT_DEVICE_USER_CODE_PER_CHALLENGE: '3',
        RATE_LIMIT_DEVICE_USER_CODE_PER_MINUTE: '600',
      },
    });
    expect(set.flows.device).to.deep.equal({
      urls: {
        verification: 'https://app.example.com/device',
        success: 'https://app.example.com/device/done',
      },
      builtInUi: false,
      userCodeTtlMs: 900_000,
      pollingIntervalSeconds: 10,
      userCode: { preset: 'high' },
      guessing: { perChallenge: 3, perMinute: 600 },
    });
    expect(set.flows.cookies.names.deviceCsrf).to.equal('device_csrf');
  });

  it('takes length and character_set together from a file, and refuses one without the other', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tollgate-device-'));
    const file = join(dir, 'hydra.yml');
    await writeFile(
      file,
      'oauth2:\n  device_authorization:\n    user_code:\n      length: 10\n      character_set: ABCDEFGHJK\n',
    );
    const config = loadConfig({ configFile: file, env: { SECRETS_SYSTEM: SECRET } });
    expect(config.flows.device.userCode).to.deep.equal({
      preset: 'base20',
      length: 10,
      characterSet: 'ABCDEFGHJK',
    });
    expect(() =>
      loadConfig({ env: { SECRETS_SYSTEM: SECRET, OAUTH2_DEVICE_AUTHORIZATION_USER_CODE_LENGTH: '8' } }),
    ).to.throw(ConfigError, /length and character_set are set together/);
    expect(() =>
      loadConfig({
        env: { SECRETS_SYSTEM: SECRET, OAUTH2_DEVICE_AUTHORIZATION_USER_CODE_ENTROPY_PRESET: 'extreme' },
      }),
    ).to.throw(ConfigError, /must be one of base20, high, medium, low/);
  });
});
