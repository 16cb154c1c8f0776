import { expect } from 'chai';
import {
  createFlowCookies,
  diagnoseCsrf,
  type FlowCookieOptions,
  MAX_FLOWS_PER_CSRF_COOKIE,
} from '../../server/flows/cookies.js';

const NOW = new Date('2026-12-06T00:00:00Z');

function options(overrides: Partial<FlowCookieOptions> = {}): FlowCookieOptions {
  return {
    dev: false,
    issuerUrl: 'https://auth.example.com/',
    sameSiteMode: 'None',
    sameSiteLegacyWorkaround: false,
    secure: false,
    names: {
      loginCsrf: 'ory_hydra_login_csrf',
      consentCsrf: 'ory_hydra_consent_csrf',
      session: 'ory_hydra_session',
    },
    paths: { session: '/' },
    csrfMaxAgeSeconds: 1800,
    secrets: ['a-cookie-secret-of-32-characters'],
    ...overrides,
  };
}

/** Set-Cookie values into a Cookie jar, as a browser keeps them. */
function jarOf(setCookies: string[], jar: Record<string, string> = {}): Record<string, string> {
  for (const c of setCookies) {
    const [pair] = c.split(';');
    const eq = pair!.indexOf('=');
    const name = pair!.slice(0, eq);
    if (/Max-Age=0(;|$)/.test(c)) delete jar[name];
    else jar[name] = pair!.slice(eq + 1);
  }
  return jar;
}

