// The front-channel logout page (server/flows/logout.ts frontChannelPage) and the built-in logout page: every
// URL and name is escaped, a script URI is never linked or framed, and the redirect works without JavaScript.
import { expect } from 'chai';
import { logoutPage } from '../../server/dev-ui/logout-page.js';
import { frontChannelPage } from '../../server/flows/logout.js';

describe('logout pages', () => {
  it('frames each relying party and redirects by script, meta refresh and link, all escaped', () => {
    const html = frontChannelPage(
      ['https://rp.example/fc?iss=x&sid=1', 'https://rp2.example/fc?a="><script>alert(1)</script>'],
      'https://rp.example/out?state=a&b="<x>',
    );
    expect(html).to.include('<iframe src="https://rp.example/fc?iss=x&amp;sid=1" style="display:none"');
    expect(html).to.include('src="https://rp2.example/fc?a=&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(html).to.not.include('<script>alert');
    const target = 'https://rp.example/out?state=a&amp;b=&#34;&lt;x&gt;';
    expect(html).to.include(`<meta http-equiv="refresh" content="7;url=${target}">`);
    expect(html).to.include(`<a id="continue" href="${target}">`);
    expect(html).to.include('setTimeout(go, 7000)');
  });

  it('never links or frames a javascript: or data: URI', () => {
    const html = frontChannelPage(['javascript:alert(1)', ' DATA:text/html,x'], 'JavaScript:alert(2)');
    expect(html.toLowerCase()).to.not.include('javascript:');
    expect(html.toLowerCase()).to.not.include('data:');
    expect(html).to.include('<iframe src="#"');
    expect(html).to.include('href="#"');
  });

  it('the built-in logout page escapes the subject and the client name', () => {
    const html = logoutPage({ challenge: 'c"1', csrf: 't', subject: '<b>mallory</b>', clientName: '"Acme"' });
    expect(html).to.include('&lt;b&gt;mallory&lt;/b&gt;');
    expect(html).to.include('&#34;Acme&#34;');
    expect(html).to.include('name="challenge" value="c&#34;1"');
    expect(html).to.not.include('<b>mallory');
  });
});
