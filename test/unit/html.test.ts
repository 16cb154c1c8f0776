import { expect } from 'chai';
import { fallbackErrorPage } from '../../server/flows/authorize-response.js';
import { escapeHtml } from '../../server/html.js';
import { errorPage } from '../../server/http/error-handler.js';
import { TemporarilyUnavailable } from '../../server/oauth2/errors.js';

describe('escapeHtml', () => {
  it('escapes as Go’s html.EscapeString: &#34; and &#39; for quotes', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).to.equal('&lt;a href=&#34;x&#34;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  it('is the one escaper of the error page and the flows’ pages', () => {
    const retry = errorPage(new TemporarilyUnavailable(), { method: 'GET', url: '/oauth2/auth?state="x"' });
    expect(retry).to.include('<a href="/oauth2/auth?state=&#34;x&#34;">');
    const fallback = fallbackErrorPage({ error: 'a"b' });
    expect(fallback.html).to.include('a&#34;b');
  });
});
