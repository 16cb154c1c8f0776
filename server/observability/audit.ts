// Structured audit events: one JSON log line per security-relevant change or decision, marked `audit: true`
// with an `event` name, so they can be routed apart from the request log. They carry ids, never secrets or
// tokens: a secret change is recorded as `secret_changed: true`, a token by its client and grant only.
import type { Logger } from 'pino';
import type { RevocationOutcome } from '../oauth2/revocation.js';

export type AuditEvent =
  | 'client.created'
  | 'client.updated'
  | 'client.deleted'
  | 'client.secret_changed'
  | 'client.locked_out'
  | 'token.issued'
  | 'token.denied'
  | 'token.revoked'
  | 'token.revocation_refused'
  | 'token.revocation_unknown'
  | 'tokens.deleted'
  | 'trust.created'
  | 'trust.deleted';

export type Audit = (event: AuditEvent, fields: Record<string, unknown>, log?: Logger) => void;

export function createAudit(logger: Logger): Audit {
  // The marker goes into the line itself: a child logger per event would cost more than the line (one per token).
  return (event, fields, log) => (log ?? logger).info({ audit: true, event, ...fields }, 'audit');
}

/** An RFC 7009 revocation's outcome, audited; a refused one (another client's token) also gets a warning. */
export function auditRevocation(
  audit: Audit,
  clientId: string,
  outcome: RevocationOutcome,
  log: Logger,
): void {
  audit(
    outcome.revoked
      ? 'token.revoked'
      : outcome.reason === 'other_client'
        ? 'token.revocation_refused'
        : 'token.revocation_unknown',
    { client_id: clientId, ...(outcome.revoked ? {} : { reason: outcome.reason }) },
    log,
  );
  // RFC 7009 §2.2: answered 200 either way, but a revocation attempt on another client's token is worth a note.
  if (!outcome.revoked && outcome.reason === 'other_client') {
    log.warn(
      { client_id: clientId, token_client_id: outcome.token_client_id },
      'revocation refused: the token belongs to another client',
    );
  }
}
