// Public API: the token endpoint (RFC 6749 §3.2) and revocation (RFC 7009). Each outcome is audited here, and
// token issuance and denial counted per client: the handler knows the request, so no decorator of the domain's
// functions has to.
import type { ApiError } from '../../oauth2/errors.js';
import { type Form, formValue } from '../../oauth2/form.js';
import { type Audit, auditRevocation } from '../../observability/audit.js';
import type { Metrics } from '../../observability/metrics.js';
import { claimedClientId } from '../../protection/throttled-authentication.js';
import type { OAuth2Endpoints } from '../endpoints.js';
import { type Handlers, OAUTH2_JSON_HEADERS } from '../operations.js';

export function tokenHandlers(
  oauth2: OAuth2Endpoints,
  audit: Audit,
  metrics: Pick<Metrics, 'tokenIssued' | 'tokenDenied'>,
) {
  return {
    async oauth2TokenExchange({ body, authorization, source, log }) {
      const form: Form = body ?? {};
      const grantType = formValue(form, 'grant_type');
      // The id the request claims, authenticated or not: a denial is counted against it too.
      const clientId = claimedClientId({ authorization, form });
      try {
        const token = await oauth2.token({ authorization, form, source });
        metrics.tokenIssued(clientId, grantType);
        audit(
          'token.issued',
          { client_id: clientId, grant_type: grantType, scope: token.scope, expires_in: token.expires_in },
          log,
        );
        return { status: 200, body: token, headers: OAUTH2_JSON_HEADERS };
      } catch (err) {
        const error = (err as Partial<ApiError>).error ?? 'server_error';
        const status = (err as Partial<ApiError>).status ?? 500;
        // An outage is not a denial: the client was neither refused nor let in.
        if (status < 500) {
          metrics.tokenDenied(clientId, grantType, error);
          audit('token.denied', { client_id: clientId, grant_type: grantType, error, status }, log);
        }
        throw err;
      }
    },

    async revokeOAuth2Token({ body, authorization, source, log }) {
      const result = await oauth2.revoke({ authorization, form: body ?? {}, source });
      auditRevocation(audit, result.client_id, result.outcome, log);
      return { status: 200, body: undefined };
    },
  } satisfies Handlers;
}
