import { expect } from 'chai';
import {
  isLoopbackIp,
  isRedirectUriSecure,
  isValidRedirectUri,
  nearMiss,
  RedirectUriMismatch,
  resolveRedirectUri,
} from '../../server/flows/redirect-uri.js';
import { InvalidRequest } from '../../server/oauth2/errors.js';

const MISMATCH =
  "The 'redirect_uri' parameter does not match any of the OAuth 2.0 Client's pre-registered redirect urls.";

function resolved(raw: string, registered: string[], openid = false): string {
  const result = resolveRedirectUri(raw, registered, { openid });
  if (!result.ok) throw new Error(`expected a match, got ${result.error.description}`);
  return result.uri;
}

function refused(raw: string, registered: string[], openid = false) {
  const result = resolveRedirectUri(raw, registered, { openid });
  if (result.ok) throw new Error(`expected a refusal, got ${result.uri}`);
  return result.error;
}

describe('redirect_uri matching (fosite authorize_request_handler.go step 4)', () => {
  it('accepts an exact string match and returns the registered URI', () => {
    expect(resolved('https://app.example/cb', ['https://other/cb', 'https://app.example/cb'])).to.equal(
      'https://app.example/cb',
    );
  });

  it('compares exactly: case, trailing slash, query and port all count', () => {
    const registered = ['https://app.example/cb?x=1'];
    for (const raw of [
      'https://APP.example/cb?x=1',
      'https://app.example/cb/?x=1',
      'https://app.example/cb?x=2',
      'https://app.example/cb',
      'https://app.example:443/cb?x=1',
    ]) {
      const error = refused(raw, registered);
      expect(error).to.be.instanceOf(InvalidRequest);
      expect(error.toJSON().error_description).to.contain(MISMATCH);
    }
  });

  it('accepts any port on the IPv4 loopback literal and keeps the requested port (RFC 8252 §7.3)', () => {
    expect(resolved('http://127.0.0.1:53124/cb', ['http://127.0.0.1/cb'])).to.equal(
      'http://127.0.0.1:53124/cb',
    );
    expect(resolved('http://127.0.0.1:9/cb?a=b', ['http://127.0.0.1:8080/cb?a=b'])).to.equal(
      'http://127.0.0.1:9/cb?a=b',
    );
  });

  it('accepts any port on the IPv6 loopback literal', () => {
    expect(resolved('http://[::1]:61000/callback', ['http://[::1]/callback'])).to.equal(
      'http://[::1]:61000/callback',
    );
  });

  it('refuses another port on localhost, which is a name and not a loopback IP literal', () => {
    refused('http://localhost:3000/cb', ['http://localhost:8080/cb']);
  });

  it('refuses a loopback match whose path or query differs, or that is not http', () => {
    refused('http://127.0.0.1:1/cb/', ['http://127.0.0.1/cb']);
    refused('http://127.0.0.1:1/cb?x', ['http://127.0.0.1/cb']);
    refused('https://127.0.0.1:1/cb', ['https://127.0.0.1/cb']);
    refused('http://127.0.0.1:1/cb', ['http://[::1]/cb']);
  });

  it('uses the sole registered URI when none is sent, and refuses when there are several', () => {
    expect(resolved('', ['https://app.example/cb'])).to.equal('https://app.example/cb');
    expect(refused('', ['https://a/cb', 'https://b/cb'])).to.be.instanceOf(RedirectUriMismatch);
  });

  it('requires redirect_uri with openid, before anything else', () => {
    const error = refused('', ['https://app.example/cb'], true);
    expect(error.toJSON().error_description).to.contain(
      "The 'redirect_uri' parameter is required when using OpenID Connect 1.0.",
    );
  });

  it('refuses a registered URI that is relative or has a fragment', () => {
    refused('/cb', ['/cb']);
    refused('https://app.example/cb#x', ['https://app.example/cb#x']);
  });

  it('accepts a custom scheme (native apps, RFC 8252 §7.1)', () => {
    expect(resolved('com.example.app:/oauth', ['com.example.app:/oauth'])).to.equal('com.example.app:/oauth');
  });
});

