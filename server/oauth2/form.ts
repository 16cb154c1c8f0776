// Reading an `application/x-www-form-urlencoded` body the way Go's `url.Values` does, so parameter handling
// matches fosite: `Get` returns the first value of a repeated parameter, and lists are split the way fosite
// splits them.

/** A parsed form body: a repeated parameter arrives as an array, in order. */
export type Form = Record<string, string | string[] | undefined>;

/** Any object holding form values under known keys (a `Form`, or a typed request such as `{ token?: string }`). */
export type FormFields<K extends string> = { readonly [P in K]?: string | string[] | undefined };

/** Go's `url.Values.Get`: the first value, or "" when the parameter is absent. */
export function formValue<K extends string>(form: FormFields<K>, key: K): string {
  const value = form[key];
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  return value[0] ?? '';
}

/** Every value of a (possibly repeated) parameter, in order. */
export function formValues<K extends string>(form: FormFields<K>, key: K): string[] {
  const value = form[key];
  if (value === undefined) return [];
  return typeof value === 'string' ? [value] : [...value];
}

/** Go's `len(r.PostForm) == 0`: no parameter at all, not even an empty one. */
export function isEmptyForm(form: object): boolean {
  return Object.values(form).every((value) => value === undefined);
}

// Go's unicode.IsSpace set (Latin-1 spaces plus Unicode White_Space), used by strings.TrimSpace and
// strings.Fields.
const GO_SPACE = '\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const LEADING_OR_TRAILING_SPACE = new RegExp(`^[${GO_SPACE}]+|[${GO_SPACE}]+$`, 'g');
const SPACE_RUN = new RegExp(`[${GO_SPACE}]+`);

/** Go's `strings.TrimSpace`. */
export function trimSpace(value: string): string {
  return value.replace(LEADING_OR_TRAILING_SPACE, '');
}

/** Go's `strings.Fields`: how Hydra splits a client's `scope` string. */
export function fields(value: string): string[] {
  return value.split(SPACE_RUN).filter((part) => part !== '');
}

/** fosite's `RemoveEmpty(strings.Split(value, " "))`: split on single spaces, trim each part, drop empty ones. */
export function splitSpaceList(value: string): string[] {
  return value
    .split(' ')
    .map(trimSpace)
    .filter((part) => part !== '');
}

/** First occurrence wins, compared case-sensitively (fosite's `AppendRequestedScope`/`GrantScope`). */
export function dedupe(values: readonly string[]): string[] {
  return [...new Set(values)];
}
