// Text that cannot be stored or compared faithfully is refused up front with a 400: U+0000 (PostgreSQL text and
// jsonb cannot hold it) and unpaired UTF-16 surrogates (not Unicode; they would come back as U+FFFD or fail in
// jsonb). Everything else is kept byte-for-byte.

import { MAX_JSON_DEPTH } from '../clients/json-depth.js';

// Either a NUL, a high surrogate not followed by a low one, or a low surrogate not preceded by a high one.
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is exactly what this looks for.
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The JSON path of the first string (value or key) that cannot be stored, or undefined. */
export function unstorableText(value: unknown, path = '', depth = 0): string | undefined {
  if (typeof value === 'string') return UNSTORABLE.test(value) ? path || '/' : undefined;
  if (value === null || typeof value !== 'object' || depth > MAX_JSON_DEPTH) return undefined; // deeper bodies are refused before this runs
  for (const [key, item] of Object.entries(value)) {
    const at = `${path}/${key}`;
    if (UNSTORABLE.test(key)) return at;
    const found = unstorableText(item, at, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}
