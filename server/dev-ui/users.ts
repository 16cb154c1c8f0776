// The dev UI's users (`dev.users`) and the ID token claims it hands to the consent accept: without them
// userinfo is nearly empty, the most reported surprise of a first Hydra setup (ory/hydra#1367).
import { createHash, timingSafeEqual } from 'node:crypto';

export interface DevUser {
  email: string;
  password: string;
  /** Extra or overriding claims; `email`, `email_verified` and `name` are derived when absent. */
  claims?: Record<string, unknown>;
}

/** The reference app's user (Ory's hydra-login-consent-node). */
export const DEFAULT_DEV_USERS: readonly DevUser[] = [{ email: 'foo@bar.com', password: 'foobar' }];

/** The user with this email (case-insensitive) and password, compared in constant time. */
export function authenticate(
  users: readonly DevUser[],
  email: string,
  password: string,
): DevUser | undefined {
  const user = findUser(users, email);
  // Hashing both sides gives equal lengths, so the comparison's time says nothing about the password.
  const digest = (s: string) => createHash('sha256').update(s).digest();
  const ok = timingSafeEqual(digest(user?.password ?? ''), digest(password));
  return user && ok ? user : undefined;
}

export function findUser(users: readonly DevUser[], email: string): DevUser | undefined {
  const wanted = email.trim().toLowerCase();
  return users.find((u) => u.email.toLowerCase() === wanted);
}

/** OpenID Connect Core §5.4: the claims each scope asks for. */
const SCOPE_CLAIMS: Record<string, readonly string[]> = {
  profile: [
    'name',
    'family_name',
    'given_name',
    'middle_name',
    'nickname',
    'preferred_username',
    'profile',
    'picture',
    'website',
    'gender',
    'birthdate',
    'zoneinfo',
    'locale',
    'updated_at',
  ],
  email: ['email', 'email_verified'],
  address: ['address'],
  phone: ['phone_number', 'phone_number_verified'],
};
const SCOPED = new Set(Object.values(SCOPE_CLAIMS).flat());

/**
 * The claims for `session.id_token`: standard claims only when their scope was granted (OIDC Core §5.4);
 * claims outside the standard set, which only the dev.users config can add, always.
 */
export function idTokenClaims(user: DevUser, grantedScope: readonly string[]): Record<string, unknown> {
  const all: Record<string, unknown> = {
    email: user.email,
    email_verified: true,
    name: user.email.split('@')[0],
    ...user.claims,
  };
  const allowed = new Set(grantedScope.flatMap((s) => SCOPE_CLAIMS[s] ?? []));
  return Object.fromEntries(Object.entries(all).filter(([k]) => allowed.has(k) || !SCOPED.has(k)));
}
