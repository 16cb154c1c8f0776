// The dev UI's pages as HTML: every value from a client or a request is escaped, every field has its label,
// errors are announced, nothing scripts the page, and the colours meet WCAG's contrast minimum.
import { expect } from 'chai';
import { checkCsrf, csrfToken } from '../../server/dev-ui/csrf.js';
import { consentPage, loginPage, messagePage } from '../../server/dev-ui/pages.js';
import { html, PAGE_HEADERS, PALETTE } from '../../server/dev-ui/render.js';
import { authenticate, DEFAULT_DEV_USERS, idTokenClaims } from '../../server/dev-ui/users.js';

const EVIL = `"><script>alert(1)</script><img src=x onerror=alert(2) '`;

const login = (over: Partial<Parameters<typeof loginPage>[0]> = {}) =>
  loginPage({
    challenge: 'c1',
    csrf: 't1',
    client: { client_id: 'app', client_name: 'My App' },
    email: '',
    remember: false,
    ...over,
  });
const consent = (over: Partial<Parameters<typeof consentPage>[0]> = {}) =>
  consentPage({
    challenge: 'c2',
    csrf: 't2',
    client: {
      client_id: 'app',
      client_name: 'My App',
      logo_uri: 'https://app.example/logo.png',
      policy_uri: 'https://app.example/privacy',
      tos_uri: 'https://app.example/terms',
    },
    subject: 'foo@bar.com',
    requestedScope: ['openid', 'email', 'offline_access'],
    requestedAudience: [],
    ...over,
  });

/** The `<label for>` of each `id`d input, as the accessibility tree pairs them. */
function labels(doc: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of doc.matchAll(/<label for="([^"]+)">([^<]*)<\/label>/g)) out[m[1]!] = m[2]!;
  return out;
}
function inputIds(doc: string): string[] {
  return [...doc.matchAll(/<input (?![^>]*type="hidden")[^>]*id="([^"]+)"/g)].map((m) => m[1]!);
}

