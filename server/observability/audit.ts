// Structured audit events: one JSON log line per security-relevant change or decision, marked `audit: true`
// with an `event` name, so they can be routed apart from the request log. They carry ids, never secrets or
// tokens: a secret change is recorded as `secret_changed: true`, a token by its client and grant only.
import type { Logger } from 'pino';
import type { OAuth2Endpoints } from '../http/endpoints.js';
import type { ApiError } from '../oauth2/errors.js';
import { type Form, formValue } from '../oauth2/form.js';
import type { RevocationOutcome } from '../oauth2/revocation.js';
import { claimedClientId } from '../protection/throttled-authentication.js';
import type { Metrics } from './metrics.js';

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
  | 'tokens.deleted';

export type Audit = (event: AuditEvent, fields: Record<string, unknown>, log?: Logger) => void;

export function createAudit(logger: Logger): Audit {
  // The marker goes into the line itself: a child logger per event would cost more than the line (one per token).
  return (event, fields, log) => (log ?? logger).info({ audit: true, event, ...fields }, 'audit');
}

/** Token issuance, denial, revocation and bulk deletion: audited, and issuance and denial counted. */
export function observedOAuth2(
  oauth2: OAuth2Endpoints,
  audit: Audit,
  metrics: Metrics,
  logger: Logger,
): OAuth2Endpoints {
  return {
    ...oauth2,
    async token(input) {
      const form = input.form as Form;
      const grantType = formValue(form, 'grant_type');
      const clientId = claimedClientId({ authorization: input.authorization, form });
      try {
        const token = await oauth2.token(input);
        metrics.tokenIssued(clientId, grantType);
        audit(
          'token.issued',
          { client_id: clientId, grant_type: grantType, scope: token.scope, expires_in: token.expires_in },
          input.log,
        );
        return token;
      } catch (err) {
        const error = (err as Partial<ApiError>).error ?? 'server_error';
        const status = (err as Partial<ApiError>).status ?? 500;
        // An outage is not a denial: the client was neither refused nor let in.
        if (status < 500) {
          metrics.tokenDenied(clientId, grantType, error);
          audit('token.denied', { client_id: clientId, grant_type: grantType, error, status }, input.log);
        }
        throw err;
      }
    },
    async revoke(input) {
      const result = await oauth2.revoke(input);
      auditRevocation(audit, result.client_id, result.outcome, input.log ?? logger);
      return result;
    },
    async deleteClientTokens(clientId) {
      await oauth2.deleteClientTokens(clientId);
      audit('tokens.deleted', { client_id: clientId });
    },
  };
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
