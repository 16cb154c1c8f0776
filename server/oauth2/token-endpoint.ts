// POST /oauth2/token (RFC 6749 §3.2), in Hydra's order (fosite/access_request_handler.go NewAccessRequest):
// non-empty body, `grant_type` present, client authentication, then the grant. The form is read like Go's
// `url.Values`: a repeated parameter counts with its first value.
//
// fosite authenticates the client before looking for a handler but reports the authentication error only when
// some handler accepts the grant type; checking the grant type first gives the same answers without the
// database work. Unlike Hydra (which answers `invalid_request`), an unknown grant type answers
// `unsupported_grant_type` (RFC 6749 §5.2; docs/hydra-differences.md).
import type { StoredClient } from '../clients/client.js';
import type { ClientAuthenticationRequest } from './client-authentication.js';
import { InvalidRequest, UnsupportedGrantType } from './errors.js';
import { type Form, formValue, isEmptyForm, splitSpaceList } from './form.js';
import type { GrantHandler, TokenResponse } from './grant-handler.js';
import type { HookRequest, TokenHook } from './token-hooks.js';

export interface TokenRequest {
  /** The raw `Authorization` header, if any. */
  authorization?: string;
  /** The parsed body; the query string is never read (RFC 6749 §2.3.1). */
  form: Form;
  /** The caller's address, for the failed-authentication lockout. */
  source?: string;
}

export interface TokenEndpointDeps {
  grants: readonly GrantHandler[];
  authenticate: (request: ClientAuthenticationRequest) => Promise<StoredClient>;
  clock?: () => Date;
  /** The token hooks (oauth2/token-hooks.ts createTokenHooks); none when absent. */
  hooks?: (request: HookRequest) => TokenHook;
}

export interface TokenEndpoint {
  handle(request: TokenRequest): Promise<TokenResponse>;
}

export function createTokenEndpoint(deps: TokenEndpointDeps): TokenEndpoint {
  const grants = new Map<string, GrantHandler>();
  for (const grant of deps.grants) {
    if (grants.has(grant.grantType)) throw new Error(`Grant type '${grant.grantType}' is registered twice.`);
    grants.set(grant.grantType, grant);
  }
  const clock = deps.clock ?? (() => new Date());

  return {
    async handle(request) {
      const { form } = request;
      if (isEmptyForm(form)) throw new InvalidRequest('The POST body can not be empty.');

      const grantTypes = splitSpaceList(formValue(form, 'grant_type'));
      if (grantTypes.length === 0) throw new InvalidRequest("Request parameter 'grant_type' is missing");
      // fosite's ExactOne: exactly one value, matched case-sensitively; `client_credentials foo` is unknown.
      const grant = grantTypes.length === 1 ? grants.get(grantTypes[0] as string) : undefined;
      if (!grant) {
        throw new UnsupportedGrantType(`The grant type '${grantTypes.join(' ')}' is not supported.`);
      }

      const client = await deps.authenticate({
        authorization: request.authorization,
        form,
        source: request.source,
      });
      // The hooks see the whole form (Hydra sends its non-secret parameters); the grant only its own.
      const hook = deps.hooks?.({ client_id: client.client_id, grant_type: grant.grantType, form }) ?? noHook;
      return grant.handle({ client, form: declaredParameters(form, grant.parameters), now: clock(), hook });
    },
  };
}

const noHook: TokenHook = async (session) => session.extras;

/** node-oidc-provider's rule: a grant only sees the parameters it declared. */
function declaredParameters(form: Form, parameters: readonly string[]): Form {
  const declared: Form = {};
  for (const name of parameters) {
    if (Object.hasOwn(form, name) && form[name] !== undefined) declared[name] = form[name];
  }
  return declared;
}
