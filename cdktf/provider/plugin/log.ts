// Logging for the provider process. stdout belongs to go-plugin's handshake line, so every log line goes to
// stderr, as hclog JSON (`@level`, `@message`), which go-plugin parses and Terraform shows under TF_LOG.
// TOLLGATE_PROVIDER_LOG=<file> also appends the lines to a file (for debugging without TF_LOG).
import { appendFileSync } from 'node:fs';

type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error';

export function log(level: Level, message: string, fields: Record<string, unknown> = {}): void {
  const line = `${JSON.stringify({ '@level': level, '@message': message, '@timestamp': new Date().toISOString(), ...fields })}\n`;
  process.stderr.write(line);
  const file = process.env.TOLLGATE_PROVIDER_LOG;
  if (file) {
    try {
      appendFileSync(file, line);
    } catch {
      // A log file that cannot be written must not stop the provider.
    }
  }
}
