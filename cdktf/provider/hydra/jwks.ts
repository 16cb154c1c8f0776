// `hydra_jwks` resource and data source with svrakitin/hydra's schema (`resource_jwks.go`,
// `data_source_jwks.go`): a set `name`, an optional `generator` block (the server generates the key) or
// keys given in `key`. Unlike svrakitin/hydra, generated private key members are not copied into the
// state: `key` holds the public parts (the private key stays on the server, readable through its API).
import type { AdminClient, CreateJsonWebKeySetWire, JsonWebKeySetWire } from '../admin-client.js';
import { ProviderError } from '../framework/diagnostics.js';
import type { DataSource, ManagedResource } from '../framework/resource.js';
import type { Schema } from '../framework/schema.js';
import { isUnknown, type ObjectValue, type Value } from '../protocol/values.js';
import { describeApiError } from '../resources/errors.js';
import { oneOf } from '../resources/values.js';
import { jwkFromApi, jwkObjectType, jwkToApi } from './jwk.js';

export const hydraJwksSchema: Schema = {
  version: 0,
  block: {
    description: 'JSON Web Key set (drop-in for svrakitin/hydra `hydra_jwks`).',
    attributes: {
      id: { type: 'string', computed: true, description: 'The set name.' },
      name: { type: 'string', required: true, forceNew: true, description: 'The set name.' },
      key: {
        type: ['list', jwkObjectType],
        optional: true,
        computed: true,
        description: 'The keys of the set; generated keys are shown without their private members.',
      },
    },
    blocks: {
      generator: {
        nesting: 'list',
        maxItems: 1,
        forceNew: true,
        block: {
          attributes: {
            alg: { type: 'string', required: true, description: 'Algorithm of the generated key.' },
            kid: { type: 'string', required: true, description: 'Key id of the generated key.' },
            use: {
              type: 'string',
              required: true,
              description: '`sig` or `enc`.',
              validate: oneOf('sig', 'enc'),
            },
            keepers: {
              type: ['map', 'string'],
              required: true,
              description: 'Arbitrary map of values that, when changed, will trigger recreation of resource.',
            },
          },
        },
      },
    },
  },
};

const keysOf = (set: JsonWebKeySetWire, withPrivate: boolean): ObjectValue[] =>
  (set.keys ?? []).map((k) => jwkFromApi(k as Record<string, unknown>, withPrivate));

const generatorOf = (v: ObjectValue): ObjectValue | null => {
  const g = v.generator;
  return Array.isArray(g) && g.length > 0 ? (g[0] as ObjectValue) : null;
};

export const hydraJwksResource: ManagedResource<AdminClient> = {
  name: 'hydra_jwks',
  schema: hydraJwksSchema,

  modifyPlan({ prior, planned }) {
    if (prior === null) planned.id = planned.name ?? null;
  },

  async create(ctx, planned, config) {
    const name = planned.name as string;
    const generator = generatorOf(planned);
    let keys: Value;
    if (generator) {
      const set = await ctx.client
        .createKeySet(name, {
          alg: generator.alg as CreateJsonWebKeySetWire['alg'],
          kid: generator.kid as string,
          use: generator.use as string,
        })
        .catch(describeApiError(`generate JSON Web Key set ${name}`));
      keys = keysOf(set, false);
    } else {
      if (!Array.isArray(config.key))
        throw new ProviderError('hydra_jwks needs a generator block or key values');
      await ctx.client
        .setKeySet(name, { keys: config.key.map(jwkToApi) } as JsonWebKeySetWire) // the server validates each key
        .catch(describeApiError(`store JSON Web Key set ${name}`));
      keys = planned.key ?? null;
    }
    return { ...planned, id: name, key: isUnknown(planned.key) ? keys : (planned.key ?? null) };
  },

  async read(ctx, state) {
    const name = state.name as string;
    const set = await ctx.client.getKeySet(name).catch(describeApiError(`read JSON Web Key set ${name}`));
    if (set === undefined || (set.keys ?? []).length === 0) return null;
    const remote = keysOf(set, false);
    // Keys given in configuration carry their private members: keep them while the public parts match.
    const prior = Array.isArray(state.key) ? (state.key as ObjectValue[]) : [];
    const key = remote.map(
      (k) => prior.find((p) => p.kid === k.kid && p.kty === k.kty && (p.x ?? p.n) === (k.x ?? k.n)) ?? k,
    );
    return { ...state, id: name, key };
  },

  async update(ctx, _prior, planned, config) {
    const name = planned.name as string;
    if (!Array.isArray(config.key)) return planned;
    await ctx.client
      .setKeySet(name, { keys: config.key.map(jwkToApi) } as JsonWebKeySetWire) // the server validates each key
      .catch(describeApiError(`store JSON Web Key set ${name}`));
    return planned;
  },

  async delete(ctx, prior) {
    const name = prior.name as string;
    await ctx.client.deleteKeySet(name).catch(describeApiError(`delete JSON Web Key set ${name}`));
  },

  importState: (id) => ({ id, name: id }),

  upgrade: (_version, state) => state,
};

export const hydraJwksDataSource: DataSource<AdminClient> = {
  name: 'hydra_jwks',
  schema: {
    version: 0,
    block: {
      attributes: {
        id: { type: 'string', computed: true, description: 'The set name.' },
        name: { type: 'string', required: true, description: 'The set name.' },
        keys: {
          type: ['list', jwkObjectType],
          computed: true,
          description: 'Public parts of the keys of the set.',
        },
      },
    },
  },
  async read(ctx, config) {
    const name = config.name as string;
    const set = await ctx.client.getKeySet(name).catch(describeApiError(`read JSON Web Key set ${name}`));
    if (set === undefined) throw new ProviderError(`JSON Web Key set ${JSON.stringify(name)} does not exist`);
    return { id: name, name, keys: keysOf(set, false) };
  },
};
