// openapi.yaml, loaded once: the route table (operationId → method + path) and request validators compiled at
// startup (never per request). The test suite uses the same module to validate every response.
import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { parse as parseYaml } from 'yaml';
import { packageFile } from '../package-files.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

export const CONTRACT_FILE = packageFile('openapi.yaml');
const SPEC_ID = 'tollgate:openapi';
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
export type Method = (typeof METHODS)[number];

/** A request that does not match the contract; the error handler words it per endpoint family. */
export class RequestValidationError extends Error {
  constructor(
    readonly location: 'path' | 'query' | 'body',
    message: string,
  ) {
    super(message);
  }
}

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: Record<string, unknown>;
}

interface RequestShape {
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: unknown;
  contentType: string | undefined;
}

export interface Operation {
  operationId: string;
  method: Method;
  /** Path as written in the contract, e.g. /admin/clients/{id}. */
  path: string;
  /** Media types the request body may use; empty when the operation takes no body. */
  bodyTypes: string[];
  bodyRequired: boolean;
  /** `x-tollgate-no-store`: the response carries a secret, a private key or a token, so no cache may keep it. */
  noStore: boolean;
  /**
   * `x-tollgate-values-in-domain`: a body whose only faults are values (missing, out of an enum, off a
   * pattern) passes validation, because the domain checks those itself and answers with Hydra's error bodies.
   */
  valuesInDomain: boolean;
  /** `x-tollgate-fast-path`: served from node:http without Express when the request is plain (fast-path.ts). */
  fastPath: boolean;
  /**
   * `x-tollgate-rate-limit`: limited per address and per client, the client being the id the request claims
   * (`claimed_client`) or the caller's Basic user name or bearer token (`caller`).
   */
  rateLimit: RateLimitKey | undefined;
  /** The security requirements name `adminBearer`: the optional admin authentication applies. */
  adminAuth: boolean;
  /** `x-tollgate-error-style`: how its errors are worded (error-handler.ts); `admin` unless declared. */
  errorStyle: ErrorStyle;
  /**
   * `x-tollgate-cors: client`: besides the configured origins, the origins the calling client registered
   * (`allowed_cors_origins`) may call it, as Hydra allows on its public routes.
   */
  cors: boolean;
  /** `x-tollgate-dev-only: true`: mounted only in `--dev` mode (the built-in login and consent pages). */
  devOnly: boolean;
  /** Validates and normalises (coerces query types, first value of repeated form fields) in place. */
  validate(request: RequestShape): void;
}

export type RateLimitKey = 'claimed_client' | 'caller';
const RATE_LIMIT_KEYS: readonly unknown[] = ['claimed_client', 'caller'] satisfies RateLimitKey[];

/**
 * The OAuth 2.0 endpoints answer errors as fosite does (RFC 6749 §5.2 `invalid_request` and friends, never
 * cached); the pages a browser opens (the authorization endpoint, the built-in login and consent pages) as an
 * HTML page; the rest as Hydra's admin API (herodot: the HTTP status text as `error`).
 */
export type ErrorStyle = 'oauth2' | 'admin' | 'html';
const ERROR_STYLES: readonly unknown[] = ['oauth2', 'admin', 'html'] satisfies ErrorStyle[];
const CORS_VALUES: readonly unknown[] = ['client'];

export interface Contract {
  document: Record<string, unknown>;
  operations: Map<string, Operation>;
  /** For tests: the errors of a response against the contract, or null when it conforms. */
  checkResponse(
    operationId: string,
    status: number,
    contentType: string | undefined,
    body: unknown,
  ): string | null;
}

const pointer = (...parts: string[]) =>
  parts.map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');

const describe = (errors: ErrorObject[] | null | undefined, subject: string) =>
  (errors ?? [])
    .slice(0, 3)
    .map((e) => {
      const where = `${subject}${e.instancePath.replaceAll('/', '.')}`;
      if (e.keyword === 'required' && subject === 'query parameter')
        // Hydra's wording for a missing query parameter (e.g. DELETE /admin/oauth2/tokens without client_id).
        return `Query parameter '${e.params.missingProperty}' is not defined but it should have been`;
      if (e.keyword === 'required')
        return `${where} is missing required property '${e.params.missingProperty}'`;
      if (e.keyword === 'additionalProperties')
        return `${where} has unknown property '${e.params.additionalProperty}'`;
      if (e.keyword === 'enum')
        return `${where} must be one of ${(e.params.allowedValues as unknown[]).join(', ')}`;
      return `${where} ${e.message}`;
    })
    .join('; ');

/** JSON Schema keywords about a value rather than the shape of the document. */
const VALUE_KEYWORDS = new Set(['required', 'enum', 'const', 'pattern', 'format', 'minLength', 'maxLength']);

let cached: Contract | undefined;

