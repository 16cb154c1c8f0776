// `tollgate create|get|delete jwk`: Hydra's JSON Web Key set commands (cmd/cmd_{create,get,delete}_jwks.go),
// declared here; jwk-actions.ts runs them over the SDK's admin client.
import { type Command, Option } from 'commander';
import type { components } from '../../sdk/index.js';
import { examples } from './examples.js';
import { group, type RemoteOptions, remoteCommand } from './remote.js';

type Alg = components['schemas']['createJsonWebKeySet']['alg'];
/** The algorithms the admin API generates keys for (createJsonWebKeySet's `alg`). */
const ALGS = [
  'RS256',
  'RS512',
  'ES256',
  'ES512',
  'EdDSA',
  'HS256',
  'HS512',
] as const satisfies readonly Alg[];

export interface KeyOptions extends RemoteOptions {
  public?: boolean;
}
export interface CreateKeyOptions extends KeyOptions {
  alg: Alg;
  use: 'sig' | 'enc';
  kid?: string;
}

const run = () => import('./jwk-actions.js');
const publicFlag = (cmd: Command) => cmd.option('--public', 'print only the public parts of the keys');

export function registerJwkCommands(program: Command) {
  examples(
    publicFlag(
      remoteCommand(
        group(program, 'create', 'create resources')
          .command('jwk')
          .alias('jwks')
          .argument('<set-id>', 'the JSON Web Key set (created if it does not exist)')
          .argument('[key-id]', "the new key's id, like --kid (random when neither is given)")
          .description('generate a JSON Web Key in a set and print the set'),
        'admin',
      ),
    )
      .addOption(new Option('--alg <alg>', 'the algorithm of the key').choices(ALGS).default('RS256'))
      .addOption(
        new Option('--use <use>', 'the intended use of the key').choices(['sig', 'enc']).default('sig'),
      )
      .option('--kid <kid>', "the new key's id")
      .action(async (set: string, kid: string | undefined, options: CreateKeyOptions) =>
        (await run()).createKey(set, kid, options),
      ),
    'tollgate create jwk my-set -e http://127.0.0.1:4445 --alg RS256 --use sig',
    'tollgate create jwk hydra.jwt.access-token --alg ES256 --kid es-2025 --public --format json',
  );

  examples(
    publicFlag(
      remoteCommand(
        group(program, 'get', 'show resources')
          .command('jwk')
          .alias('jwks')
          .argument('<set-id...>', 'JSON Web Key sets')
          .description('show the keys of JSON Web Key sets (private parts included, unless --public)'),
        'admin',
      ),
    ).action(async (sets: string[], options: KeyOptions) => (await run()).getKeys(sets, options)),
    'tollgate get jwk hydra.jwt.access-token -e http://127.0.0.1:4445',
    "tollgate get jwk my-set --public --format json | jq -r '.keys[].kid'",
  );

  examples(
    remoteCommand(
      group(program, 'delete', 'delete resources')
        .command('jwk')
        .alias('jwks')
        .argument('<set-id...>', 'JSON Web Key sets')
        .description('delete JSON Web Key sets and all of their keys'),
      'admin',
    ).action(async (sets: string[], options: RemoteOptions) => (await run()).deleteKeySets(sets, options)),
    'tollgate delete jwk my-set -e http://127.0.0.1:4445',
    'tollgate delete jwk set-1 set-2 set-3',
  );
}
