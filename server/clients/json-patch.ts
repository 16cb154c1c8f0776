// JSON Patch (RFC 6902) over JSON Pointer (RFC 6901), restricted the way Hydra restricts it for
// PATCH /admin/clients/{id} (`ory/x jsonx.ApplyJSONPatch`):
// - only `add`, `remove` and `replace`; `move`, `copy` and `test` are refused;
// - `replace` on a path that does not end in an array index becomes `add`, so replacing an absent member works;
// - `add` creates missing parent objects (evanphx/json-patch `EnsurePathExistsOnAdd`);
// - denied paths (and everything below them) are refused;
// - paths of more than MAX_JSON_DEPTH tokens, and results nested deeper than that, are refused (json-depth.ts).
// Hydra answers 500 for every refusal; Tollgate answers 400 with the reason (docs/hydra-differences.md).
import { isObject } from '../json.js';
import { BadRequestError } from '../oauth2/errors.js';
import { deeperThan, MAX_JSON_DEPTH } from './json-depth.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace';
  path: string;
  value?: unknown;
}

export interface ApplyJsonPatchOptions {
  /** JSON Pointers that no operation may target, nor anything below them (e.g. `/client_id`). */
  denyPaths?: readonly string[];
}

const fail = (reason: string): never => {
  throw new BadRequestError(`Unable to apply the JSON Patch: ${reason}`);
};

/** Splits a JSON Pointer into unescaped reference tokens ("" is the whole document). RFC 6901 §3, §4. */
export function parseJsonPointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/'))
    fail(`path ${JSON.stringify(pointer)} is not a JSON Pointer: it must start with '/'`);
  return pointer
    .slice(1)
    .split('/')
    .map((token) => {
      // `~` must be followed by 0 or 1; decode `~1` before `~0` so "~01" stays "~1".
      if (/~(?![01])/.test(token)) fail(`path ${JSON.stringify(pointer)} contains an invalid '~' escape`);
      return token.replaceAll('~1', '/').replaceAll('~0', '~');
    });
}

/** Defines an own property, so that a key such as "__proto__" is data and never touches the prototype. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Deep copy of a JSON value; anything that is not JSON (functions, undefined, NaN) is refused. */
function cloneJson(value: unknown, where: string): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) fail(`${where} is not a JSON value`);
    return value;
  }
  if (Array.isArray(value)) return value.map((v) => cloneJson(v, where));
  if (isObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) setOwn(out, k, cloneJson(v, where));
    return out;
  }
  return fail(`${where} is not a JSON value`);
}

/** RFC 6901 §4: an array index is "0" or digits without a leading zero. */
function arrayIndex(token: string, length: number, allowEnd: boolean, path: string): number {
  if (token === '-') {
    if (allowEnd) return length;
    return fail(`path ${JSON.stringify(path)}: '-' refers to a nonexistent array element`);
  }
  if (!/^(0|[1-9][0-9]*)$/.test(token))
    fail(`path ${JSON.stringify(path)}: ${JSON.stringify(token)} is not an array index`);
  const index = Number(token);
  if (index > length || (!allowEnd && index === length))
    fail(`path ${JSON.stringify(path)}: array index ${index} is out of bounds`);
  return index;
}

function validate(patch: unknown, deny: readonly string[][]): JsonPatchOperation[] {
  if (!Array.isArray(patch)) return fail('the patch must be a JSON array of operations');
  return patch.map((raw, i): JsonPatchOperation => {
    if (!isObject(raw)) return fail(`operation ${i} must be a JSON object`);
    const { op, path } = raw;
    if (typeof op !== 'string') return fail(`operation ${i} has no "op"`);
    // Hydra allows only these three: evanphx/json-patch's move and copy had bugs (ory/x jsonx/patch.go).
    if (op === 'move' || op === 'copy' || op === 'test') return fail(`unsupported operation: ${op}`);
    if (op !== 'add' && op !== 'remove' && op !== 'replace')
      return fail(`unknown operation: ${JSON.stringify(op)}`);
    if (typeof path !== 'string') return fail(`operation ${i} (${op}) has no "path"`);
    const tokens = parseJsonPointer(path);
    if (tokens.length > MAX_JSON_DEPTH) {
      return fail(`the path of operation ${i} has more than ${MAX_JSON_DEPTH} segments`);
    }
    for (const d of deny) {
      if (d.length <= tokens.length && d.every((t, j) => t === tokens[j]))
        return fail(`patch includes denied path: ${path}`);
    }
    if (op === 'remove') return { op, path };
    if (!Object.hasOwn(raw, 'value')) return fail(`operation ${i} (${op} ${path}) has no "value"`);
    return { op, path, value: cloneJson(raw.value, `the value of operation ${i}`) };
  });
}

