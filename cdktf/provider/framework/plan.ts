// Planning and refreshing rules shared by every resource (what terraform-plugin-framework does for Go
// providers): unknowns for computed values on create, prior spellings kept when semantically equal,
// replacement for changed force-new attributes, write-only values never planned or stored.

import { containsUnknown, isUnknown, type ObjectValue, UNKNOWN, type Value } from '../protocol/values.js';
import { type Block, cloneValue, isEmpty, valueEqual } from './schema.js';

export interface Plan {
  planned: ObjectValue;
  requiresReplace: string[];
}

const computedOnly = (block: Block, name: string) => {
  const a = block.attributes[name];
  return a !== undefined && a.computed === true && !a.optional && !a.required;
};

export function planChange(
  block: Block,
  prior: ObjectValue | null,
  proposed: ObjectValue,
  config: ObjectValue,
  modify?: (plan: { prior: ObjectValue | null; planned: ObjectValue; config: ObjectValue }) => void,
): Plan {
  const planned = cloneValue(proposed);
  const requiresReplace: string[] = [];
  for (const [name, a] of Object.entries(block.attributes)) if (a.writeOnly) planned[name] = null;

  const unknownWhereUnset = () => {
    for (const [name, a] of Object.entries(block.attributes)) {
      if (a.computed && config[name] === null && !a.writeOnly) planned[name] = UNKNOWN;
    }
  };

  if (prior === null) {
    unknownWhereUnset();
    modify?.({ prior, planned, config });
    return { planned, requiresReplace };
  }

  for (const [name, a] of Object.entries(block.attributes)) {
    const p = prior[name] as Value;
    const c = config[name] as Value;
    // Terraform accepts the prior value in place of an equivalent configured one (plan_valid.go).
    if (a.equal && p !== null && c !== null && !isUnknown(c) && !isUnknown(p) && a.equal(p, c))
      planned[name] = p;
  }
  modify?.({ prior, planned, config });
  let changed = false;
  for (const [name, a] of Object.entries(block.attributes)) {
    if (computedOnly(block, name) || a.writeOnly) continue;
    if (!valueEqual(a.type, planned[name] as Value, prior[name] as Value)) {
      changed = true;
      if (a.forceNew) requiresReplace.push(name);
    }
  }
  for (const [name, b] of Object.entries(block.blocks ?? {})) {
    if (
      JSON.stringify(planned[name]) !== JSON.stringify(prior[name]) ||
      containsUnknown(planned[name] as Value)
    ) {
      changed = true;
      if (b.forceNew) requiresReplace.push(name);
    }
  }
  if (requiresReplace.length > 0) unknownWhereUnset();
  if (changed) {
    for (const [name, a] of Object.entries(block.attributes)) if (a.unknownOnUpdate) planned[name] = UNKNOWN;
  }
  return { planned, requiresReplace };
}

/**
 * Merges what the server reports with what Terraform already has (the prior state on refresh, the plan on
 * apply). A remote value that means the same as the reference keeps the reference's spelling (`1h` stays
 * `1h` although the server answers `1h0m0s`; `[]` from the server stays null when unset); anything else is
 * the server's truth, which is how drift shows up. An attribute the remote leaves `undefined` is one the
 * server never returns (a secret): the reference is kept.
 */
export function reconcile(
  block: Block,
  remote: Readonly<Record<string, Value | undefined>>,
  reference: ObjectValue,
): ObjectValue {
  const out: ObjectValue = {};
  for (const [name, a] of Object.entries(block.attributes)) {
    const ref = (reference[name] ?? null) as Value;
    const got = remote[name];
    if (a.writeOnly) out[name] = null;
    else if (got === undefined) out[name] = isUnknown(ref) ? null : ref;
    else if (isUnknown(ref)) out[name] = got;
    else if (isEmpty(got) && isEmpty(ref)) out[name] = ref;
    else if (a.equal ? a.equal(got, ref) : valueEqual(a.type, got, ref)) out[name] = ref;
    else out[name] = isEmpty(got) && !a.computed ? null : got;
  }
  for (const name of Object.keys(block.blocks ?? {})) {
    const got = remote[name];
    out[name] = got === undefined ? ((reference[name] ?? null) as Value) : got;
  }
  return out;
}
