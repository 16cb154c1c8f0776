// Keys for in-memory maps that hold something derived from a request (a claimed client id, an address, a token
// signature). Two hazards, both found by sending 1 MiB form bodies: a long value kept as a key keeps its own
// size, and even a short one is, in V8, often a slice of the string it was cut from (qs splits the body), so
// keeping a 20-character client id can keep its whole 1 MiB request body alive.
import { hash } from 'node:crypto';

/** A fixed-size key for `value` (SHA-256, base64: 44 characters), in a string of its own. */
export function digestKey(value: string): string {
  return hash('sha256', value, 'base64');
}

/** `value` in storage of its own: concatenation then slicing makes V8 copy the characters out of any parent string. */
export function ownCopy(value: string): string {
  return ` ${value}`.slice(1);
}
