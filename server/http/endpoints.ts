// What the HTTP layer needs from the domain, as narrow functions. server/wiring/ wires them to the domain
// services; handlers never see concrete classes.
import type { components } from '../../sdk/generated/openapi.js';
import type { ClientService } from '../clients/client-service.js';
import type { ClientAuthenticationRequest } from '../oauth2/client-authentication.js';
import type { IntrospectionRequest } from '../oauth2/introspection.js';
import type { RevocationResult } from '../oauth2/revocation.js';
import type { TokenRequest } from '../oauth2/token-endpoint.js';

type Schemas = components['schemas'];

export interface OAuth2Endpoints {
  /**
   * RFC 6749 §3.2 token endpoint: client authentication, then the grant named by `grant_type`. Wired to the
   * domain's `TokenEndpoint.handle` itself.
   */
  token(input: TokenRequest): Promise<Schemas['oAuth2TokenExchange']>;
  /** RFC 7009 revocation by an authenticated client; the outcome says what to audit. */
  revoke(input: ClientAuthenticationRequest): Promise<RevocationResult>;
  /** RFC 7662 introspection (admin port, unauthenticated as in Hydra). */
  introspect(form: IntrospectionRequest): Promise<Schemas['introspectedOAuth2Token']>;
  /** Hydra's DELETE /admin/oauth2/tokens?client_id=. */
  deleteClientTokens(clientId: string): Promise<void>;
}

/** The client registry as the admin handlers use it (ClientService). */
export type ClientEndpoints = Pick<
  ClientService,
  'create' | 'get' | 'list' | 'set' | 'patch' | 'setLifespans' | 'delete'
>;

export interface KeyEndpoints {
  getSet(set: string): Promise<Schemas['jsonWebKeySet']>;
  createSet(set: string, request: Schemas['createJsonWebKeySet']): Promise<Schemas['jsonWebKeySet']>;
  setSet(set: string, keys: Schemas['jsonWebKeySet']): Promise<Schemas['jsonWebKeySet']>;
  deleteSet(set: string): Promise<void>;
  getKey(set: string, kid: string): Promise<Schemas['jsonWebKeySet']>;
  setKey(set: string, kid: string, key: Schemas['jsonWebKey']): Promise<Schemas['jsonWebKey']>;
  deleteKey(set: string, kid: string): Promise<void>;
  /** Public parts of the broadcast sets, for /.well-known/jwks.json. */
  publicKeys(): Promise<Schemas['jsonWebKeySet']>;
}

export interface HealthCheck {
  /** Null when ready; otherwise what is wrong (database unreachable, migrations pending). */
  notReady(): Promise<Record<string, string> | null>;
}
