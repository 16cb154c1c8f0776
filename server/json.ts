// What parsed JSON (a request body, a patch, a stored row) is checked with before its members are read.

/** A JSON object: neither null nor an array, which `typeof` also calls 'object'. */
export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
