// Logging for the provider process. stdout belongs to go-plugin's handshake line, so every log line goes to
// stderr, as hclog JSON (`@level`, `@message`), which go-plugin parses and Terraform shows under TF_LOG.
type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error';

export function log(level: Level, message: string, fields: Record<string, unknown> = {}): void {
  process.stderr.write(
    `${JSON.stringify({ '@level': level, '@message': message, '@timestamp': new Date().toISOString(), ...fields })}\n`,
  );
}
