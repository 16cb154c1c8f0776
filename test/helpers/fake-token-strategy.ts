// A deterministic AccessTokenStrategy for unit tests. Opaque tokens look like `fake_at_<n>.<mac>`, JWT-shaped
// ones like `<header>.<claims>.<mac>`; the mac is an HMAC over the rest, so a changed token fails validation.
import { createHash, createHmac } from 'node:crypto';
import type { AccessTokenClaims, AccessTokenStrategy } from '../../server/oauth2/ports.js';

const mac = (input: string) => createHmac('sha256', 'fake-strategy-key').update(input).digest('base64url');
const storageKey = (sig: string) => createHash('sha384').update(sig).digest('hex');

export class FakeTokenStrategy implements AccessTokenStrategy {
  readonly issued: AccessTokenClaims[] = [];
  private counter = 0;

  constructor(readonly name: 'opaque' | 'jwt') {}

  async issue(claims: AccessTokenClaims): Promise<{ token: string; signature: string }> {
    this.issued.push(claims);
    const body =
      this.name === 'jwt'
        ? `eyJhbGciOiJmYWtlIn0.${Buffer.from(JSON.stringify({ n: ++this.counter, sub: claims.subject })).toString('base64url')}`
        : `fake_at_${++this.counter}`;
    const sig = mac(body);
    return { token: `${body}.${sig}`, signature: storageKey(sig) };
  }

  async validate(token: string): Promise<string | null> {
    const dot = token.lastIndexOf('.');
    if (dot < 0) return null;
    const body = token.slice(0, dot);
    const isJwt = body.split('.').length === 2;
    if (isJwt !== (this.name === 'jwt')) return null;
    const sig = token.slice(dot + 1);
    return mac(body) === sig ? storageKey(sig) : null;
  }
}
