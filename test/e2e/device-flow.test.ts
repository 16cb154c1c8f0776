// The device authorization grant (RFC 8628) over real HTTP and PostgreSQL: the device authorization endpoint's
// checks in fosite's order, the verification URI and the admin accept of user codes, the login and consent
// chain ending on urls.device.success, and the token endpoint's answers to the polling device.
import { expect } from 'chai';
import { call } from '../helpers/api.js';
import {
  acceptUserCode,
  approveDevice,
  DEVICE_GRANT,
  deviceClient,
  deviceCode,
  openVerification,
  pollToken,
  requestDeviceCode,
} from '../helpers/device.js';
import { FlowDriver } from '../helpers/flow-driver.js';
import { type CreatedClient, expectOAuth2Error, introspect } from '../helpers/oauth2.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('device authorization grant, end to end', () => {
  let server: TestServer;
  let client: CreatedClient;

  before(async () => {
    server = await startTestServer({
      'urls.login': 'http://127.0.0.1:9/login',
      'urls.consent': 'http://127.0.0.1:9/consent',
      'oauth2.device_authorization.token_polling_interval': '1s',
    });
    client = await deviceClient(server);
  });
  after(() => server?.close());

  it('issues access, refresh and ID tokens once the user approved, and the success redirect names the client', async () => {
    const auth = await deviceCode(server, client);
    const pending = await pollToken(server, client, auth.device_code);
    expectOAuth2Error(pending, 400, 'authorization_pending');
    const done = await approveDevice(server, auth);
    expect(done.status, done.text).to.equal(302);
    const success = new URL(done.location!);
    expect(success.pathname).to.equal('/oauth2/fallbacks/device/done');
    expect(success.searchParams.get('client_id')).to.equal(client.client_id);
    const res = await pollToken(server, client, auth.device_code);
    expect(res.status, res.text).to.equal(200);
    expect(res.body.access_token).to.match(/^ory_at_/);
    expect(res.body.refresh_token).to.match(/^ory_rt_/);
    expect(res.body.id_token).to.be.a('string');
    expect(res.body.scope).to.equal('openid offline_access');
    const active = await introspect(server, res.body.access_token);
    expect(active).to.include({ active: true, sub: 'foo@bar.com', client_id: client.client_id });
  });
});
