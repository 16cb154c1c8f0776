import { expect } from 'chai';
import { defaultAudienceStrategy, requestedAudiences } from '../../server/oauth2/audience-strategy.js';
import { InvalidRequest } from '../../server/oauth2/errors.js';

function check(allowed: string[], requested: string[]): string | null {
  try {
    defaultAudienceStrategy(allowed, requested);
    return null;
  } catch (error) {
    expect(error).to.be.instanceOf(InvalidRequest);
    return (error as InvalidRequest).toJSON().error_description;
  }
}

const DESCRIPTION =
  'The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed.';

describe('audience strategy (fosite DefaultAudienceMatchingStrategy)', () => {
  const allowedCases: Array<[string[], string]> = [
    [['https://api/x'], 'https://api/x'],
    [['https://api/x'], 'https://api/x/'],
    [['https://api/x'], 'https://api/x/y'],
    [['https://api/x/'], 'https://api/x'],
    [['https://api/x/'], 'https://api/x/y/z'],
    [['https://api'], 'https://api/anything'],
    [['https://api'], 'https://api'],
    [['https://api/x'], 'https://api/x?q=1'],
    [['https://api/x?a=b'], 'https://api/x'],
    [['HTTPS://api/x'], 'https://api/x'],
    [['https://api/x%2Fy'], 'https://api/x/y'],
    [['my-api'], 'my-api'],
    [['my-api'], 'my-api/sub'],
    [['urn:a'], 'urn:a'],
    [['https://other', 'https://api/x'], 'https://api/x/y'],
  ];
  for (const [allowed, requested] of allowedCases) {
    it(`${JSON.stringify(allowed)} allows '${requested}'`, () =>
      expect(check(allowed, [requested])).to.equal(null));
  }

  const deniedCases: Array<[string[], string]> = [
    [['https://api/x'], 'https://api/xy'],
    [['https://api/x'], 'https://api/'],
    [['https://api/x'], 'http://api/x'],
    [['https://api/x'], 'https://API/x'],
    [['https://api/x'], 'https://api:8443/x'],
    [['https://api/X'], 'https://api/x'],
    [['my-api'], 'my-api2'],
    [[], 'https://api/x'],
    // fosite would allow this (it never compares the opaque part); Tollgate does not.
    [['urn:a'], 'urn:b'],
  ];
  for (const [allowed, requested] of deniedCases) {
    it(`${JSON.stringify(allowed)} refuses '${requested}'`, () =>
      expect(check(allowed, [requested])).to.equal(
        `${DESCRIPTION} Requested audience '${requested}' has not been whitelisted by the OAuth 2.0 Client.`,
      ));
  }

  // fosite would allow these (a prefix match on the raw path); a resource server that removes dot segments
  // (RFC 3986 §5.2.4) reads them as paths outside the allowed one.
  const dotSegments = [
    'https://api.example.com/x/../admin',
    'https://api.example.com/x/./y',
    'https://api.example.com/x/..',
    'https://api.example.com/x/%2e%2e/admin',
    'https://api.example.com/x/%2E%2E/admin',
    'https://api.example.com/x/.%2E/admin',
    'https://api.example.com/x/%2e./admin',
    'https://api.example.com/x/%2e/y',
    'https://api.example.com/x%2F..%2Fadmin',
    'my-api/../other',
  ];
  for (const requested of dotSegments) {
    it(`refuses '${requested}' (a dot segment), although its raw path starts with an allowed one`, () =>
      expect(check(['https://api.example.com/x', 'my-api'], [requested])).to.equal(
        `${DESCRIPTION} Requested audience '${requested}' has not been whitelisted by the OAuth 2.0 Client. Its path must not have '.' or '..' segments.`,
      ));
  }
  for (const requested of [
    'https://api.example.com/x/..a',
    'https://api.example.com/x/a..',
    'https://api.example.com/x/.well-known',
  ]) {
    it(`still allows '${requested}' (dots inside a segment)`, () =>
      expect(check(['https://api.example.com/x'], [requested])).to.equal(null));
  }

  it('accepts an empty request whatever is allowed', () => expect(check([], [])).to.equal(null));

  it('refuses the request when any one audience is not allowed', () =>
    expect(check(['https://a'], ['https://a', 'https://b'])).to.match(
      /'https:\/\/b' has not been whitelisted/,
    ));

  it('rejects a requested audience Go cannot parse', () =>
    expect(check(['https://api'], ['https://api/%zz'])).to.equal(
      `${DESCRIPTION} Unable to parse requested audience 'https://api/%zz'.`,
    ));

  it('rejects the request when an allowed audience cannot be parsed, even after a match', () =>
    expect(check(['https://api', '1a:b'], ['https://api'])).to.equal(
      `${DESCRIPTION} Unable to parse whitelisted audience '1a:b'.`,
    ));

  describe('requestedAudiences (fosite GetAudiences)', () => {
    it('splits a single value on spaces', () =>
      expect(requestedAudiences({ audience: 'https://a  https://b ' })).to.deep.equal([
        'https://a',
        'https://b',
      ]));
    it('takes repeated values as given, without splitting', () =>
      expect(requestedAudiences({ audience: ['https://a', 'x y', ' '] })).to.deep.equal([
        'https://a',
        'x y',
      ]));
    it('is empty without the parameter', () => expect(requestedAudiences({})).to.deep.equal([]));
  });
});
