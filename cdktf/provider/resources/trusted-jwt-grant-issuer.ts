// Resource `tollgate_trusted_jwt_grant_issuer`: a trust relationship for the JWT bearer grant (RFC 7523) through
// /admin/trust/grants/jwt-bearer/issuers. Hydra has no update for trust relationships, so every argument
// replaces it. The GET answer names the key (set and kid) but does not carry it: the key is read from the key
// set the server stores it in, so an import gets it and a key changed behind Terraform's back shows up.
import type { AdminClient, TrustedIssuerWire, TrustIssuerWire } from '../admin-client.js';
import { type Diagnostic, error, ProviderError } from '../framework/diagnostics.js';
import { reconcile } from '../framework/plan.js';
import type { ManagedResource } from '../framework/resource.js';
import type { Schema } from '../framework/schema.js';
import { isUnknown, type ObjectValue, type Value } from '../protocol/values.js';
import { describeApiError } from './errors.js';
import {
  PRIVATE_JWK_MEMBERS,
  parseJson,
  publicJwkProblem,
  rfc3339Millis,
  rfc3339Problem,
  sameJwkJson,
  sameSecond,
} from './trust-values.js';

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ).
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

export const trustedJwtGrantIssuerSchema: Schema = {
  version: 0,
  block: {
    description:
      'A trusted issuer of JWT bearer grant assertions (RFC 7523): who may sign assertions, for which subject, with which key and scopes, until when. Every argument replaces the relationship (the admin API has no update). Import with the relationship id.',
    attributes: {
      id: {
        type: 'string',
        computed: true,
        description: 'The relationship id (a UUID chosen by the server).',
      },
      issuer: {
        type: 'string',
        required: true,
        forceNew: true,
        description: 'The `iss` of the assertions, e.g. `https://jwt-idp.example.com`.',
        validate: (v) => (v === '' ? 'must not be empty' : undefined),
      },
      subject: {
        type: 'string',
        optional: true,
        forceNew: true,
        description: 'The one `sub` the assertions may name. Set this or `allow_any_subject = true`.',
        validate: (v) =>
          v === '' ? 'must not be empty; use allow_any_subject = true for any subject' : undefined,
      },
      allow_any_subject: {
        type: 'bool',
        optional: true,
        computed: true,
        forceNew: true,
        description: 'The assertions may name any subject. Default: false.',
      },
      scope: {
        type: ['set', 'string'],
        required: true,
        forceNew: true,
        description:
          'The scopes an assertion of this issuer may request (a set: order does not matter; may be empty).',
        validate: (v) => {
          if (!Array.isArray(v)) return undefined;
          const bad = v.findIndex((s) => typeof s === 'string' && !SCOPE_TOKEN.test(s));
          return bad < 0
            ? undefined
            : `${JSON.stringify(v[bad])} is not a scope; a scope is one or more printable ASCII characters without space, '"' or '\\' (RFC 6749 §3.3)`;
        },
      },
      jwk: {
        type: 'string',
        required: true,
        forceNew: true,
        description:
          'The public JSON Web Key the assertions are signed with, as JSON (`jsonencode({...})` or `file("key.pub.jwk")`). It must have a `kid` and no private members. Compared as a key: member order, whitespace and members the server adds do not diff.',
        equal: sameJwkJson,
        validate: (v) => {
          const problem = publicJwkProblem(parseJson(v));
          if (problem === undefined) return undefined;
          return parseJson(v) === undefined ? 'must be JSON (a JSON Web Key object)' : `the key ${problem}`;
        },
      },
      expires_at: {
        type: 'string',
        required: true,
        forceNew: true,
        description:
          'When the relationship ends, RFC 3339 (e.g. `2030-01-01T00:00:00Z`). The server keeps whole seconds in UTC; any spelling of the same second does not diff.',
        equal: sameSecond,
        validate: rfc3339Problem,
      },
      created_at: {
        type: 'string',
        computed: true,
        description: 'When the relationship was created (RFC 3339, UTC).',
      },
      public_key_set: {
        type: 'string',
        computed: true,
        description: 'The key set the server stores the key in (named after the issuer).',
      },
      public_key_kid: {
        type: 'string',
        computed: true,
        description: 'The key id (the `kid` of `jwk`), which assertions carry in their header.',
      },
    },
  },
};

const block = trustedJwtGrantIssuerSchema.block;

/** The server's view; `jwk` is the stored public key as JSON (see storedKey), undefined to keep the reference's. */
function fromApi(t: TrustedIssuerWire, jwk: string | null | undefined): Record<string, Value | undefined> {
  return {
    id: t.id ?? null,
    issuer: t.issuer ?? null,
    subject: t.subject ?? null,
    allow_any_subject: t.allow_any_subject === true,
    scope: t.scope ?? [],
    jwk,
    expires_at: t.expires_at ?? null,
    created_at: t.created_at ?? null,
    public_key_set: t.public_key?.set ?? null,
    public_key_kid: t.public_key?.kid ?? null,
  };
}

