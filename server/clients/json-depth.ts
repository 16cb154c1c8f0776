// How deeply a JSON value nests. Request bodies, and the documents a JSON Patch produces, are bounded: the code
// that copies, validates and stores them recurses (structuredClone, JSON.stringify, the patcher), and a body
// nested thousands of levels deep would exhaust the stack, a 500, where a 400 is due. Go's encoding/json stops
// at 10,000 levels; no client document needs more than a few, so the bound is far lower.

/** Most levels of objects and arrays a JSON body (or a patched client) may nest; `{}` is one level. */
export const MAX_JSON_DEPTH = 64;

/** Whether `value` nests objects and arrays more than `max` levels deep. Iterative, so deep input is safe. */
export function deeperThan(value: unknown, max: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const stack: [object, number][] = [[value, 1]];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [node, depth] = next;
    if (depth > max) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}
