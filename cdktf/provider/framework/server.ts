// The tfplugin6.Provider RPCs over a ProviderDefinition. Every handler answers: failures become
// diagnostics, never an unanswered call. The RPC sequence Terraform uses is recorded in
// docs/terraform.md#the-rpcs-terraform-calls (e.g. apply re-plans, destroy plans with a null proposal).
import type * as grpc from '@grpc/grpc-js';
import { log } from '../plugin/log.js';
import {
  type DynamicValue,
  fromDynamic,
  isUnknown,
  type ObjectValue,
  toDynamic,
  type Value,
} from '../protocol/values.js';
import { type Diagnostic, error, fromError, toProtoDiagnostic } from './diagnostics.js';
import { planChange } from './plan.js';
import type { CallContext, DataSource, ManagedResource, ProviderDefinition } from './resource.js';
import { type Block, conform, emptyObject, schemaToProto } from './schema.js';

/** The request fields of the RPCs served here (proto-loader objects; absent messages are null). */
interface RpcRequest {
  type_name: string;
  id: string;
  version: number;
  config: DynamicValue | null;
  current_state: DynamicValue | null;
  prior_state: DynamicValue | null;
  proposed_new_state: DynamicValue | null;
  planned_state: DynamicValue | null;
  raw_state: { json: Buffer | null; flatmap: Record<string, string> | null } | null;
  private: Buffer;
  prior_private: Buffer;
  planned_private: Buffer;
}

type Handler = (call: { request: RpcRequest }, callback: grpc.sendUnaryData<unknown>) => void;

const asObject = (v: Value): ObjectValue | null =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && !isUnknown(v) ? (v as ObjectValue) : null;

/** Runs validators of a block's attributes on known, non-null values. */
export function validateAttributes(block: Block, config: ObjectValue): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [name, a] of Object.entries(block.attributes)) {
    const v = config[name] as Value;
    if (v === null || v === undefined || isUnknown(v) || !a.validate) continue;
    const message = a.validate(v);
    if (message) out.push(error(`Invalid ${name}`, message, [name]));
  }
  return out;
}

