// Compile-time checks run by `npm run typecheck`: each `@ts-expect-error` line must fail to compile, or tsc
// reports the directive as unused. types.test.ts asserts the exact diagnostics of the same mistakes.
import { clientCredentials, createAdminClient, createPublicClient } from '../../sdk/index.js';

const admin = createAdminClient({ baseUrl: 'http://127.0.0.1:4445' });
const publicApi = createPublicClient({ baseUrl: 'http://127.0.0.1:4444' });

export async function mistakes() {
  // @ts-expect-error a misspelt body field (client_nme)
  await admin.POST('/admin/clients', { body: { client_nme: 'svc' } });
  // @ts-expect-error the introspection form requires `token`
  await admin.POST('/admin/oauth2/introspect', { body: { scope: 'read' } });
  // @ts-expect-error the token form requires `grant_type`
  await publicApi.POST('/oauth2/token', { body: { scope: 'read' } });
  // @ts-expect-error the path parameter `id` is required
  await admin.GET('/admin/clients/{id}');
  // @ts-expect-error a misspelt query parameter (client_di)
  await admin.DELETE('/admin/oauth2/tokens', { params: { query: { client_di: 'x' } } });
  // @ts-expect-error an admin operation is not on the public client
  await publicApi.GET('/admin/clients');
  const { data } = await admin.GET('/admin/clients/{id}', { params: { path: { id: 'x' } } });
  // @ts-expect-error the response field is client_id
  void data.clientId;
  // @ts-expect-error clientSecret is required
  clientCredentials({ tokenUrl: 'http://127.0.0.1:4444/oauth2/token', clientId: 'svc' });
  // @ts-expect-error either tokenUrl or issuer, not both
  clientCredentials({
    tokenUrl: 'http://a/oauth2/token',
    issuer: 'http://a/',
    clientId: 'svc',
    clientSecret: 's',
  });
}
