// Structured JSON logs. Nothing that could hold a secret is ever passed to the logger: no request bodies, no
// Authorization headers, no query strings; the redaction below is a second line of defence.
import { type Logger, pino } from 'pino';
import { turnBufferedStdout } from './log-destination.js';

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
    destination ?? turnBufferedStdout(),
  );
}