/**
 * `reconcile` keeps a reference's null where the server reports an empty value; for a state without those
 * values (an import) false and [] are what the configuration says, so they must be in the state.
 */
function settle(out: ObjectValue, t: TrustedIssuerWire): ObjectValue {
  if (out.allow_any_subject === null) out.allow_any_subject = t.allow_any_subject === true;
  if (out.scope === null) out.scope = t.scope ?? [];
  return out;
}

/**
 * The stored public key as JSON (private members never reach the state); null when it is gone from its key set
 * (the relationship cannot verify anything then, so the plan replaces it), undefined when the server names none.
 */
async function storedKey(client: AdminClient, t: TrustedIssuerWire): Promise<string | null | undefined> {
  const set = t.public_key?.set;
  const kid = t.public_key?.kid;
  if (!set || !kid) return undefined;
  const found = await client
    .getKey(set, kid)
    .catch(describeApiError(`read the public key ${kid} of key set ${set}`));
  const key = found?.keys?.find((k) => k.kid === kid);
  if (key === undefined) return null;
  return JSON.stringify(
    Object.fromEntries(Object.entries(key).filter(([m]) => !PRIVATE_JWK_MEMBERS.includes(m))),
  );
}

const known = (v: Value): boolean => v !== null && !isUnknown(v);

export const trustedJwtGrantIssuerResource: ManagedResource<AdminClient> = {
  name: 'tollgate_trusted_jwt_grant_issuer',
  schema: trustedJwtGrantIssuerSchema,

  validate(config) {
    const out: Diagnostic[] = [];
    const expires = rfc3339Millis(config.expires_at);
    if (expires !== undefined && expires <= Date.now()) {
      out.push({
        severity: 'WARNING',
        summary: 'expires_at is in the past',
        detail:
          'Assertions of this issuer are refused from then on, and the janitor (`tollgate janitor --grants`) deletes expired relationships, after which Terraform would create it again, expired. Move expires_at forward or remove the resource.',
        path: ['expires_at'],
      });
    }
    const subject = config.subject ?? null;
    const any = config.allow_any_subject ?? null;
    if (isUnknown(subject) || isUnknown(any)) return out;
    if (known(subject) && any === true) {
      out.push(
        error(
          'Both subject and allow_any_subject are set',
          'A relationship is either for one subject or for any subject: remove subject, or allow_any_subject.',
          ['allow_any_subject'],
        ),
      );
    } else if (!known(subject) && any !== true) {
      out.push(
        error(
          'Neither subject nor allow_any_subject is set',
          'Set subject to the one `sub` the assertions may name, or allow_any_subject = true.',
          ['subject'],
        ),
      );
    }
    return out;
  },

  modifyPlan({ planned, config }) {
    if (config.allow_any_subject === null) planned.allow_any_subject = false;
  },

  async create(ctx, planned) {
    const body: TrustIssuerWire = {
      issuer: planned.issuer as string,
      scope: planned.scope as string[],
      jwk: JSON.parse(planned.jwk as string),
      expires_at: planned.expires_at as string,
      ...(typeof planned.subject === 'string' ? { subject: planned.subject } : {}),
      ...(planned.allow_any_subject === true ? { allow_any_subject: true } : {}),
    };
    const created = await ctx.client
      .trustIssuer(body)
      .catch(describeApiError(`trust the JWT bearer grant issuer ${body.issuer}`));
    // The key just sent is the key stored: no need to read it back.
    return settle(reconcile(block, fromApi(created, undefined), planned), created);
  },

  async read(ctx, state) {
    const id = state.id;
    if (typeof id !== 'string') throw new ProviderError('The state has no id');
    const found = await ctx.client
      .getTrustedIssuer(id)
      .catch(describeApiError(`read the trusted JWT bearer grant issuer ${id}`));
    if (found === undefined) return null; // deleted outside Terraform
    const jwk = await storedKey(ctx.client, found);
    return settle(reconcile(block, fromApi(found, jwk), state), found);
  },

  async update(): Promise<ObjectValue> {
    throw new ProviderError(
      'A trust relationship is never updated in place',
      'The admin API has no update for it; every argument replaces the relationship.',
    );
  },

  async delete(ctx, prior) {
    const id = prior.id as string;
    await ctx.client
      .deleteTrustedIssuer(id)
      .catch(describeApiError(`delete the trusted JWT bearer grant issuer ${id}`));
  },

  importState: (id) => ({ id }),
};
