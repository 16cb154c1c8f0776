import { App, TerraformStack, TerraformVariable } from 'cdktf';
import type { Construct } from 'constructs';
import { MachineClient, TollgateProvider } from 'tollgate/cdktf';

class ClientsStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);

    // The admin URL and token come from TOLLGATE_ADMIN_URL and TOLLGATE_ADMIN_TOKEN where terraform runs.
    new TollgateProvider(this, 'tollgate');

    // The server generates the secret; it is kept (sensitive) in the state, readable through clientSecret.
    new MachineClient(this, 'billing', {
      clientId: 'billing',
      clientName: 'Billing service',
      scopes: ['invoices.read', 'invoices.write'],
      audience: ['https://api.example.com'],
      accessTokenLifespan: '15m',
    });

    // A write-only secret never reaches the state: pass it as TF_VAR_reporting_secret, bump the version to rotate.
    const reportingSecret = new TerraformVariable(this, 'reporting_secret', {
      type: 'string',
      sensitive: true,
    });
    new MachineClient(this, 'reporting', {
      clientId: 'reporting',
      scopes: ['invoices.read'],
      authMethod: 'client_secret_post',
      clientSecretWo: reportingSecret.stringValue,
      clientSecretWoVersion: 1,
    });
  }
}

const app = new App();
new ClientsStack(app, 'clients');
app.synth();
