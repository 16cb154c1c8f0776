// The OAuth 2.0 client's attributes, shared by resource `tollgate_oauth2_client` and its data source, derived
// from the contract's field table (`sdk/generated/client-fields.ts`): every field marked for Terraform is an
// attribute under its JSON name, typed by its kind. This module maps between attribute values and the wire.
import {
  CLIENT_FIELDS,
  type ClientField,
  type ClientFieldKind,
  type ClientFieldName,
  type OAuth2ClientWire,
} from '../../../sdk/client-fields.js';
import type { Attribute } from '../framework/schema.js';
import { isUnknown, type ObjectValue, type Value } from '../protocol/values.js';
import { jsonObject, oneOf, sameDuration, sameJson, str, validDuration } from './values.js';

/** Each resource declares the id itself: optional and forcing replacement in one, required in the other. */
const OWN_ID: ClientFieldName = 'client_id';

/** The client fields the resources carry, in the contract's order. */
export const TERRAFORM_FIELDS: readonly ClientField[] = CLIENT_FIELDS.filter(
  (f) => f.terraform && f.name !== OWN_ID,
);

/** The contract's allowed values of a field, checked at plan time so a typo fails before anything is applied. */
export const allowedCheck = (f: ClientField): Partial<Attribute> =>
  f.values.length > 0 ? { validate: oneOf(...f.values) } : {};

/** Fields the server changes on every update, so a plan cannot know them. */
const CHANGED_BY_UPDATE: readonly ClientFieldName[] = ['updated_at'];

const attributeOf: Record<ClientFieldKind, (f: ClientField) => Attribute> = {
  string: (f) => str(f.description, { computed: f.serverDefault }),
  set: (f) => ({ type: ['set', 'string'], optional: true, description: f.description }),
  bool: (f) => ({ type: 'bool', optional: true, description: f.description }),
  nullableBool: (f) => ({ type: 'bool', optional: true, description: f.description }),
  integer: (f) => ({ type: 'number', optional: true, description: f.description }),
  json: (f) =>
    str(`${f.description} A JSON string (\`jsonencode({...})\`).`, { equal: sameJson, validate: jsonObject }),
  duration: (f) =>
    str(`${f.description} Equal durations in another spelling (\`60m\`, \`1h0m0s\`) are no change.`, {
      equal: sameDuration,
      validate: validDuration,
    }),
  timestamp: (f) => str(f.description),
};

/** The same attribute as only the server sets it (read-only fields, and the data source's). */
export const computedOnly = (a: Attribute): Attribute => ({
  type: a.type,
  computed: true,
  description: a.description,
});

/** The client attributes common to resource and data source, for the resource (inputs optional). */
export function clientAttributes(): Record<string, Attribute> {
  const attrs: Record<string, Attribute> = {};
  for (const f of TERRAFORM_FIELDS) {
    const attribute = { ...attributeOf[f.kind](f), ...allowedCheck(f) };
    attrs[f.name] = f.readOnly
      ? {
          ...computedOnly(attribute),
          ...(CHANGED_BY_UPDATE.includes(f.name) ? { unknownOnUpdate: true } : {}),
        }
      : attribute;
  }
  return attrs;
}

const jsonOrNull = (v: unknown): string | null =>
  v !== null && typeof v === 'object' && Object.keys(v).length > 0 ? JSON.stringify(v) : null;

/** A wire value as an attribute value; anything of another type (or absent) is unset. */
export const fromWire: Record<ClientFieldKind, (v: unknown) => Value> = {
  string: (v) => (typeof v === 'string' ? v : null),
  set: (v) => (Array.isArray(v) ? (v as string[]) : null),
  bool: (v) => (typeof v === 'boolean' ? v : null),
  nullableBool: (v) => (typeof v === 'boolean' ? v : null),
  integer: (v) => (typeof v === 'number' ? v : null),
  json: jsonOrNull,
  duration: (v) => (typeof v === 'string' ? v : null),
  timestamp: (v) => (typeof v === 'string' ? v : null),
};

/** An attribute value as the wire takes it: JSON fields are JSON strings in Terraform, objects on the wire. */
export const toWire = (kind: ClientFieldKind, value: Value | undefined): unknown =>
  kind === 'json' && typeof value === 'string' ? JSON.parse(value) : value;

/** The server's client as attribute values (no secret: callers add it when the server returned one). */
export function fromApi(c: OAuth2ClientWire): Record<string, Value | undefined> {
  const raw = c as Record<string, unknown>;
  const out: Record<string, Value | undefined> = { client_id: c.client_id ?? null };
  for (const f of TERRAFORM_FIELDS) out[f.name] = fromWire[f.kind](raw[f.name]);
  return out;
}

/** The request body for create and replace from planned values (nulls left out: the server's "unset"). */
export function toApi(v: ObjectValue): OAuth2ClientWire {
  const body: Record<string, unknown> = {};
  const put = (n: string, x: unknown) => {
    if (x !== null && x !== undefined && !isUnknown(x)) body[n] = x;
  };
  put('client_id', v.client_id);
  for (const f of TERRAFORM_FIELDS) {
    if (f.readOnly) continue;
    put(f.name, toWire(f.kind, v[f.name]));
  }
  return body as OAuth2ClientWire;
}
