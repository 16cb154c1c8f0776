// The container image's HEALTHCHECK: exit 0 when GET /health/ready answers 200 on the public port, else on
// the admin port (`serve public` and `serve admin` each have only one). Ports and hosts come from the same
// environment variables the server reads (SERVE_PUBLIC_PORT, SERVE_ADMIN_HOST, …); a wildcard host is asked
// on loopback. Plain Node: the slim image has no curl.
const target = (role: 'PUBLIC' | 'ADMIN', port: string) => {
  const host = process.env[`SERVE_${role}_HOST`];
  const local = !host || host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${local.includes(':') ? `[${local}]` : local}:${process.env[`SERVE_${role}_PORT`] || port}/health/ready`;
};

async function ready(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return response.status === 200;
  } catch {
    return false;
  }
}

const healthy = (await ready(target('PUBLIC', '4444'))) || (await ready(target('ADMIN', '4445')));
process.exit(healthy ? 0 : 1);
