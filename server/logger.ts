// Structured logs, shaped as Hydra's (logrus) are so that log pipelines written for Hydra keep working: an
// ISO-8601 `time`, a `level` named as logrus names it, the message under `msg`. `log.format: json` writes one
// JSON object per line; `text` writes logrus's text form (`time=… level=info msg=… key=value`).
// Nothing that could hold a secret is ever passed to the logger: no request bodies, no Authorization headers,
// no query strings; the redaction below is a second line of defence.
//
// Fields often carry what a request claimed (a client id, a path, a scope), so every line is bounded here, in
// one place: strings are cut at LOG_TEXT_LIMIT characters, lists at LOG_LIST_LIMIT items, nesting at
// LOG_DEPTH_LIMIT levels. A megabyte-long client id otherwise became a megabyte-long audit line per request.
import { type Logger, pino } from 'pino';
import { type LogDestination, turnBufferedStdout } from './log-destination.js';

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

export type LogFormat = 'json' | 'text';

/** pino's level labels → logrus's names (logrus writes its warn level as `warning`). */
const LOGRUS_LEVELS: Record<string, { level: string }> = {
  trace: { level: 'trace' },
  debug: { level: 'debug' },
  info: { level: 'info' },
  warn: { level: 'warning' },
  error: { level: 'error' },
  fatal: { level: 'fatal' },
};

type Destination = LogDestination | NodeJS.WritableStream;

let second = -1;
let secondPrefix = '';
/**
 * pino's `time` field as Date#toISOString writes it, without formatting a Date per line: the text up to the
 * second is made once a second and each line appends its milliseconds.
 */
function isoTime(): string {
  const now = Date.now();
  const ms = now % 1000;
  if (now - ms !== second) {
    second = now - ms;
    secondPrefix = `,"time":"${new Date(second).toISOString().slice(0, 19)}.`;
  }
  return `${secondPrefix}${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z"`;
}

export function createLogger(
  level: string,
  options: { format?: LogFormat; destination?: Destination } = {},
): Logger {
  const destination = options.destination ?? turnBufferedStdout();
  return pino(
    {
      level,
      base: { service: 'tollgate' },
      formatters: {
        // Runs once per line: a lookup in a table of ready-made objects.
        level: (label) => LOGRUS_LEVELS[label] ?? { level: label },
        log: (fields) => boundedFields(fields, 0),
      },
      timestamp: isoTime,
      redact: {
        // Top-level keys only: every log call passes a flat object, and wildcard paths (`*.token`) cost about
        // as much as the two lines written per token request themselves.
        paths: ['client_secret', 'access_token', 'token', 'authorization', 'password', 'secret', 'dsn'],
        censor: '[redacted]',
      },
    },
    options.format === 'text' ? textDestination(destination) : destination,
  );
}

/**
 * `log.format` when the configuration leaves it unset: readable text for a person at a terminal running
 * `--dev`, JSON for everything else (a container, a pipe, a file).
 */
export function defaultLogFormat(dev: boolean, stdoutIsTTY: boolean | undefined): LogFormat {
  return dev && stdoutIsTTY === true ? 'text' : 'json';
}

/**
 * Rewrites each JSON line pino produces (already redacted) as a logrus text line. Runs in-process and
 * synchronously, in front of the same destination, so lines keep their order and batching.
 */
function textDestination(out: Destination): LogDestination {
  return {
    write(line: string) {
      out.write(toText(line));
      return true;
    },
    flush(callback?: (err?: Error) => void) {
      const flush = (out as Partial<LogDestination>).flush;
      if (flush) flush.call(out, callback);
      else callback?.();
    },
  };
}

/** Fields every line has and the text form leaves out (the service name says nothing on a terminal). */
const OMITTED = new Set(['time', 'level', 'msg', 'service']);

function toText(jsonLine: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(jsonLine) as Record<string, unknown>;
  } catch {
    return jsonLine;
  }
  let text = `time=${entry.time} level=${entry.level} msg=${logfmt(entry.msg ?? '')}`;
  for (const key in entry) {
    if (!OMITTED.has(key)) text += ` ${key}=${logfmt(entry[key])}`;
  }
  return `${text}\n`;
}

/** Printable characters other than space, `"`, `=` and `\\`: a value made of them only is written bare. */
const BARE = /^[\x21\x23-\x3c\x3e-\x5b\x5d-\x7e\u00a0-\uffff]+$/;

/** A value as logfmt writes it: bare, or quoted with JSON escapes (control characters cannot reach a terminal). */
function logfmt(value: unknown): string {
  const s = typeof value === 'string' ? value : JSON.stringify(value);
  return BARE.test(s) ? s : JSON.stringify(s);
}
