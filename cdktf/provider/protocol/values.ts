// Terraform values on the wire (hashicorp/terraform: docs/plugin-protocol/object-wire-format.md): a
// DynamicValue carries msgpack (JSON only in old states), objects are maps holding every attribute, null is
// nil, and an unknown value is a msgpack extension. Terraform ≥1.6 sends *refined* unknowns (extension 12
// whose payload is a map of what is already known, e.g. "not null" or a string prefix); older encoders use
// extension 0. Every extension decodes as unknown; we always answer with the plain extension-0 form, which
// Terraform accepts in place of a refined one.
import { decode, Encoder, ExtData, ExtensionCodec } from '@msgpack/msgpack';

/** What a refined unknown promises (cty's refinement keys: 1 nullness, 2 string prefix, 3–4 number bounds, 5–6 length bounds). */
export interface Refinement {
  notNull?: boolean;
  stringPrefix?: string;
  numberLowerBound?: unknown;
  numberUpperBound?: unknown;
  lengthLowerBound?: number;
  lengthUpperBound?: number;
}

/** A value Terraform does not know yet ("known after apply"). */
export class Unknown {
  constructor(readonly refinement: Refinement = {}) {}
}

export const UNKNOWN = new Unknown();

/** A decoded Terraform value: a JSON-like tree (sets and lists are arrays, maps and objects are plain objects) that may hold unknowns. */
export type Value = null | string | number | boolean | Unknown | Value[] | { [key: string]: Value };
export type ObjectValue = { [key: string]: Value };

export const isUnknown = (v: unknown): v is Unknown => v instanceof Unknown;

/** True when the value or anything inside it is unknown. */
export function containsUnknown(v: Value): boolean {
  if (v instanceof Unknown) return true;
  if (Array.isArray(v)) return v.some(containsUnknown);
  if (v !== null && typeof v === 'object') return Object.values(v).some(containsUnknown);
  return false;
}

const REFINED_UNKNOWN = 12;

const codec = new ExtensionCodec();
codec.register({
  type: 0,
  encode: (input: unknown) => (input instanceof Unknown ? new Uint8Array([0]) : null),
  decode: () => UNKNOWN,
});

function readRefinement(data: Uint8Array): Refinement {
  let raw: unknown;
  try {
    raw = decode(data);
  } catch {
    return {};
  }
  if (raw === null || typeof raw !== 'object') return {};
  const m = raw as Record<number, unknown>;
  const out: Refinement = {};
  if (m[1] === false) out.notNull = true;
  if (typeof m[2] === 'string') out.stringPrefix = m[2];
  if (m[3] !== undefined) out.numberLowerBound = m[3];
  if (m[4] !== undefined) out.numberUpperBound = m[4];
  if (typeof m[5] === 'number') out.lengthLowerBound = m[5];
  if (typeof m[6] === 'number') out.lengthUpperBound = m[6];
  return out;
}

/** Replaces every extension left undecoded by the codec (all types but 0) with an Unknown. */
function resolveExtensions(v: unknown): Value {
  if (v instanceof ExtData) {
    if (v.type !== REFINED_UNKNOWN) return UNKNOWN;
    return new Unknown(readRefinement(typeof v.data === 'function' ? v.data(0) : v.data));
  }
  if (v instanceof Unknown) return v;
  if (v instanceof Uint8Array) throw new TypeError('binary data is not a Terraform value');
  if (Array.isArray(v)) return v.map(resolveExtensions);
  if (v !== null && typeof v === 'object') {
    const out: ObjectValue = {};
    for (const [k, x] of Object.entries(v)) out[k] = resolveExtensions(x);
    return out;
  }
  if (v === undefined) return null;
  return v as Value;
}

/** Decodes msgpack bytes; empty bytes (an absent DynamicValue) are null. */
export function decodeMsgpack(bytes: Uint8Array): Value {
  if (bytes.length === 0) return null;
  return resolveExtensions(decode(bytes, { extensionCodec: codec }));
}

const encoder = new Encoder({ extensionCodec: codec, ignoreUndefined: false });

/** Encodes a value as msgpack: unknowns as extension 0, numbers as int or float64. */
export function encodeMsgpack(value: Value): Uint8Array {
  return encoder.encode(value);
}

export interface DynamicValue {
  msgpack?: Uint8Array | null;
  json?: Uint8Array | null;
}

/** Reads a DynamicValue: msgpack when present, otherwise JSON (which cannot carry unknowns). */
export function fromDynamic(dv: DynamicValue | null | undefined): Value {
  if (!dv) return null;
  if (dv.msgpack && dv.msgpack.length > 0) return decodeMsgpack(dv.msgpack);
  if (dv.json && dv.json.length > 0) return JSON.parse(Buffer.from(dv.json).toString('utf8')) as Value;
  return null;
}

export function toDynamic(value: Value): { msgpack: Buffer } {
  return { msgpack: Buffer.from(encodeMsgpack(value)) };
}
