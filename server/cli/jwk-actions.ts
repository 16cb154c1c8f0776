// What the JSON Web Key commands do (declared in jwk-commands.ts), over the SDK's admin client. Output follows
// Hydra's cmd/output_jwks.go: each key carries its set's id; the table shows SET ID, KEY ID, ALGORITHM, USE.
import type { components } from '../../sdk/index.js';
import type { CreateKeyOptions, KeyOptions } from './jwk-commands.js';
import type { Printable } from './output.js';
import type { RemoteOptions } from './remote.js';
import { action, adminClient, deleteEach, output } from './remote-client.js';
import { UsageError } from './usage-error.js';

type JsonWebKey = components['schemas']['jsonWebKey'];
type SetKey = JsonWebKey & { set: string };

/** The members that hold private or symmetric key material (RFC 7518 §6.2.2, §6.3.2, §6.4.1). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

function keysOf(set: string, keys: JsonWebKey[] | undefined, onlyPublic: boolean): SetKey[] {
  return (keys ?? []).map((key) => {
    const out: Record<string, unknown> = { ...key, set };
    if (onlyPublic) for (const member of PRIVATE_MEMBERS) delete out[member];
    return out as SetKey;
  });
}

/** One key prints as rows, several as a table (Hydra's PrintRow / PrintTable). */
function printKeys(keys: SetKey[], set: string | undefined, single: boolean): Printable {
  const row = (k: SetKey) => [k.set, k.kid, k.alg, k.use];
  return {
    data: single ? keys[0] : { ...(set === undefined ? {} : { set }), keys },
    table: { header: ['SET ID', 'KEY ID', 'ALGORITHM', 'USE'], rows: keys.map(row), single },
    ids: keys.map((k) => k.kid),
  };
}

export const createKey = action(
  async (set: string, kidArgument: string | undefined, options: CreateKeyOptions) => {
    if (kidArgument !== undefined && options.kid !== undefined && kidArgument !== options.kid) {
      throw new UsageError(`two key ids given: ${kidArgument} and --kid ${options.kid}`);
    }
    const { data } = await adminClient(options).POST('/admin/keys/{set}', {
      params: { path: { set } },
      body: { alg: options.alg, use: options.use, kid: kidArgument ?? options.kid ?? '' },
    });
    output(options, printKeys(keysOf(set, data.keys, options.public === true), set, false));
  },
);

export const getKeys = action(async (sets: string[], options: KeyOptions) => {
  const admin = adminClient(options);
  const keys: SetKey[] = [];
  for (const set of sets) {
    const { data } = await admin.GET('/admin/keys/{set}', { params: { path: { set } } });
    keys.push(...keysOf(set, data.keys, options.public === true));
  }
  if (keys.length)
    output(options, printKeys(keys, sets.length === 1 ? sets[0] : undefined, keys.length === 1));
});

export const deleteKeySets = action(async (sets: string[], options: RemoteOptions) => {
  const admin = adminClient(options);
  await deleteEach(options, sets, 'JSON Web Key set', 'SET ID', (set) =>
    admin.DELETE('/admin/keys/{set}', { params: { path: { set } } }),
  );
});
