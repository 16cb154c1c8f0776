// User codes of the device authorization grant (RFC 8628 §6.1): short enough to read off a television and type
// on a phone, drawn uniformly from a character set, compared after the normalisation a person's typing needs.
// Hydra's presets (`high`, `medium`, `low`) and its `length` + `character_set` keep Hydra's alphabets; Tollgate's
// default `base20` is RFC 8628 §6.1's example: 8 consonants (no vowels, so no words), shown as XXXX-XXXX.
import { createHmac, randomInt } from 'node:crypto';

export type UserCodePreset = 'base20' | 'high' | 'medium' | 'low';

export interface UserCodeOptions {
  /** `oauth2.device_authorization.user_code.entropy_preset` (Tollgate's default: base20). */
  preset?: UserCodePreset;
  /** `…user_code.length` with `…user_code.character_set`: these win over the preset (Hydra's oneOf). */
  length?: number;
  characterSet?: string;
}

const PRESETS: Record<UserCodePreset, { length: number; characterSet: string }> = {
  // RFC 8628 §6.1: 20^8 ≈ 2^34.6 codes.
  base20: { length: 8, characterSet: 'BCDFGHJKLMNPQRSTVWXZ' },
  // Hydra's (fosite/handler/rfc8628/strategy_hmacsha.go): 50^8 ≈ 2^45.2, case-sensitive.
  high: { length: 8, characterSet: 'abcdefghijkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY34679' },
  medium: { length: 8, characterSet: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ' },
  low: { length: 9, characterSet: '0123456789' },
};

export interface UserCodes {
  readonly length: number;
  readonly characterSet: string;
  /** Number of distinct codes: characterSet.length ** length. */
  readonly space: number;
  /** A fresh code as shown to the user (grouped with a dash when the set is case-insensitive). */
  generate(): string;
  /** What a typed code compares as: spaces and dashes dropped, case folded when the set has one case. */
  normalise(input: string): string;
}

export function createUserCodes(options: UserCodeOptions = {}): UserCodes {
  const preset = PRESETS[options.preset ?? 'base20'];
  const characterSet = options.characterSet ?? preset.characterSet;
  const length = options.length ?? preset.length;
  const chars = [...new Set(characterSet)];
  if (chars.length < 2) throw new RangeError('a user code character set needs at least two characters');
  const upper = chars.join('').toUpperCase();
  const lower = chars.join('').toLowerCase();
  // One case only (or no letters): typing in the other case still matches.
  const fold: ((s: string) => string) | null =
    upper === chars.join('')
      ? (s) => s.toUpperCase()
      : lower === chars.join('')
        ? (s) => s.toLowerCase()
        : null;
  const separators = /[\s-]/g;
  const grouped = fold !== null && !chars.includes('-') && length >= 8 && length % 2 === 0;

  return {
    length,
    characterSet: chars.join(''),
    space: chars.length ** length,
    generate() {
      let code = '';
      for (let i = 0; i < length; i++) code += chars[randomInt(chars.length)];
      return grouped ? `${code.slice(0, length / 2)}-${code.slice(length / 2)}` : code;
    },
    normalise(input) {
      const kept = chars.some((c) => /[\s-]/.test(c)) ? input : input.replace(separators, '');
      return fold ? fold(kept) : kept;
    },
  };
}

/**
 * The stored form of a user code: HMAC-SHA-256 under a server key of its normalised value, so that the
 * database alone does not reveal live codes (a user code has too little entropy for a bare hash).
 */
export function userCodeSignature(key: Buffer, normalised: string): string {
  return createHmac('sha256', key).update(`user_code.${normalised}`, 'utf8').digest('hex');
}