function add(doc: unknown, tokens: string[], value: unknown, path: string): unknown {
  if (tokens.length === 0) return value; // RFC 6902 §4.1: adding at the root replaces the document
  let parent: unknown = doc;
  for (let i = 0; i < tokens.length - 1; i++) {
    const token = tokens[i] as string;
    if (Array.isArray(parent)) {
      parent = parent[arrayIndex(token, parent.length, false, path)];
    } else if (isObject(parent)) {
      // Hydra's patcher creates missing parents (EnsurePathExistsOnAdd); only objects are created here.
      if (!Object.hasOwn(parent, token) || parent[token] === null) setOwn(parent, token, {});
      parent = parent[token];
    } else {
      fail(
        `path ${JSON.stringify(path)}: cannot add below a ${parent === null ? 'null' : typeof parent} value`,
      );
    }
  }
  const last = tokens[tokens.length - 1] as string;
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, true, path), 0, value);
  else if (isObject(parent)) setOwn(parent, last, value);
  else
    fail(
      `path ${JSON.stringify(path)}: cannot add below a ${parent === null ? 'null' : typeof parent} value`,
    );
  return doc;
}

/** Follows all tokens but the last; throws when a member or element on the way is missing. */
function resolveParent(doc: unknown, tokens: string[], path: string): unknown {
  let parent: unknown = doc;
  for (const token of tokens.slice(0, -1)) {
    if (Array.isArray(parent)) parent = parent[arrayIndex(token, parent.length, false, path)];
    else if (isObject(parent) && Object.hasOwn(parent, token)) parent = parent[token];
    else fail(`path ${JSON.stringify(path)} does not exist`);
  }
  return parent;
}

function remove(doc: unknown, tokens: string[], path: string): unknown {
  if (tokens.length === 0) return fail('the whole document cannot be removed');
  const parent = resolveParent(doc, tokens, path);
  const last = tokens[tokens.length - 1] as string;
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, false, path), 1);
  else if (isObject(parent) && Object.hasOwn(parent, last)) delete parent[last];
  else fail(`path ${JSON.stringify(path)} does not exist`);
  return doc;
}

function replace(doc: unknown, tokens: string[], value: unknown, path: string): unknown {
  if (tokens.length === 0) return value;
  const parent = resolveParent(doc, tokens, path);
  const last = tokens[tokens.length - 1] as string;
  if (Array.isArray(parent)) parent[arrayIndex(last, parent.length, false, path)] = value;
  else if (isObject(parent) && Object.hasOwn(parent, last)) setOwn(parent, last, value);
  else fail(`path ${JSON.stringify(path)} does not exist`);
  return doc;
}

/**
 * Applies `patch` to a deep copy of `document` and returns the copy; `document` is never modified. The whole
 * patch is checked before any operation runs, and any failure throws `BadRequestError`.
 */
export function applyJsonPatch(
  document: unknown,
  patch: unknown,
  options: ApplyJsonPatchOptions = {},
): unknown {
  const deny = (options.denyPaths ?? []).map(parseJsonPointer);
  const ops = validate(patch, deny);
  let doc = cloneJson(document, 'the document');
  for (const op of ops) {
    const tokens = parseJsonPointer(op.path);
    if (op.op === 'remove') doc = remove(doc, tokens, op.path);
    // Hydra turns `replace` into `add` unless the path ends in an array index or "-" (jsonx.isElementAccess).
    else if (op.op === 'add' || !isElementAccess(tokens)) doc = add(doc, tokens, op.value, op.path);
    else doc = replace(doc, tokens, op.value, op.path);
  }
  if (deeperThan(doc, MAX_JSON_DEPTH))
    fail(`the patched document nests more than ${MAX_JSON_DEPTH} levels deep`);
  return doc;
}

function isElementAccess(tokens: string[]): boolean {
  const last = tokens[tokens.length - 1];
  return last !== undefined && (last === '-' || /^[+-]?[0-9]+$/.test(last));
}