describe('flow cookies', () => {
  it("uses Hydra's names: the client's murmur3 suffix, and _dev before it in --dev", () => {
    const prod = createFlowCookies(options());
    expect(prod.csrfName('login', 'my-client')).to.equal('ory_hydra_login_csrf_3709465940');
    expect(prod.csrfName('consent', 'my-client')).to.equal('ory_hydra_consent_csrf_3709465940');
    expect(prod.sessionName).to.equal('ory_hydra_session');
    const dev = createFlowCookies(options({ dev: true }));
    expect(dev.csrfName('login', 'my-client')).to.equal('ory_hydra_login_csrf_dev_3709465940');
    expect(dev.sessionName).to.equal('ory_hydra_session_dev');
  });

  it('writes Secure and SameSite=None for an https issuer outside --dev', () => {
    const cookies = createFlowCookies(options({ domain: 'example.com' }));
    const [set] = cookies.addCsrf('login', 'my-client', 'flow-1', 'c'.repeat(32), {}, NOW);
    expect(set).to.match(/^ory_hydra_login_csrf_3709465940=[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+; /);
    expect(set).to.contain(
      '; Path=/; Domain=example.com; Max-Age=1800; Expires=Sun, 06 Dec 2026 00:30:00 GMT; HttpOnly; Secure; SameSite=None',
    );
  });

  it('downgrades SameSite=None to Lax for an http issuer, and keeps Secure outside --dev', () => {
    const cookies = createFlowCookies(options({ issuerUrl: 'http://127.0.0.1:4444/' }));
    expect(cookies.sameSite).to.equal('Lax');
    const [set] = cookies.setSession('sid-1', 3600, NOW);
    expect(set).to.match(/; Path=\/; Max-Age=3600; Expires=[^;]+; HttpOnly; Secure; SameSite=Lax$/);
  });

  it('applies serve.cookies.secure only in --dev, and the session path', () => {
    const off = createFlowCookies(
      options({ dev: true, issuerUrl: 'http://127.0.0.1:4444/', paths: { session: '/a' } }),
    );
    const [set] = off.setSession('sid-1', 60, NOW);
    expect(set).to.match(
      /^ory_hydra_session_dev=[^;]+; Path=\/a; Max-Age=60; Expires=[^;]+; HttpOnly; SameSite=Lax$/,
    );
    const on = createFlowCookies(options({ dev: true, secure: true }));
    expect(on.setSession('sid-1', 60, NOW)[0]).to.contain('; HttpOnly; Secure; SameSite=None');
  });

  it('clears the session cookie with Max-Age=0', () => {
    const [cleared] = createFlowCookies(options()).clearSession();
    expect(cleared).to.equal(
      'ory_hydra_session=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=None',
    );
  });

  it('writes a <name>_legacy copy without SameSite with the legacy workaround, and reads it back', () => {
    const cookies = createFlowCookies(options({ sameSiteLegacyWorkaround: true }));
    const set = cookies.setSession('sid-1', 60, NOW);
    expect(set).to.have.length(2);
    expect(set[1]).to.match(
      /^ory_hydra_session_legacy=[^;]+; Path=\/; Max-Age=60; Expires=[^;]+; HttpOnly; Secure$/,
    );
    const legacyOnly = { ory_hydra_session_legacy: jarOf(set).ory_hydra_session! };
    expect(cookies.readSession(legacyOnly)).to.equal('sid-1');
  });

  it('signs values: a tampered value, a value moved to another name, or a retired secret do not read', () => {
    const cookies = createFlowCookies(options());
    const jar = jarOf(cookies.setSession('sid-1', 60, NOW));
    expect(cookies.readSession(jar)).to.equal('sid-1');
    const [payload, mac] = jar.ory_hydra_session!.split('.');
    const forged = Buffer.from(JSON.stringify({ sid: 'someone-else' })).toString('base64url');
    expect(cookies.readSession({ ory_hydra_session: `${forged}.${mac}` })).to.equal(null);
    expect(cookies.readSession({ ory_hydra_session: `${payload}` })).to.equal(null);

    // The CSRF cookie of one client is not accepted as another's (the name is signed).
    const set = cookies.addCsrf('login', 'client-a', 'flow-1', 'x'.repeat(32), {}, NOW);
    const value = jarOf(set)[cookies.csrfName('login', 'client-a')]!;
    expect(
      cookies.checkCsrf('login', 'client-b', 'flow-1', 'x'.repeat(32), {
        [cookies.csrfName('login', 'client-b')]: value,
      }),
    ).to.equal('undecodable');

    const rotated = createFlowCookies(
      options({ secrets: ['the-new-cookie-secret-32-chars!!', ...options().secrets] }),
    );
    expect(rotated.readSession(jar)).to.equal('sid-1');
    const retired = createFlowCookies(options({ secrets: ['the-new-cookie-secret-32-chars!!'] }));
    expect(retired.readSession(jar)).to.equal(null);
  });

  it(`remembers the ${MAX_FLOWS_PER_CSRF_COOKIE} newest flows of a client, so parallel tabs do not break each other`, () => {
    const cookies = createFlowCookies(options());
    const jar: Record<string, string> = {};
    for (let i = 1; i <= 5; i++)
      jarOf(cookies.addCsrf('login', 'c', `flow-${i}`, `csrf-${i}`, jar, NOW), jar);
    expect(Object.keys(jar)).to.deep.equal([cookies.csrfName('login', 'c')]);
    for (let i = 2; i <= 5; i++)
      expect(cookies.checkCsrf('login', 'c', `flow-${i}`, `csrf-${i}`, jar)).to.equal('ok');
    expect(cookies.checkCsrf('login', 'c', 'flow-1', 'csrf-1', jar)).to.equal('other_flows');
    expect(cookies.checkCsrf('login', 'c', 'flow-5', 'csrf-4', jar)).to.equal('mismatch');
    expect(cookies.checkCsrf('login', 'c', 'flow-5', 'csrf-5', {})).to.equal('missing');
    expect(cookies.checkCsrf('consent', 'c', 'flow-5', 'csrf-5', jar)).to.equal('missing');
  });

  describe('the CSRF diagnosis', () => {
    const base = {
      cookieName: 'ory_hydra_login_csrf_3709465940',
      issuerUrl: 'http://127.0.0.1:4444/',
      secure: false,
      sameSite: 'Lax' as const,
      maxAgeSeconds: 1800,
    };

    it('names a localhost / 127.0.0.1 mix-up between the request and the issuer', () => {
      const text = diagnoseCsrf({
        ...base,
        check: 'missing',
        headers: { host: 'localhost:4444' },
        cookies: {},
      });
      expect(text).to.contain("This request reached host 'localhost' but the issuer is '127.0.0.1'");
      // Cookies ignore ports: another port of the same host is no cause.
      expect(
        diagnoseCsrf({ ...base, check: 'missing', headers: { host: '127.0.0.1:5000' }, cookies: { x: '1' } }),
      ).to.not.contain('This request reached host');
      expect(text).to.contain('start the authorization at http://127.0.0.1:4444/oauth2/auth');
    });

    it('names SameSite=None without Secure, which browsers refuse', () => {
      const text = diagnoseCsrf({
        ...base,
        issuerUrl: 'https://127.0.0.1:4444/',
        sameSite: 'None',
        check: 'missing',
        headers: { host: '127.0.0.1:4444' },
        cookies: { other: '1' },
      });
      expect(text).to.equal(
        'The cookies are sent with SameSite=None but without Secure, which browsers refuse: serve the issuer over https or set serve.cookies.same_site_mode to Lax.',
      );
    });

    it('names blocked cookies when the browser sent none at all', () => {
      const text = diagnoseCsrf({
        ...base,
        check: 'missing',
        headers: { host: '127.0.0.1:4444' },
        cookies: {},
      });
      expect(text).to.match(/^The browser sent no cookies at all: cookies may be blocked/);
    });

    it('names newer flows of the same client (more tabs than the cookie keeps)', () => {
      const text = diagnoseCsrf({ ...base, check: 'other_flows', headers: {}, cookies: { x: '1' } });
      expect(text).to.contain(
        'only holds newer authorization requests of this client: more than 4 were started',
      );
    });

    it('names Secure cookies over a plain-http issuer that is not localhost, and Strict on a cross-site return', () => {
      const text = diagnoseCsrf({
        ...base,
        issuerUrl: 'http://auth.internal:4444/',
        secure: true,
        sameSite: 'Strict',
        check: 'missing',
        headers: { host: 'auth.internal:4444', 'sec-fetch-site': 'cross-site' },
        cookies: { x: '1' },
      });
      expect(text).to.contain('The cookies are marked Secure but the issuer uses http');
      expect(text).to.contain('The cookies use SameSite=Strict and this request came from another site');
    });
  });
});