describe('redirect URI helpers', () => {
  it('isLoopbackIp: 127.0.0.0/8 and ::1, never localhost', () => {
    expect(isLoopbackIp('127.0.0.1')).to.equal(true);
    expect(isLoopbackIp('127.5.6.7')).to.equal(true);
    expect(isLoopbackIp('::1')).to.equal(true);
    expect(isLoopbackIp('0:0:0:0:0:0:0:1')).to.equal(true);
    expect(isLoopbackIp('localhost')).to.equal(false);
    expect(isLoopbackIp('128.0.0.1')).to.equal(false);
    expect(isLoopbackIp('127.1')).to.equal(false);
  });

  it('isValidRedirectUri: absolute, no fragment', () => {
    expect(isValidRedirectUri('https://a/cb')).to.equal(true);
    expect(isValidRedirectUri('myapp:cb')).to.equal(true);
    expect(isValidRedirectUri('a/cb')).to.equal(false);
    expect(isValidRedirectUri('https://a/cb#')).to.equal(false);
    expect(isValidRedirectUri('https://a b/cb')).to.equal(false);
  });

  it('isRedirectUriSecure (step 11): http only for localhost, *.localhost and loopback IPs, unless --dev', () => {
    expect(isRedirectUriSecure('https://app.example/cb', false)).to.equal(true);
    expect(isRedirectUriSecure('com.example:/cb', false)).to.equal(true);
    expect(isRedirectUriSecure('http://localhost:3000/cb', false)).to.equal(true);
    expect(isRedirectUriSecure('http://my.localhost/cb', false)).to.equal(true);
    expect(isRedirectUriSecure('http://127.0.0.1:3000/cb', false)).to.equal(true);
    expect(isRedirectUriSecure('http://[::1]/cb', false)).to.equal(true);
    expect(isRedirectUriSecure('http://app.example/cb', false)).to.equal(false);
    expect(isRedirectUriSecure('http://app.example/cb', true)).to.equal(true);
  });
});

describe('nearMiss: the closest registered redirect URI, for the error page (Tollgate)', () => {
  it('names localhost vs 127.0.0.1', () => {
    const hint = nearMiss('http://localhost:8080/cb', ['https://x/cb', 'http://127.0.0.1:8080/cb']);
    expect(hint).to.contain("'http://127.0.0.1:8080/cb'").and.to.contain("'localhost'");
  });

  it('names a trailing slash', () => {
    expect(nearMiss('https://app.example/cb/', ['https://app.example/cb'])).to.equal(
      "The client registered 'https://app.example/cb', which differs only by a trailing slash.",
    );
  });

  it('names a port, and explains the loopback rule for localhost', () => {
    expect(nearMiss('https://app.example:8443/cb', ['https://app.example/cb'])).to.contain(
      'differs only in the port',
    );
    expect(nearMiss('http://localhost:3000/cb', ['http://localhost:8080/cb'])).to.contain(
      "but not for 'localhost'",
    );
  });

  it('names letter case and a missing redirect_uri', () => {
    expect(nearMiss('https://App.example/cb', ['https://app.example/cb'])).to.contain('letter case');
    expect(nearMiss('', ['https://a/cb', 'https://b/cb'])).to.contain('must name one of them');
    expect(nearMiss('https://a/cb', [])).to.equal('The client has no registered redirect URIs.');
  });

  it('is carried by the mismatch error of resolveRedirectUri', () => {
    const error = refused('https://app.example/cb/', ['https://app.example/cb']);
    expect(error).to.be.instanceOf(RedirectUriMismatch);
    expect((error as RedirectUriMismatch).nearMiss).to.contain('trailing slash');
  });
});
