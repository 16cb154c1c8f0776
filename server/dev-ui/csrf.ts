// The dev UI's forms carry a token bound to their challenge: HMAC-SHA-256 of the form's purpose and challenge
// under a server key. A form can only be submitted for a challenge this server rendered a page for, and the
// page needs no cookie of its own (the flow's CSRF cookies, set by /oauth2/auth, still guard the redirects).
import { createHmac } from 'node:crypto';
import { safeEqual } from '../flows/challenges.js';

export type FormPurpose = 'login' | 'consent' | 'logout' | 'device';

export function csrfToken(key: string | Uint8Array, purpose: FormPurpose, challenge: string): string {
  // The purpose keeps a login form's token from passing as a consent form's when challenges collide.
  return createHmac('sha256', key).update(`tollgate-dev-ui\0${purpose}\0${challenge}`).digest('base64url');
}

export function checkCsrf(
  key: string | Uint8Array,
  purpose: FormPurpose,
  challenge: string,
  token: unknown,
): boolean {
  return typeof token === 'string' && safeEqual(token, csrfToken(key, purpose, challenge));
}