export function createProviderHandlers<C>(
  def: ProviderDefinition<C>,
  stop: AbortController,
): Record<string, Handler> {
  const resources = new Map<string, ManagedResource<C>>(def.resources.map((r) => [r.name, r]));
  const dataSources = new Map<string, DataSource<C>>(def.dataSources.map((d) => [d.name, d]));
  let client: C | undefined;

  const capabilities = { plan_destroy: true, get_provider_schema_optional: true, move_resource_state: false };

  const context = (): CallContext<C> => {
    if (client === undefined) throw new Error('the provider was not configured');
    return { client, signal: stop.signal };
  };

  // Wraps an async RPC body: exceptions become an error diagnostic in the response's diagnostics field.
  const rpc =
    (
      name: string,
      body: (req: RpcRequest) => Promise<Record<string, unknown>> | Record<string, unknown>,
      fallback: Record<string, unknown> = {},
    ): Handler =>
    (call, callback) => {
      log('trace', name, call.request.type_name ? { type: call.request.type_name } : {});
      Promise.resolve()
        .then(() => body(call.request))
        .then(
          (res) => callback(null, res),
          (err: unknown) => {
            log('error', `${name} failed`, { error: err instanceof Error ? err.message : String(err) });
            callback(null, { ...fallback, diagnostics: [toProtoDiagnostic(fromError(err, name))] });
          },
        );
    };

  const diags = (list: Diagnostic[]) => list.map(toProtoDiagnostic);
  const resource = (typeName: string) => {
    const r = resources.get(typeName);
    if (!r) throw new Error(`unknown resource type ${typeName}`);
    return r;
  };

  return {
    GetMetadata: rpc('GetMetadata', () => ({
      server_capabilities: capabilities,
      resources: [...resources.keys()].map((type_name) => ({ type_name })),
      data_sources: [...dataSources.keys()].map((type_name) => ({ type_name })),
    })),

    GetProviderSchema: rpc('GetProviderSchema', () => ({
      provider: schemaToProto(def.schema),
      resource_schemas: Object.fromEntries([...resources].map(([n, r]) => [n, schemaToProto(r.schema)])),
      data_source_schemas: Object.fromEntries([...dataSources].map(([n, d]) => [n, schemaToProto(d.schema)])),
      server_capabilities: capabilities,
    })),

    ValidateProviderConfig: rpc('ValidateProviderConfig', (req) => {
      const config = asObject(fromDynamic(req.config)) ?? emptyObject(def.schema.block);
      return {
        diagnostics: diags([
          ...validateAttributes(def.schema.block, config),
          ...(def.validate?.(config) ?? []),
        ]),
      };
    }),

    ConfigureProvider: rpc('ConfigureProvider', (req) => {
      const config = asObject(fromDynamic(req.config)) ?? emptyObject(def.schema.block);
      client = def.configure(config, stop.signal);
      return { diagnostics: [] };
    }),

    ValidateResourceConfig: rpc('ValidateResourceConfig', (req) => {
      const r = resource(req.type_name);
      const config = asObject(fromDynamic(req.config)) ?? emptyObject(r.schema.block);
      return {
        diagnostics: diags([...validateAttributes(r.schema.block, config), ...(r.validate?.(config) ?? [])]),
      };
    }),

    ValidateDataResourceConfig: rpc('ValidateDataResourceConfig', (req) => {
      const d = dataSources.get(req.type_name);
      if (!d) throw new Error(`unknown data source ${req.type_name}`);
      const config = asObject(fromDynamic(req.config)) ?? emptyObject(d.schema.block);
      return {
        diagnostics: diags([...validateAttributes(d.schema.block, config), ...(d.validate?.(config) ?? [])]),
      };
    }),

    UpgradeResourceState: rpc('UpgradeResourceState', (req) => {
      const r = resource(req.type_name);
      const raw = req.raw_state?.json;
      if (!raw || raw.length === 0) {
        if (req.raw_state?.flatmap && Object.keys(req.raw_state.flatmap).length > 0) {
          throw new Error(
            'state in the pre-0.12 flatmap format is not supported; refresh it with Terraform ≥0.12 first',
          );
        }
        return { upgraded_state: toDynamic(null) };
      }
      let state = JSON.parse(Buffer.from(raw).toString('utf8')) as Record<string, unknown>;
      const version = Number(req.version ?? 0);
      if (version > r.schema.version) {
        throw new Error(
          `the state was written by a newer provider (schema version ${version} > ${r.schema.version})`,
        );
      }
      if (version < r.schema.version && r.upgrade) state = r.upgrade(version, state);
      return { upgraded_state: toDynamic(conform(r.schema.block, state)) };
    }),

    ReadResource: rpc('ReadResource', async (req) => {
      const r = resource(req.type_name);
      const current = asObject(fromDynamic(req.current_state));
      if (current === null) return { new_state: toDynamic(null), private: req.private };
      const next = await r.read(context(), current);
      return { new_state: toDynamic(next), private: req.private };
    }),

    PlanResourceChange: rpc('PlanResourceChange', (req) => {
      const r = resource(req.type_name);
      const prior = asObject(fromDynamic(req.prior_state));
      const proposed = asObject(fromDynamic(req.proposed_new_state));
      if (proposed === null) return { planned_state: toDynamic(null) }; // destroy
      const config = asObject(fromDynamic(req.config)) ?? emptyObject(r.schema.block);
      const { planned, requiresReplace } = planChange(r.schema.block, prior, proposed, config, r.modifyPlan);
      return {
        planned_state: toDynamic(planned),
        requires_replace: requiresReplace.map((name) => ({ steps: [{ attribute_name: name }] })),
        planned_private: req.prior_private,
      };
    }),

    ApplyResourceChange: rpc('ApplyResourceChange', async (req) => {
      const r = resource(req.type_name);
      const prior = asObject(fromDynamic(req.prior_state));
      const planned = asObject(fromDynamic(req.planned_state));
      const config = asObject(fromDynamic(req.config)) ?? emptyObject(r.schema.block);
      const ctx = context();
      try {
        if (planned === null) {
          if (prior !== null) await r.delete(ctx, prior);
          return { new_state: toDynamic(null) };
        }
        const next =
          prior === null ? await r.create(ctx, planned, config) : await r.update(ctx, prior, planned, config);
        return { new_state: toDynamic(next), private: req.planned_private };
      } catch (err) {
        // Nothing changed: Terraform keeps the prior object (or none).
        return {
          new_state: toDynamic(prior),
          diagnostics: [toProtoDiagnostic(fromError(err, 'ApplyResourceChange'))],
        };
      }
    }),

    ImportResourceState: rpc('ImportResourceState', (req) => {
      const r = resource(req.type_name);
      const state = conform(r.schema.block, r.importState(req.id));
      return {
        imported_resources: [{ type_name: req.type_name, state: toDynamic(state), private: Buffer.alloc(0) }],
      };
    }),

    ReadDataSource: rpc('ReadDataSource', async (req) => {
      const d = dataSources.get(req.type_name);
      if (!d) throw new Error(`unknown data source ${req.type_name}`);
      const config = asObject(fromDynamic(req.config)) ?? emptyObject(d.schema.block);
      return { state: toDynamic(await d.read(context(), config)) };
    }),
  };
}
