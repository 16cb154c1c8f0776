// Structured JSON logs. Nothing that could hold a secret is ever passed to the logger: no request bodies, no
// Authorization headers, no query strings; the redaction below is a second line of defence.
import { type Logger, pino } from 'pino';

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: 'tollgate' },
      redact: {
        paths: ['*.client_secret', '*.access_token', '*.token', '*.authorization', '*.password', 'dsn'],
        censor: '[redacted]',
      },
    },
    destination ?? pino.destination(1),
  );
}
