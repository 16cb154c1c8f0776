// Structured JSON logs. Nothing that could hold a secret is ever passed to the logger: no request bodies, no
// Authorization headers, no query strings; the redaction below is a second line of defence.
import { type Logger, pino } from 'pino';

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: 'tollgate' },
      redact: {
        // Top-level keys only: every log call passes a flat object, and wildcard paths (`*.token`) cost about
        // as much as the two lines written per token request themselves.
        paths: ['client_secret', 'access_token', 'token', 'authorization', 'password', 'secret', 'dsn'],
        censor: '[redacted]',
      },
    },
    // Asynchronous: lines written during one event-loop turn leave in one write(2) off the main thread, instead
    // of a blocking write per line (two per token); pino flushes what is pending synchronously at exit.
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
