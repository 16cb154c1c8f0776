// go-plugin's side of the plugin process (hashicorp/go-plugin: server.go, docs/guide-plugin-write-non-go.md):
// check the magic cookie and protocol version, serve gRPC on loopback with mutual TLS against Terraform's
// one-off client certificate, print the one handshake line, and exit when Terraform says Shutdown.
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { createServerCertificate } from './cert.js';
import { log } from './log.js';

/** Terraform's handshake cookie for providers (hashicorp/terraform: internal/plugin6/serve.go). */
const MAGIC_COOKIE_KEY = 'TF_PLUGIN_MAGIC_COOKIE';
const MAGIC_COOKIE_VALUE = 'd602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2';
const PROTOCOL_VERSION = 6;

const PROTO_DIR = fileURLToPath(new URL('../protocol/', import.meta.url));

// keepCase keeps the protocol's snake_case names; enums as strings ('ERROR', 'LIST').
export const PROTO_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
};

export function loadProtocol(dir = PROTO_DIR): grpc.GrpcObject {
  const definition = protoLoader.loadSync(['tfplugin6.proto', 'go-plugin.proto', 'health.proto'], {
    ...PROTO_OPTIONS,
    includeDirs: [dir],
  });
  return grpc.loadPackageDefinition(definition);
}

type Handlers = grpc.UntypedServiceImplementation;

export interface ServeOptions {
  /** Implementations of tfplugin6.Provider RPCs by method name; the rest answer UNIMPLEMENTED. */
  provider: Handlers;
  /** Called on StopProvider: abort in-flight work (the process keeps running until Shutdown). */
  onStop(): void;
  protoDir?: string;
}

const service = (root: grpc.GrpcObject, path: string): grpc.ServiceDefinition => {
  let node: unknown = root;
  for (const part of path.split('.')) node = (node as Record<string, unknown>)[part];
  return (node as { service: grpc.ServiceDefinition }).service;
};

/** Starts the plugin server and prints the handshake line. Resolves once serving. */
export async function servePlugin(options: ServeOptions): Promise<void> {
  const env = process.env;
  if (env[MAGIC_COOKIE_KEY] !== MAGIC_COOKIE_VALUE) {
    process.stderr.write(
      'This binary is a Terraform provider plugin. It is started by Terraform, not run directly.\n' +
        'Set it up with `tollgate terraform setup`, then run terraform.\n',
    );
    process.exit(1);
  }
  const versions = (env.PLUGIN_PROTOCOL_VERSIONS ?? String(PROTOCOL_VERSION)).split(',').map((v) => v.trim());
  if (!versions.includes(String(PROTOCOL_VERSION))) {
    process.stderr.write(
      `terraform-provider: Terraform offers plugin protocol versions ${versions.join(', ')}; this provider speaks ${PROTOCOL_VERSION} (Terraform ≥1.0).\n`,
    );
    process.exit(1);
  }

  const root = loadProtocol(options.protoDir);
  const server = new grpc.Server();
  server.addService(service(root, 'tfplugin6.Provider'), {
    ...options.provider,
    StopProvider: (_call: unknown, callback: grpc.sendUnaryData<unknown>) => {
      log('info', 'StopProvider: cancelling in-flight requests');
      options.onStop();
      callback(null, { Error: '' });
    },
  });
  server.addService(service(root, 'plugin.GRPCController'), {
    Shutdown: (_call: unknown, callback: grpc.sendUnaryData<unknown>) => {
      callback(null, {});
      // Answer first (tryShutdown lets the reply go out), then leave: go-plugin kills a plugin still
      // running 2 s after Shutdown.
      server.tryShutdown(() => exit(0));
      setTimeout(() => exit(0), 500).unref();
    },
  });
  server.addService(service(root, 'grpc.health.v1.Health'), {
    Check: (_call: unknown, callback: grpc.sendUnaryData<unknown>) => callback(null, { status: 'SERVING' }),
  });

  // AutoMTLS: Terraform always sends PLUGIN_CLIENT_CERT unless the test-only TF_DISABLE_PLUGIN_TLS is set.
  const clientCert = env.PLUGIN_CLIENT_CERT;
  let credentials: grpc.ServerCredentials;
  let certField = '';
  if (clientCert) {
    const cert = createServerCertificate();
    credentials = grpc.ServerCredentials.createSsl(
      Buffer.from(clientCert),
      [{ private_key: Buffer.from(cert.keyPem), cert_chain: Buffer.from(cert.certPem) }],
      true,
    );
    // go-plugin decodes this field with base64.RawStdEncoding: no padding.
    certField = cert.der.toString('base64').replace(/=+$/, '');
  } else {
    credentials = grpc.ServerCredentials.createInsecure();
  }

  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', credentials, (err, p) => (err ? reject(err) : resolve(p))),
  );
  process.stdout.write(`1|${PROTOCOL_VERSION}|tcp|127.0.0.1:${port}|grpc|${certField}\n`);
  log('debug', 'plugin server listening', { port, tls: certField !== '' });

  watchForOrphaning();
  // go-plugin's convention: the host handles Ctrl-C (it sends StopProvider, then Shutdown), so a plugin
  // ignores SIGINT; SIGTERM and SIGHUP end the process at once.
  process.on('SIGINT', () => log('debug', 'SIGINT ignored: Terraform stops the provider with StopProvider'));
  process.on('SIGTERM', () => exit(143));
  process.on('SIGHUP', () => exit(129));
}

function exit(code: number): never {
  process.exit(code);
}

/**
 * A provider must not outlive Terraform. Terraform keeps our stdin attached to its own (often /dev/null, which
 * reads as closed at once), so stdin EOF says nothing; being re-parented (to init or a subreaper) does.
 */
function watchForOrphaning(): void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== parent) {
      log('warn', 'Terraform went away; exiting');
      exit(1);
    }
  }, 1000);
  timer.unref();
}
