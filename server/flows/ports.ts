// Storage ports of the browser flows: flow rows (Hydra's hydra_oauth2_flow, with short challenges instead of
// encrypted blobs), remembered login sessions, authorization codes and refresh tokens.
import type { AccessTokenRecord, AuthorizationCodeRecord, RefreshTokenRecord } from '../oauth2/ports.js';
import type { ConsentDecision, DeniedError, FlowRecord, LoginDecision } from './types.js';

export type NewFlow = Omit<
  FlowRecord,
  | 'login'
  | 'login_error'
  | 'authenticated_at'
  | 'consent_challenge'
  | 'consent_csrf'
  | 'consent_skip'
  | 'consent'
  | 'consent_error'
  | 'consent_handled_at'
>;

export interface AuthorizeArtefacts {
  code?: AuthorizationCodeRecord;
  /** Implicit and hybrid `token`. */
  access_token?: AccessTokenRecord;
}

export interface FlowStore {
  create(flow: NewFlow): Promise<void>;
  /** The flow a token belongs to (its request_id); userinfo reads the ID token claims from it. */
  byId(id: string): Promise<FlowRecord | null>;
  byLoginChallenge(challenge: string): Promise<FlowRecord | null>;
  byConsentChallenge(challenge: string): Promise<FlowRecord | null>;
  byLoginVerifier(verifierHash: string): Promise<FlowRecord | null>;
  byConsentVerifier(verifierHash: string): Promise<FlowRecord | null>;
  /**
   * Accept or reject the login. Allowed while state ∈ {login_initialized, login_handled} and not expired (the
   * guard is in the UPDATE). The verifier hash is set on the first call and kept on repeats, so every
   * redirect_to handed out stays usable until one is redeemed. Null when the guard fails.
   */
  handleLogin(
    challenge: string,
    outcome: { login: LoginDecision } | { error: DeniedError },
    verifierHash: string,
    now: Date,
  ): Promise<FlowRecord | null>;
  /** login_handled → consent_initialized (guarded); idempotent for the same consent challenge (a retry). */
  startConsent(
    flowId: string,
    next: {
      subject: string;
      authenticated_at: Date;
      consent_challenge: string;
      consent_csrf: string;
      consent_skip: boolean;
    },
  ): Promise<FlowRecord | null>;
  handleConsent(
    challenge: string,
    outcome: { consent: ConsentDecision } | { error: DeniedError },
    verifierHash: string,
    now: Date,
  ): Promise<FlowRecord | null>;
  /**
   * consent_handled → consent_used, and in the same transaction the authorize response's artefacts (the code
   * row; the access token row for implicit/hybrid). False when another request already completed it.
   */
  complete(flowId: string, artefacts: AuthorizeArtefacts, now: Date): Promise<boolean>;
  /** Remembered, not skipped, not errored, not expired consents of (subject, client), newest first (Hydra's consent/handler.go). */
  rememberedConsents(subject: string, clientId: string, now: Date): Promise<FlowRecord[]>;
  listConsentSessions(query: {
    subject: string;
    login_session_id?: string;
    page_size: number;
    page_token?: string;
  }): Promise<{ items: FlowRecord[]; next_page_token?: string }>;
  /** Deletes matching consent_used flows, their codes and refresh tokens (FK cascade) and their access tokens. */
  revokeConsentSessions(
    filter:
      | { consent_request_id: string }
      | { subject: string; client_id: string }
      | { subject: string; all: true },
  ): Promise<number>;
}

export interface LoginSession {
  /** The `sid` (uuid). */
  id: string;
  subject: string;
  authenticated_at: Date;
  remember: boolean;
  expires_at: Date;
  identity_provider_session_id: string | null;
}

export interface LoginSessionStore {
  /** Null when missing or expired. */
  get(id: string, now: Date): Promise<LoginSession | null>;
  /** Insert, or extend expires_at (extend_session_lifespan). */
  upsert(session: LoginSession): Promise<void>;
  delete(id: string): Promise<void>;
  deleteBySubject(subject: string): Promise<number>;
}

export type RedeemOutcome = 'issued' | 'reused';

export interface IssuedTokens {
  access: AccessTokenRecord | null;
  refresh: RefreshTokenRecord | null;
}

export interface RotationPolicy {
  gracePeriodMs: number;
  /** 0 = no limit within the grace period. */
  reuseCount: number;
  /** How long a rotated refresh token's row is kept for reuse detection. */
  keepRotatedMs: number;
}

export interface GrantStore {
  code(signature: string): Promise<(AuthorizationCodeRecord & { flow: FlowRecord }) | null>;
  /** One transaction: mark the code used (guarded `used_at IS NULL`), insert the tokens. 'reused' if lost. */
  redeemCode(signature: string, tokens: IssuedTokens, now: Date): Promise<RedeemOutcome>;
  refresh(signature: string): Promise<(RefreshTokenRecord & { flow: FlowRecord }) | null>;
  /**
   * One transaction. Strict (gracePeriodMs 0): guard `active`, deactivate every active refresh token of the
   * grant, delete every access token of the grant. Graceful: guard `active OR (first_used_at + period > now
   * AND (count = 0 OR used_times < count))`, deactivate this one (first_used_at = COALESCE(first_used_at, now),
   * used_times + 1), delete only its paired access token. Then insert the new pair. 'reused' when the guard fails.
   */
  rotate(
    signature: string,
    tokens: IssuedTokens,
    rotation: RotationPolicy,
    now: Date,
  ): Promise<RedeemOutcome>;
  /** Reuse detection and revocation of a grant: every code, access and refresh token of the request. */
  revokeGrant(requestId: string): Promise<void>;
  /** Codes and refresh tokens; access tokens go through the AccessTokenStore. */
  deleteByClientId(clientId: string): Promise<void>;
}
