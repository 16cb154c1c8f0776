// The Cookie header is the client's to write: the parser keeps what a browser sends and bounds the rest.
import { expect } from 'chai';
import { MAX_COOKIE_BYTES, MAX_COOKIES, parseCookieHeader } from '../../server/http/cookie-header.js';

describe('Cookie header parsing', () => {
  it("reads RFC 6265 pairs, values as sent and without their quotes, the first of a name's values", () => {
    expect({ ...parseCookieHeader('a=1; b=two;c= x ; d="quoted value"; e=b64.sig=; a=again') }).to.deep.equal(
      {
        a: '1',
        b: 'two',
        c: 'x',
        d: 'quoted value',
        e: 'b64.sig=',
      },
    );
    expect({ ...parseCookieHeader('ory_hydra_session=%41') }).to.deep.equal({ ory_hydra_session: '%41' });
  });

  it('skips malformed pairs and never throws', () => {
    for (const header of ['', ';;;', 'novalue', '=x', ' = ', 'a', '"', '%', '\u0000=\u0000', '=;=;=']) {
      expect(() => parseCookieHeader(header), header).not.to.throw();
    }
    expect({ ...parseCookieHeader('novalue; =x; ;;; c=3; "=4') }).to.deep.equal({ c: '3', '"': '4' });
    expect({ ...parseCookieHeader(undefined) }).to.deep.equal({});
  });

  it('a cookie named __proto__ or constructor is a cookie, not a prototype', () => {
    const cookies = parseCookieHeader('__proto__=x; constructor=y; toString=z');
    expect(Object.getPrototypeOf(cookies)).to.equal(null);
    expect(Object.entries(cookies)).to.deep.equal([
      ['__proto__', 'x'],
      ['constructor', 'y'],
      ['toString', 'z'],
    ]);
    expect(parseCookieHeader('a=1')).not.to.have.property('toString');
  });

  it(`keeps at most ${MAX_COOKIES} cookies, the first ones`, () => {
    const header = Array.from({ length: 200 }, (_, i) => `c${i}=${i}`).join('; ');
    const cookies = parseCookieHeader(header);
    expect(Object.keys(cookies)).to.have.length(MAX_COOKIES);
    expect(cookies.c0).to.equal('0');
    expect(cookies[`c${MAX_COOKIES - 1}`]).to.equal(String(MAX_COOKIES - 1));
    expect(cookies).not.to.have.property(`c${MAX_COOKIES}`);
  });

  it(`ignores a name or value over ${MAX_COOKIE_BYTES} bytes (counted in UTF-8), and only that cookie`, () => {
    const fits = 'v'.repeat(MAX_COOKIE_BYTES);
    const cookies = parseCookieHeader(
      [
        `fits=${fits}`,
        `long=${fits}v`,
        `wide=${'é'.repeat(MAX_COOKIE_BYTES / 2 + 1)}`,
        `${'n'.repeat(MAX_COOKIE_BYTES + 1)}=1`,
        'after=ok',
      ].join('; '),
    );
    expect(Object.keys(cookies)).to.deep.equal(['fits', 'after']);
    expect(cookies.fits).to.equal(fits);
  });

  it('an ignored cookie does not count towards the limit', () => {
    const big = Array.from({ length: 10 }, (_, i) => `big${i}=${'x'.repeat(MAX_COOKIE_BYTES + 1)}`);
    const small = Array.from({ length: MAX_COOKIES }, (_, i) => `s${i}=1`);
    expect(Object.keys(parseCookieHeader([...big, ...small].join('; ')))).to.have.length(MAX_COOKIES);
  });
});