describe('dev UI pages', () => {
  describe('escaping', () => {
    it('html`` escapes values (server/html.ts) but not nested fragments', () => {
      expect(html`<p>${'<b>'}${html`<i>${'&'}</i>`}${['<', html`<br>`]}</p>`.value).to.equal(
        '<p>&lt;b&gt;<i>&amp;</i>&lt;<br></p>',
      );
    });

    it('escapes the client name, login hint, challenge and error on the login page', () => {
      const doc = login({
        challenge: EVIL,
        email: EVIL,
        error: EVIL,
        client: { client_name: EVIL },
      });
      expect(doc).not.to.include('<script');
      expect(doc).not.to.include('<img src=x');
      expect(doc).to.include('&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    });

    it('escapes the scopes, audiences, subject and client on the consent page', () => {
      const doc = consent({
        subject: EVIL,
        requestedScope: [EVIL],
        requestedAudience: [EVIL],
        client: { client_name: EVIL, logo_uri: `https://x.example/${EVIL}` },
      });
      expect(doc).not.to.include('<script');
      expect(doc).not.to.include('<img src=x');
    });

    it('links only http(s) URLs and shows data: images only as images', () => {
      const doc = consent({
        client: {
          client_name: 'X',
          logo_uri: 'javascript:alert(1)',
          policy_uri: 'javascript:alert(2)',
          tos_uri: 'data:text/html,<script>alert(3)</script>',
          client_uri: 'vbscript:x',
        },
      });
      expect(doc).not.to.match(/javascript:|vbscript:|data:text/);
      expect(doc).not.to.include('<img');
      const png = consent({ client: { client_name: 'X', logo_uri: 'data:image/png;base64,iVBORw0KGgo=' } });
      expect(png).to.include('<img src="data:image/png;base64,iVBORw0KGgo=" alt="X logo">');
    });
  });

  describe('the login page', () => {
    it('labels every field, names the buttons, declares its language and posts back with the CSRF token', () => {
      const doc = login();
      expect(doc).to.match(/^<!doctype html>\n<html lang="en">/);
      expect(labels(doc)).to.deep.equal({ email: 'Email', password: 'Password', remember: 'Remember me' });
      expect(inputIds(doc)).to.deep.equal(['email', 'password', 'remember']);
      expect(doc).to.include('<form method="post" action="login">');
      expect(doc).to.include('<input type="hidden" name="challenge" value="c1">');
      expect(doc).to.include('<input type="hidden" name="_csrf" value="t1">');
      // Sign in comes first: Enter in a field submits the form with the first submit button.
      const buttons = [...doc.matchAll(/<button [^>]*value="(\w+)"[^>]*>([^<]+)</g)].map((m) => [m[1], m[2]]);
      expect(buttons).to.deep.equal([
        ['login', 'Sign in'],
        ['deny', 'Deny'],
      ]);
      expect(doc).to.match(/value="deny" formnovalidate>/);
      expect(doc).not.to.include('role="alert"');
    });

    it('prefills the email (login_hint) and then focuses the password', () => {
      const empty = login();
      expect(empty).to.match(/id="email"[^>]* autofocus>/);
      const hinted = login({ email: 'foo@bar.com' });
      expect(hinted).to.include('value="foo@bar.com"');
      expect(hinted).to.match(/id="password"[^>]* autofocus>/);
      expect(hinted).not.to.match(/id="email"[^>]* autofocus/);
    });

    it('announces an error with role="alert", ties it to the password field and keeps Remember me', () => {
      const doc = login({ email: 'foo@bar.com', remember: true, error: 'Wrong password' });
      expect(doc).to.include('<p role="alert" id="form-error">Wrong password</p>');
      expect(doc).to.match(/id="password"[^>]* aria-invalid="true" aria-describedby="form-error" autofocus>/);
      expect(doc).to.match(/id="remember"[^>]* checked>/);
    });
  });

  describe('the consent page', () => {
    it('shows the client, its logo with alt text, its policy and terms, and one checked box per scope', () => {
      const doc = consent();
      expect(doc).to.include('<img src="https://app.example/logo.png" alt="My App logo">');
      expect(doc).to.include('<a href="https://app.example/privacy">Privacy policy</a>');
      expect(doc).to.include('<a href="https://app.example/terms">Terms of service</a>');
      const boxes = [
        ...doc.matchAll(/<input type="checkbox" id="(scope-\d)" name="grant_scope" value="([^"]+)" checked/g),
      ];
      expect(boxes.map((m) => m[2])).to.deep.equal(['openid', 'email', 'offline_access']);
      expect(labels(doc)).to.deep.equal({
        'scope-0': 'openid',
        'scope-1': 'email',
        'scope-2': 'offline_access',
        remember: 'Remember this decision',
      });
      expect(doc).to.include('<input type="hidden" name="_csrf" value="t2">');
      expect(doc).to.include('<legend>Requested permissions</legend>');
      const buttons = [...doc.matchAll(/<button [^>]*>([^<]+)</g)].map((m) => m[1]);
      expect(buttons).to.deep.equal(['Allow', 'Deny']);
    });

    it('falls back to the client id when the client has no name', () => {
      expect(consent({ client: { client_id: 'abc-123' } })).to.include(
        '<strong>abc-123</strong> asks for access',
      );
    });
  });

  it('the message page announces its message and offers the restart link it is given', () => {
    const doc = messagePage({
      title: 'Expired',
      message: 'Start <again>',
      restartUrl: 'http://x/oauth2/auth?a=1&b=2',
    });
    expect(doc).to.include('<p role="alert">Start &lt;again&gt;</p>');
    expect(doc).to.include('<a href="http://x/oauth2/auth?a=1&amp;b=2">Start again</a>');
  });

  it('has no script and a policy that forbids one, no framing and no referrer', () => {
    for (const doc of [login(), consent(), messagePage({ title: 't', message: 'm' })]) {
      expect(doc).not.to.match(/<script|\son\w+=/i);
    }
    expect(PAGE_HEADERS['Content-Security-Policy']).to.match(/default-src 'none'/);
    expect(PAGE_HEADERS['Content-Security-Policy']).not.to.match(/script-src/);
    expect(PAGE_HEADERS['Content-Security-Policy']).to.include("frame-ancestors 'none'");
    expect(PAGE_HEADERS['Referrer-Policy']).to.equal('no-referrer');
  });

  it('shows keyboard focus (:focus-visible) and meets the 4.5:1 text contrast of WCAG SC 1.4.3', () => {
    expect(login()).to.match(/:focus-visible\{outline:3px solid #[0-9a-f]{6}/);
    const pairs: [string, string][] = [
      [PALETTE.text, PALETTE.background],
      [PALETTE.text, PALETTE.panel],
      [PALETTE.muted, PALETTE.panel],
      [PALETTE.muted, PALETTE.background],
      [PALETTE.accent, PALETTE.panel],
      [PALETTE.accent, PALETTE.background],
      [PALETTE.accentText, PALETTE.accent],
      [PALETTE.error, PALETTE.errorBackground],
    ];
    for (const [fg, bg] of pairs) expect(contrast(fg, bg), `${fg} on ${bg}`).to.be.at.least(4.5);
  });
});

describe('dev UI CSRF tokens', () => {
  it('accept the token of the same key, purpose and challenge only', () => {
    const token = csrfToken('key', 'login', 'abc');
    expect(checkCsrf('key', 'login', 'abc', token)).to.equal(true);
    expect(checkCsrf('key', 'login', 'abd', token)).to.equal(false);
    expect(checkCsrf('key', 'consent', 'abc', token)).to.equal(false);
    expect(checkCsrf('other', 'login', 'abc', token)).to.equal(false);
    expect(checkCsrf('key', 'login', 'abc', `${token}x`)).to.equal(false);
    expect(checkCsrf('key', 'login', 'abc', undefined)).to.equal(false);
    expect(checkCsrf('key', 'login', 'abc', [token])).to.equal(false);
  });
});

describe('dev UI users', () => {
  it('authenticates the default user, by email case-insensitively, and nobody with a wrong password', () => {
    expect(authenticate(DEFAULT_DEV_USERS, 'foo@bar.com', 'foobar')?.email).to.equal('foo@bar.com');
    expect(authenticate(DEFAULT_DEV_USERS, ' FOO@bar.com', 'foobar')?.email).to.equal('foo@bar.com');
    expect(authenticate(DEFAULT_DEV_USERS, 'foo@bar.com', 'foobaR')).to.equal(undefined);
    expect(authenticate(DEFAULT_DEV_USERS, 'nobody@bar.com', '')).to.equal(undefined);
  });

  it('hands out the claims of the granted scopes only (OIDC Core §5.4), and custom claims always', () => {
    const user = { email: 'ann@example.com', password: 'p', claims: { name: 'Ann Lee', tenant: 't1' } };
    expect(idTokenClaims(user, ['openid'])).to.deep.equal({ tenant: 't1' });
    expect(idTokenClaims(user, ['openid', 'email'])).to.deep.equal({
      email: 'ann@example.com',
      email_verified: true,
      tenant: 't1',
    });
    expect(idTokenClaims(user, ['profile', 'email'])).to.deep.equal({
      email: 'ann@example.com',
      email_verified: true,
      name: 'Ann Lee',
      tenant: 't1',
    });
    expect(idTokenClaims(DEFAULT_DEV_USERS[0]!, ['profile'])).to.deep.equal({ name: 'foo' });
  });
});

/** WCAG 2.2 relative luminance and contrast ratio. */
function contrast(a: string, b: string): number {
  const lum = (hex: string) => {
    const [r, g, bl] = [1, 3, 5].map((i) => {
      const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
      return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}
