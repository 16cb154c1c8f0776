// Structured JSON logs. Nothing that could hold a secret is ever passed to the logger: no request bodies, no
// Authorization headers, no query strings; the redaction below is a second line of defence.
//
// Fields often carry what a request claimed (a client id, a path, a scope), so every line is bounded here, in
// one place: strings are cut at LOG_TEXT_LIMIT characters, lists at LOG_LIST_LIMIT items, nesting at
// LOG_DEPTH_LIMIT levels. A megabyte-long client id otherwise became a megabyte-long audit line per request.
import { type Logger, pino } from 'pino';
import { turnBufferedStdout } from './log-destination.js';

const LOG_TEXT_LIMIT = 256;
const LOG_LIST_LIMIT = 32;
const LOG_DEPTH_LIMIT = 3;

const cut = (text: string) => `${text.slice(0, LOG_TEXT_LIMIT)}… (${text.length} characters)`;

/** `value` within the limits above; the same object when it already is (the usual case: no copy). */
function bounded(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return value.length > LOG_TEXT_LIMIT ? cut(value) : value;
  if (value === null || typeof value !== 'object' || value instanceof Error) return value;
  if (depth >= LOG_DEPTH_LIMIT) return '[…]';
  if (Array.isArray(value)) {
    const over = value.length > LOG_LIST_LIMIT;
    const items: unknown[] = over ? value.slice(0, LOG_LIST_LIMIT) : value;
    let changed = over;
    const within = items.map((item) => {
      const bound = bounded(item, depth + 1);
      if (bound !== item) changed = true;
      return bound;
    });
    if (over) within.push(`… (${value.length} items)`);
    return changed ? within : value;
  }
  return boundedFields(value as Record<string, unknown>, depth);
}

function boundedFields(fields: Record<string, unknown>, depth: number): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const key in fields) {
    const field = fields[key];
    const within = bounded(field, depth + 1);
    if (within === field) continue;
    copy ??= { ...fields };
    copy[key] = within;
  }
  return copy ?? fields;
}

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: 'tollgate' },
      formatters: { log: (fields) => boundedFields(fields, 0) },
      redact: {
        // Top-level keys only: every log call passes a flat object, and wildcard paths (`*.token`) cost about
        // as much as the two lines written per token request themselves.
        paths: ['client_secret', 'access_token', 'token', 'authorization', 'password', 'secret', 'dsn'],
        censor: '[redacted]',
      },
    },
    destination ?? turnBufferedStdout(),
  );
}
