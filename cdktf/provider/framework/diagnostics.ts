// Errors and warnings as Terraform shows them (tfplugin6.Diagnostic), with the attribute they are about.
export interface Diagnostic {
  severity: 'ERROR' | 'WARNING';
  summary: string;
  detail?: string;
  /** Attribute path: names, or list indexes as numbers. */
  path?: (string | number)[];
}

/** An error a resource or the provider reports to the user as is. */
export class ProviderError extends Error {
  constructor(
    readonly summary: string,
    readonly detail = '',
    readonly path?: (string | number)[],
  ) {
    super(summary);
  }
}

export const error = (summary: string, detail = '', path?: (string | number)[]): Diagnostic => ({
  severity: 'ERROR',
  summary,
  detail,
  ...(path ? { path } : {}),
});

export function toProtoDiagnostic(d: Diagnostic): unknown {
  return {
    severity: d.severity,
    summary: d.summary,
    detail: d.detail ?? '',
    attribute: d.path
      ? {
          steps: d.path.map((s) => (typeof s === 'number' ? { element_key_int: s } : { attribute_name: s })),
        }
      : null,
  };
}

/** Any thrown value as a diagnostic: provider errors keep their summary and detail; others show their message. */
export function fromError(err: unknown, context: string): Diagnostic {
  if (err instanceof ProviderError) return error(err.summary, err.detail, err.path);
  const message = err instanceof Error ? err.message : String(err);
  return error(`${context}: ${message}`);
}
