// Schemas as resources declare them, and their protocol form (tfplugin6.Schema). Attribute types are cty
// types; their protocol encoding is the type's JSON ("string", ["set","string"], ["object",{...}]).
import type { ObjectValue, Value } from '../protocol/values.js';
import { isUnknown } from '../protocol/values.js';

export type CtyType =
  | 'string'
  | 'number'
  | 'bool'
  | readonly ['list' | 'set' | 'map', CtyType]
  | readonly ['object', { readonly [name: string]: CtyType }];

export interface Attribute {
  type: CtyType;
  description: string;
  required?: boolean;
  optional?: boolean;
  computed?: boolean;
  sensitive?: boolean;
  /** Protocol 6.8 write-only: Terraform passes it in config only, never in plan or state (Terraform ≥1.11). */
  writeOnly?: boolean;
  /** A changed value replaces the object. */
  forceNew?: boolean;
  /** Becomes unknown whenever anything else in the object changes (e.g. `updated_at`). */
  unknownOnUpdate?: boolean;
  /** Semantic equality: when config or server value equals the prior one, the prior spelling is kept. */
  equal?: (a: Value, b: Value) => boolean;
  /** An error message for a known, non-null value. */
  validate?: (v: Value) => string | undefined;
}

export interface NestedBlock {
  nesting: 'list' | 'single';
  block: Block;
  minItems?: number;
  maxItems?: number;
  forceNew?: boolean;
}

export interface Block {
  description?: string;
  attributes: Readonly<Record<string, Attribute>>;
  blocks?: Readonly<Record<string, NestedBlock>>;
}

export interface Schema {
  version: number;
  block: Block;
}

const sorted = <T>(o: Readonly<Record<string, T>> | undefined): [string, T][] =>
  Object.entries(o ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

function blockToProto(block: Block): unknown {
  return {
    version: 0,
    description: block.description ?? '',
    description_kind: 'MARKDOWN',
    attributes: sorted(block.attributes).map(([name, a]) => ({
      name,
      type: Buffer.from(JSON.stringify(a.type)),
      description: a.description,
      description_kind: 'MARKDOWN',
      required: a.required ?? false,
      optional: a.optional ?? false,
      computed: a.computed ?? false,
      sensitive: a.sensitive ?? false,
      write_only: a.writeOnly ?? false,
    })),
    block_types: sorted(block.blocks).map(([name, b]) => ({
      type_name: name,
      block: blockToProto(b.block),
      nesting: b.nesting === 'list' ? 'LIST' : 'SINGLE',
      min_items: b.minItems ?? 0,
      max_items: b.maxItems ?? 0,
    })),
  };
}

export function schemaToProto(schema: Schema): unknown {
  return { version: schema.version, block: blockToProto(schema.block) };
}

/** The object every attribute null and every list block empty: Terraform needs every key present. */
export function emptyObject(block: Block): ObjectValue {
  const out: ObjectValue = {};
  for (const name of Object.keys(block.attributes)) out[name] = null;
  for (const [name, b] of Object.entries(block.blocks ?? {})) out[name] = b.nesting === 'list' ? [] : null;
  return out;
}

/** Fits a loosely shaped object (old JSON state, a partial import) to the block: missing keys null, extra keys dropped. */
export function conform(block: Block, input: Readonly<Record<string, unknown>>): ObjectValue {
  const out = emptyObject(block);
  for (const name of Object.keys(block.attributes)) {
    const v = input[name];
    if (v !== undefined) out[name] = v as Value;
  }
  for (const [name, b] of Object.entries(block.blocks ?? {})) {
    const v = input[name];
    if (b.nesting === 'list') {
      out[name] = Array.isArray(v)
        ? v
            .filter((x) => x !== null && typeof x === 'object')
            .map((x) => conform(b.block, x as Record<string, unknown>))
        : [];
    } else if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      out[name] = conform(b.block, v as Record<string, unknown>);
    }
  }
  return out;
}

/** Equality that knows sets are unordered; unknowns equal nothing. */
export function valueEqual(type: CtyType | undefined, a: Value, b: Value): boolean {
  if (isUnknown(a) || isUnknown(b)) return false;
  if (a === null || b === null) return a === b;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    const elem = Array.isArray(type) && type[0] !== 'object' ? (type[1] as CtyType) : undefined;
    if (Array.isArray(type) && type[0] === 'set') {
      const key = (v: Value) => JSON.stringify(v);
      const as = a.map(key).sort();
      const bs = b.map(key).sort();
      return as.every((x, i) => x === bs[i]);
    }
    return a.every((x, i) => valueEqual(elem, x, b[i] as Value));
  }
  if (typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    const fieldType = (k: string): CtyType | undefined =>
      Array.isArray(type)
        ? type[0] === 'object'
          ? (type[1] as Record<string, CtyType>)[k]
          : (type[1] as CtyType)
        : undefined;
    return ka.every((k) => k in b && valueEqual(fieldType(k), a[k] as Value, (b as ObjectValue)[k] as Value));
  }
  return a === b;
}

/** The values a server reports for "not set": null, "", false, 0, [] and {}. */
export function isEmpty(v: Value): boolean {
  if (v === null || v === '' || v === false || v === 0) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object' && !isUnknown(v)) return Object.keys(v).length === 0;
  return false;
}

/** Copies a value tree (unknowns are shared: they are immutable). */
export function cloneValue<T extends Value>(v: T): T {
  if (Array.isArray(v)) return v.map(cloneValue) as T;
  if (v !== null && typeof v === 'object' && !isUnknown(v)) {
    const out: ObjectValue = {};
    for (const [k, x] of Object.entries(v)) out[k] = cloneValue(x as Value);
    return out as T;
  }
  return v;
}
