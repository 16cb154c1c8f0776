// In-memory GrantStore for unit tests: the same contract as PgGrantStore (one winner per code, strict and
// graceful rotation, revocation of a whole grant), over the maps of a MemoryFlowStore and the rows of a
// MemoryAccessTokenStore. Each call checks every guard before it writes anything, as one transaction would.
import type { GrantStore, IssuedTokens, RedeemOutcome, RotationPolicy } from '../../server/flows/ports.js';
import type { FlowRecord } from '../../server/flows/types.js';
import { ConflictError } from '../../server/oauth2/errors.js';
import type { AuthorizationCodeRecord, RefreshTokenRecord } from '../../server/oauth2/ports.js';
import { MemoryFlowStore } from './memory-flow-store.js';
import type { MemoryAccessTokenStore } from './memory-token-store.js';

export class MemoryGrantStore implements GrantStore {
  constructor(
    readonly accessTokens: MemoryAccessTokenStore,
    readonly flows: MemoryFlowStore = new MemoryFlowStore(accessTokens),
  ) {
    if (flows.accessTokens !== accessTokens) throw new Error('the flow store must share the access tokens');
  }

  private flow(requestId: string): FlowRecord | undefined {
    return this.flows.rows.get(requestId)?.flow;
  }

  async code(signature: string): Promise<(AuthorizationCodeRecord & { flow: FlowRecord }) | null> {
    const code = this.flows.codes.get(signature);
    const flow = code && this.flow(code.request_id);
    return code && flow ? structuredClone({ ...code, flow }) : null;
  }

  async redeemCode(signature: string, tokens: IssuedTokens, now: Date): Promise<RedeemOutcome> {
    const code = this.flows.codes.get(signature);
    if (!code || code.used_at !== null) return 'reused';
    this.checkInsertable(tokens);
    code.used_at = new Date(now);
    this.insert(tokens);
    return 'issued';
  }

  async refresh(signature: string): Promise<(RefreshTokenRecord & { flow: FlowRecord }) | null> {
    const token = this.flows.refreshTokens.get(signature);
    const flow = token && this.flow(token.request_id);
    return token && flow ? structuredClone({ ...token, flow }) : null;
  }

  async rotate(
    signature: string,
    tokens: IssuedTokens,
    rotation: RotationPolicy,
    now: Date,
  ): Promise<RedeemOutcome> {
    const token = this.flows.refreshTokens.get(signature);
    if (!token) return 'reused';
    const strict = rotation.gracePeriodMs <= 0;
    const withinGrace =
      !strict &&
      token.first_used_at !== null &&
      token.first_used_at.getTime() + rotation.gracePeriodMs > now.getTime() &&
      (rotation.reuseCount === 0 || token.used_times < rotation.reuseCount);
    if (!token.active && !withinGrace) return 'reused';
    this.checkInsertable(tokens);
    const keepUntil = new Date(now.getTime() + Math.max(rotation.keepRotatedMs, rotation.gracePeriodMs));
    const retire = (t: RefreshTokenRecord) => {
      t.active = false;
      if (t.expires_at === null || t.expires_at > keepUntil) t.expires_at = keepUntil;
    };
    retire(token);
    token.first_used_at ??= new Date(now);
    token.used_times += 1;
    if (strict) {
      for (const t of this.flows.refreshTokens.values())
        if (t.request_id === token.request_id && t.active) retire(t);
      await this.accessTokens.deleteByRequestId(token.request_id);
    } else {
      this.accessTokens.rows.delete(token.access_token_signature);
    }
    this.insert(tokens);
    return 'issued';
  }

  async revokeGrant(requestId: string): Promise<void> {
    for (const [signature, code] of this.flows.codes) {
      if (code.request_id === requestId) this.flows.codes.delete(signature);
    }
    for (const [signature, token] of this.flows.refreshTokens) {
      if (token.request_id === requestId) this.flows.refreshTokens.delete(signature);
    }
    await this.accessTokens.deleteByRequestId(requestId);
  }

  async deleteByClientId(clientId: string): Promise<void> {
    for (const [signature, code] of this.flows.codes) {
      if (code.client_id === clientId) this.flows.codes.delete(signature);
    }
    for (const [signature, token] of this.flows.refreshTokens) {
      if (token.client_id === clientId) this.flows.refreshTokens.delete(signature);
    }
  }

  /** A duplicate signature fails the whole call before anything changed, as a rolled-back transaction. */
  private checkInsertable(tokens: IssuedTokens): void {
    if (
      (tokens.access && this.accessTokens.rows.has(tokens.access.signature)) ||
      (tokens.refresh && this.flows.refreshTokens.has(tokens.refresh.signature))
    ) {
      throw new ConflictError();
    }
  }

  private insert(tokens: IssuedTokens): void {
    if (tokens.access) this.accessTokens.rows.set(tokens.access.signature, structuredClone(tokens.access));
    if (tokens.refresh)
      this.flows.refreshTokens.set(tokens.refresh.signature, structuredClone(tokens.refresh));
  }
}
