// Liveness and readiness, on both ports (Hydra: /health/alive, /health/ready).
import type { HealthCheck } from './endpoints.js';
import type { Handlers } from './operations.js';

export function healthHandlers(health: HealthCheck) {
  return {
    async isAlive() {
      return { status: 200, body: { status: 'ok' } };
    },
    async isReady() {
      const errors = await health.notReady();
      return errors ? { status: 503, body: { errors } } : { status: 200, body: { status: 'ok' } };
    },
  } satisfies Handlers;
}