export function loadContract(file = CONTRACT_FILE): Contract {
  if (file === CONTRACT_FILE && cached) return cached;
  const document = parseYaml(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const ajvOptions = {
    strict: false,
    allErrors: false,
    validateSchema: false,
    allowUnionTypes: true,
  } as const;
  // All errors for bodies, to tell a body with only value faults from one with a shape fault.
  const bodies = new Ajv2020({ ...ajvOptions, allErrors: true });
  const params = new Ajv2020({ ...ajvOptions, coerceTypes: true });
  const responses = new Ajv2020(ajvOptions);
  for (const ajv of [bodies, params, responses]) {
    addFormats(ajv);
    ajv.addSchema(document, SPEC_ID);
  }
  const ref = (ajv: Ajv2020, ...path: string[]): ValidateFunction =>
    ajv.compile({ $ref: `${SPEC_ID}#/${pointer(...path)}` });

  const operations = new Map<string, Operation>();
  const responseChecks = new Map<
    string,
    (status: number, type: string | undefined, body: unknown) => string | null
  >();
  const paths = (document.paths ?? {}) as Record<string, Record<string, unknown>>;

  for (const [path, item] of Object.entries(paths)) {
    const shared = (item.parameters ?? []) as Parameter[];
    for (const method of METHODS) {
      const op = item[method] as Record<string, unknown> | undefined;
      if (!op) continue;
      const operationId = String(op.operationId);
      // Each parameter as [pointer to it, resolved object]: schemas are compiled by pointer so that their
      // `#/components/...` references resolve inside the document.
      const parameters = [
        ...shared.map((_, i) => follow(['paths', path, 'parameters', String(i)])),
        ...((op.parameters ?? []) as unknown[]).map((_, i) =>
          follow(['paths', path, method, 'parameters', String(i)]),
        ),
      ].map(([at, p]) => [at, p as unknown as Parameter] as const);
      const paramValidator = (location: 'path' | 'query') => {
        const list = parameters.filter(([, p]) => p.in === location);
        return params.compile({
          type: 'object',
          properties: Object.fromEntries(
            list.map(([at, p]) => [
              p.name,
              p.schema ? { $ref: `${SPEC_ID}#/${pointer(...at, 'schema')}` } : {},
            ]),
          ),
          required: list.filter(([, p]) => p.required || location === 'path').map(([, p]) => p.name),
        });
      };
      const validatePath = paramValidator('path');
      const validateQuery = paramValidator('query');

      const requestBody = op.requestBody
        ? resolve(document, op.requestBody as Record<string, unknown>)
        : undefined;
      const content = (requestBody?.content ?? {}) as Record<string, { schema?: unknown }>;
      const bodyTypes = Object.keys(content);
      const bodyValidators = new Map<string, ValidateFunction>();
      // Per media type: form fields that always arrive as an array, and fields that may be repeated at all
      // (an array, or `anyOf`/`oneOf` with an array branch such as `audience`).
      const formArrays = new Map<string, Set<string>>();
      const formRepeatable = new Map<string, Set<string>>();
      for (const type of bodyTypes) {
        bodyValidators.set(
          type,
          ref(bodies, 'paths', path, method, 'requestBody', 'content', type, 'schema'),
        );
        const schema = resolve(document, (content[type]?.schema ?? {}) as Record<string, unknown>);
        const props = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
        const isArray = (node: Record<string, unknown>) => resolve(document, node).type === 'array';
        const repeatable = (node: Record<string, unknown>) => {
          const resolved = resolve(document, node);
          const branches = [resolved.anyOf, resolved.oneOf].flatMap((b) =>
            Array.isArray(b) ? (b as Record<string, unknown>[]) : [],
          );
          return isArray(resolved) || branches.some(isArray);
        };
        formArrays.set(type, new Set(Object.keys(props).filter((k) => isArray(props[k] ?? {}))));
        formRepeatable.set(type, new Set(Object.keys(props).filter((k) => repeatable(props[k] ?? {}))));
      }
      const bodyRequired = Boolean(requestBody?.required);
      const valuesInDomain = op['x-tollgate-values-in-domain'] === true;
      const rateLimit = op['x-tollgate-rate-limit'];
      if (rateLimit !== undefined && !RATE_LIMIT_KEYS.includes(rateLimit)) {
        throw new Error(`${operationId}: x-tollgate-rate-limit must be one of ${RATE_LIMIT_KEYS.join(', ')}`);
      }
      const errorStyle = op['x-tollgate-error-style'] ?? 'admin';
      if (!ERROR_STYLES.includes(errorStyle)) {
        throw new Error(`${operationId}: x-tollgate-error-style must be one of ${ERROR_STYLES.join(', ')}`);
      }
      const cors = op['x-tollgate-cors'];
      if (cors !== undefined && !CORS_VALUES.includes(cors)) {
        throw new Error(`${operationId}: x-tollgate-cors must be one of ${CORS_VALUES.join(', ')}`);
      }
      const devOnly = op['x-tollgate-dev-only'] ?? false;
      if (typeof devOnly !== 'boolean') {
        throw new Error(`${operationId}: x-tollgate-dev-only must be true or false`);
      }
      const security = (op.security ?? document.security ?? []) as Record<string, unknown>[];

      operations.set(operationId, {
        operationId,
        method,
        path,
        bodyTypes,
        bodyRequired,
        noStore: op['x-tollgate-no-store'] === true,
        valuesInDomain,
        fastPath: op['x-tollgate-fast-path'] === true,
        rateLimit: rateLimit as RateLimitKey | undefined,
        adminAuth: security.some((requirement) => 'adminBearer' in requirement),
        errorStyle: errorStyle as ErrorStyle,
        cors: cors === 'client',
        devOnly,
        validate(request) {
          if (!validatePath(request.params)) {
            throw new RequestValidationError('path', describe(validatePath.errors, 'path'));
          }
          if (!validateQuery(request.query)) {
            throw new RequestValidationError('query', describe(validateQuery.errors, 'query parameter'));
          }
          if (bodyTypes.length === 0) return;
          const type = bodyTypes.find((t) => request.contentType?.toLowerCase().startsWith(t));
          if (!type || request.body === undefined) {
            if (bodyRequired) {
              throw new RequestValidationError('body', `the request body must be ${bodyTypes.join(' or ')}`);
            }
            return;
          }
          if (
            type === 'application/x-www-form-urlencoded' &&
            request.body &&
            typeof request.body === 'object'
          ) {
            // A repeated form parameter counts once, with its first value (Hydra, Go's url.Values.Get),
            // unless the contract declares it repeatable (e.g. `audience`).
            const arrays = formArrays.get(type) ?? new Set();
            const repeatable = formRepeatable.get(type) ?? new Set();
            const form = request.body as Record<string, unknown>;
            for (const [k, v] of Object.entries(form)) {
              if (Array.isArray(v) && !repeatable.has(k)) form[k] = v[0];
              else if (!Array.isArray(v) && arrays.has(k)) form[k] = [v];
            }
          }
          const validateBody = bodyValidators.get(type);
          if (validateBody && !validateBody(request.body)) {
            const errors = validateBody.errors ?? [];
            if (valuesInDomain && errors.every((e) => VALUE_KEYWORDS.has(e.keyword))) return;
            throw new RequestValidationError('body', describe(errors, 'body'));
          }
        },
      });

      const declared = (op.responses ?? {}) as Record<string, Record<string, unknown>>;
      // Response schemas are compiled on first use: only tests check responses, and compiling them all cost
      // the server's start-up more than every request validator together.
      const validators = new Map<string, Map<string, ValidateFunction>>();
      const validatorsFor = (status: string) => {
        if (!(status in declared)) return undefined;
        let types = validators.get(status);
        if (types) return types;
        const [at, resolved] = follow(['paths', path, method, 'responses', status]);
        types = new Map<string, ValidateFunction>();
        for (const [type, media] of Object.entries(
          (resolved.content ?? {}) as Record<string, { schema?: unknown }>,
        )) {
          if (media.schema) types.set(type, ref(responses, ...at, 'content', type, 'schema'));
        }
        validators.set(status, types);
        return types;
      };
      responseChecks.set(operationId, (status, contentType, body) => {
        const types =
          validatorsFor(String(status)) ??
          validatorsFor(`${String(status)[0]}XX`) ??
          validatorsFor('default');
        if (!types) return `status ${status} is not declared`;
        if (types.size === 0)
          return body === undefined || body === '' ? null : `status ${status} declares no body`;
        const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
        const validator = [...types].find(([t]) => t === mediaType)?.[1];
        if (!validator) return `content type ${contentType} is not declared for status ${status}`;
        return validator(body) ? null : describe(validator.errors, 'response');
      });
    }
  }

  const contract: Contract = {
    document,
    operations,
    checkResponse(operationId, status, contentType, body) {
      const check = responseChecks.get(operationId);
      return check ? check(status, contentType, body) : `unknown operation ${operationId}`;
    },
  };
  if (file === CONTRACT_FILE) cached = contract;
  return contract;

  /** The node at a pointer, following `$ref`s; returns the final pointer and the node. */
  function follow(at: string[]): [string[], Record<string, unknown>] {
    let node: unknown = document;
    for (const part of at) node = (node as Record<string, unknown>)[part];
    const current = node as Record<string, unknown>;
    if (typeof current.$ref !== 'string') return [at, current];
    return follow(
      current.$ref
        .replace(/^#\//, '')
        .split('/')
        .map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~')),
    );
  }

  function resolve<T extends Record<string, unknown>>(doc: Record<string, unknown>, node: T): T {
    let current: Record<string, unknown> = node;
    for (let i = 0; i < 10 && typeof current.$ref === 'string'; i++) {
      const parts = (current.$ref as string).replace(/^#\//, '').split('/');
      let target: unknown = doc;
      for (const part of parts) {
        target = (target as Record<string, unknown>)[part.replaceAll('~1', '/').replaceAll('~0', '~')];
      }
      current = target as Record<string, unknown>;
    }
    return current as T;
  }
}
