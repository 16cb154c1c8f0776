// Admin API: JSON Web Key sets (Hydra's jwk/handler.go). Private parts are returned, as Hydra does: the admin
// port must stay private.
import type { KeyEndpoints } from '../endpoints.js';
import type { Handlers } from '../operations.js';

export function keyHandlers(keys: KeyEndpoints) {
  return {
    async getJsonWebKeySet({ params }) {
      return { status: 200, body: await keys.getSet(params.set) };
    },
    async createJsonWebKeySet({ params, body }) {
      return { status: 201, body: await keys.createSet(params.set, body) };
    },
    async setJsonWebKeySet({ params, body }) {
      return { status: 200, body: await keys.setSet(params.set, body) };
    },
    async deleteJsonWebKeySet({ params }) {
      await keys.deleteSet(params.set);
      return { status: 204, body: undefined };
    },
    async getJsonWebKey({ params }) {
      return { status: 200, body: await keys.getKey(params.set, params.kid) };
    },
    async setJsonWebKey({ params, body }) {
      return { status: 200, body: await keys.setKey(params.set, params.kid, body) };
    },
    async deleteJsonWebKey({ params }) {
      await keys.deleteKey(params.set, params.kid);
      return { status: 204, body: undefined };
    },
  } satisfies Handlers;
}
