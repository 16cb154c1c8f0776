// Storage port of the device authorization grant (RFC 8628): device codes with their user codes and polling
// state, and the device challenges of the verification page.
import type { IssuedTokens } from './ports.js';

export interface DeviceCodeRecord {
  /** hex(SHA-384) of the device code's signature part (as every opaque token). */
  signature: string;
  /** userCodeSignature() of the normalised user code. */
  user_code_signature: string;
  client_id: string;
  requested_scope: string[];
  requested_audience: string[];
  requested_at: Date;
  expires_at: Date;
  interval_seconds: number;
  last_polled_at: Date | null;
  /** The login and consent flow started with the user code, once the verifier was redeemed. */
  flow_id: string | null;
  used_at: Date | null;
}

export interface DeviceChallengeRecord {
  challenge: string;
  csrf: string;
  expires_at: Date;
  failed_attempts: number;
  device_code_signature: string | null;
  /** hex(SHA-256) of the device verifier. */
  verifier: string | null;
  used_at: Date | null;
}

export interface DeviceStore {
  /** False when the user code is taken (a collision): the caller draws another. */
  createCode(code: DeviceCodeRecord): Promise<boolean>;
  code(signature: string): Promise<DeviceCodeRecord | null>;
  /** A code that is neither expired nor used nor already bound to a flow. */
  openCodeByUserCode(userCodeSignature: string, now: Date): Promise<DeviceCodeRecord | null>;
  /**
   * Records a token request for a pending code (RFC 8628 §3.5): when it came sooner than the code's interval
   * after the previous one, the interval grows by `penaltySeconds` and `slowDown` is true. Null: no such code.
   */
  poll(signature: string, now: Date, penaltySeconds: number): Promise<{ slowDown: boolean } | null>;
  /** Binds the code to a flow; guarded (not expired, not used, no flow yet). */
  bindFlow(signature: string, flowId: string, now: Date): Promise<boolean>;
  /** One transaction: mark the code used (guarded `used_at IS NULL`), insert the tokens. False if lost. */
  redeem(signature: string, tokens: IssuedTokens, now: Date): Promise<boolean>;

  createChallenge(challenge: DeviceChallengeRecord): Promise<void>;
  challenge(challenge: string): Promise<DeviceChallengeRecord | null>;
  challengeByVerifier(verifierHash: string): Promise<DeviceChallengeRecord | null>;
  /** Counts a wrong user code; the new count, or null when the challenge does not exist. */
  failAttempt(challenge: string): Promise<number | null>;
  /** Records the accepted code and the verifier (guarded: open, below `maxAttempts`). */
  acceptChallenge(
    challenge: string,
    deviceCodeSignature: string,
    verifierHash: string,
    now: Date,
    maxAttempts: number,
  ): Promise<boolean>;
  /** Marks the verifier redeemed (guarded: not yet). */
  useChallenge(challenge: string, now: Date): Promise<boolean>;
}
