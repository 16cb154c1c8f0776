// A wrong field name or a missing required field in an SDK call does not compile: these snippets go through the
// TypeScript compiler with the repository's settings, and the test asserts the diagnostic each one produces
// (plus a correct snippet that must compile cleanly, so a broken setup cannot pass).
import { expect } from 'chai';
import type ts from 'typescript';
import { describeDiagnostics, typecheck } from '../helpers/typecheck.js';

const header = `import { clientCredentials, createAdminClient, createPublicClient } from 'tollgate/sdk';
const admin = createAdminClient({ baseUrl: 'http://127.0.0.1:4445' });
const publicApi = createPublicClient({ baseUrl: 'http://127.0.0.1:4444' });
void publicApi; void clientCredentials;
`;

describe('sdk: type checking of calls', function () {
  this.timeout(120_000);
  let results: Record<string, ts.Diagnostic[]>;

  before(async () => {
    results = await typecheck({
      correct: `${header}
const { data } = await admin.POST('/admin/clients', { body: { client_name: 'svc', grant_types: ['client_credentials'] } });
const id: string | undefined = data.client_id;
const { data: info } = await admin.POST('/admin/oauth2/introspect', { body: { token: 't' } });
const active: boolean = info.active;
const token = await publicApi.POST('/oauth2/token', { body: { grant_type: 'client_credentials', scope: 'a b' } });
const expiresIn: number = token.data.expires_in;
clientCredentials({ tokenUrl: 'http://127.0.0.1:4444/oauth2/token', clientId: 'svc', clientSecret: 's' });
export { id, active, expiresIn };
`,
      misspeltBodyField: `${header}await admin.POST('/admin/clients', { body: { client_nme: 'svc' } });\n`,
      missingRequiredField: `${header}await admin.POST('/admin/oauth2/introspect', { body: { scope: 'read' } });\n`,
      missingPathParameter: `${header}await admin.GET('/admin/clients/{id}');\n`,
      misspeltResponseField: `${header}const { data } = await admin.GET('/admin/clients/{id}', { params: { path: { id: 'x' } } });
export const name = data.clientName;\n`,
      missingSecret: `${header}clientCredentials({ tokenUrl: 'http://127.0.0.1:4444/oauth2/token', clientId: 'svc' });\n`,
    });
  });

  it('compiles a correct use of every SDK entry point without errors', () => {
    expect(describeDiagnostics(results.correct!)).to.equal('');
  });

  const cases: [string, number, RegExp][] = [
    ['misspeltBodyField', 2561, /'client_nme' does not exist/],
    ['missingRequiredField', 2322, /Property 'token' is missing/],
    ['missingPathParameter', 2554, /Expected 2 arguments, but got 1/],
    ['misspeltResponseField', 2551, /Property 'clientName' does not exist .* Did you mean 'client_name'\?/],
    ['missingSecret', 2345, /clientSecret/],
  ];
  for (const [name, code, message] of cases) {
    it(`refuses ${name} with TS${code}`, () => {
      const diagnostics = results[name]!;
      expect(diagnostics, describeDiagnostics(diagnostics)).to.have.length(1);
      expect(diagnostics[0]!.code, describeDiagnostics(diagnostics)).to.equal(code);
      expect(describeDiagnostics(diagnostics)).to.match(message);
    });
  }
});
