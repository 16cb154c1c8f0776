// Which client a stateless token belongs to (oauth2/stateless.ts): a deleted client's id may be taken again.
import { expect } from 'chai';
import { issuedBy, type StatelessRecord } from '../../server/oauth2/stateless.js';

const token = (requestedAt: string, clientCreatedAt?: string): StatelessRecord => ({
  signature: 's',
  request_id: 'r',
  client_id: 'sl',
  subject: 'sl',
  granted_scope: [],
  granted_audience: [],
  requested_at: new Date(requestedAt),
  expires_at: new Date('2030-01-01T00:00:00Z'),
  ...(clientCreatedAt ? { client_created_at: new Date(clientCreatedAt) } : {}),
});
const client = (createdAt: string) => ({ created_at: new Date(createdAt) });

describe('issuedBy (stateless tokens and the client of their id)', () => {
  it('holds only for the client created at the instant the token carries', () => {
    const t = token('2025-06-01T12:00:00Z', '2025-06-01T12:00:00.250Z');
    expect(issuedBy(t, client('2025-06-01T12:00:00.250Z'))).to.equal(true);
    // Re-created in the same second, a few milliseconds later: another client.
    expect(issuedBy(t, client('2025-06-01T12:00:00.900Z'))).to.equal(false);
    expect(issuedBy(t, client('2025-06-01T11:00:00.250Z'))).to.equal(false);
  });

  it('for a token without the creation time: holds unless issued in an earlier second than the client', () => {
    // iat has whole seconds: a token of the client's own second is the client's.
    expect(issuedBy(token('2025-06-01T12:00:00Z'), client('2025-06-01T12:00:00.900Z'))).to.equal(true);
    expect(issuedBy(token('2025-06-01T12:00:05Z'), client('2025-06-01T12:00:00.900Z'))).to.equal(true);
    expect(issuedBy(token('2025-06-01T11:59:59Z'), client('2025-06-01T12:00:00.000Z'))).to.equal(false);
  });
});
