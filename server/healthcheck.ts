// The container image's HEALTHCHECK: exit 0 when GET /health/ready answers 200 on the public port, else on
// the admin port (`serve public` and `serve admin` each have only one). Ports and hosts come from the
// environment variables the server reads (SERVE_PUBLIC_PORT, SERVE_ADMIN_HOST, …), with the server's defaults.
// A port or host set only in a --config file is not seen: the check shares the container's environment, not
// the server's arguments. A wildcard host is asked on loopback. Plain Node: the slim image has no curl.
import { DEFAULT_PORTS, envName } from './config-env.js';

const target = (role: keyof typeof DEFAULT_PORTS) => {
  const host = process.env[envName(`serve.${role}.host`)];
  const local = !host || host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const port = process.env[envName(`serve.${role}.port`)] || DEFAULT_PORTS[role];
  return `http://${local.includes(':') ? `[${local}]` : local}:${port}/health/ready`;
};

async function ready(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return response.status === 200;
  } catch {
    return false;
  }
}

const healthy = (await ready(target('public'))) || (await ready(target('admin')));
process.exit(healthy ? 0 : 1);
