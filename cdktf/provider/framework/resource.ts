// What a resource, a data source and a provider implement; framework/server.ts turns them into the
// tfplugin6 RPCs. C is whatever ConfigureProvider produced (the admin API client).
import type { ObjectValue, Value } from '../protocol/values.js';
import type { Diagnostic } from './diagnostics.js';
import type { Schema } from './schema.js';

export interface CallContext<C> {
  client: C;
  /** Aborted when Terraform sends StopProvider (Ctrl-C). */
  signal: AbortSignal;
}

export interface ManagedResource<C> {
  readonly name: string;
  readonly schema: Schema;
  /** Checks a configuration (values may be unknown). */
  validate?(config: ObjectValue): Diagnostic[];
  /** Resource-specific changes after the generic plan (framework/plan.ts). */
  modifyPlan?(plan: { prior: ObjectValue | null; planned: ObjectValue; config: ObjectValue }): void;
  create(ctx: CallContext<C>, planned: ObjectValue, config: ObjectValue): Promise<ObjectValue>;
  /** The current object, or null when it no longer exists. */
  read(ctx: CallContext<C>, state: ObjectValue): Promise<ObjectValue | null>;
  update(
    ctx: CallContext<C>,
    prior: ObjectValue,
    planned: ObjectValue,
    config: ObjectValue,
  ): Promise<ObjectValue>;
  delete(ctx: CallContext<C>, prior: ObjectValue): Promise<void>;
  /** The state `terraform import` starts from (the rest is filled by a read). */
  importState(id: string): Record<string, Value>;
  /** Turns a stored state of an older schema version (raw JSON) into the current shape. */
  upgrade?(version: number, state: Record<string, unknown>): Record<string, unknown>;
}

export interface DataSource<C> {
  readonly name: string;
  readonly schema: Schema;
  validate?(config: ObjectValue): Diagnostic[];
  read(ctx: CallContext<C>, config: ObjectValue): Promise<ObjectValue>;
}

export interface ProviderDefinition<C> {
  readonly schema: Schema;
  validate?(config: ObjectValue): Diagnostic[];
  /** Builds the client from the provider block (throw ProviderError for bad settings). */
  configure(config: ObjectValue, signal: AbortSignal): C;
  readonly resources: readonly ManagedResource<C>[];
  readonly dataSources: readonly DataSource<C>[];
}
