// Scope matching, as fosite's `scope_strategy.go`. Hydra selects it with `strategies.scope`: `wildcard` (the
// schema default) or, for any other value, `exact` (driver/config/provider_fosite.go GetScopeStrategy).
// Matching is case-sensitive. fosite's HierarchicScopeStrategy is never selected by Hydra, so it is not here.

/** True when `requested` is allowed by one of the `allowed` scope patterns. */
export type ScopeStrategy = (allowed: readonly string[], requested: string) => boolean;

/**
 * `.`-separated parts; `*` matches one non-empty part, or everything that follows when it is the last part of
 * the pattern. `foo.*` allows `foo.bar` and `foo.bar.baz` but not `foo`; `foo` allows only `foo`.
 */
export const wildcardScopeStrategy: ScopeStrategy = (allowed, requested) => {
  const needle = requested.split('.');
  return allowed.some((pattern) => {
    const parts = pattern.split('.');
    if (parts.length > needle.length) return false;
    return parts.every((part, k) => {
      // A shorter pattern only matches when its last part is `*` (foo.* covers foo.bar.baz).
      if (k === parts.length - 1 && parts.length !== needle.length && part !== '*') return false;
      const wanted = needle[k] ?? '';
      return (part === '*' && wanted.length > 0) || part === wanted;
    });
  });
};

/** Plain string equality. */
export const exactScopeStrategy: ScopeStrategy = (allowed, requested) => allowed.includes(requested);

/** Hydra's `strategies.scope`: `wildcard` (case-insensitive) selects the wildcard strategy, anything else exact. */
export function scopeStrategyFor(name = 'wildcard'): ScopeStrategy {
  return name.toLowerCase() === 'wildcard' ? wildcardScopeStrategy : exactScopeStrategy;
}
