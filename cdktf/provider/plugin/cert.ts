// A fresh self-signed server certificate per process for go-plugin's automatic mutual TLS
// (hashicorp/go-plugin: mtls.go, client.go loadServerCert). The client trusts exactly this certificate as
// its root and dials with ServerName "localhost", so it needs a DNS SAN "localhost" (Go ignores the legacy
// CN), CA:TRUE and serverAuth. ECDSA P-256 with node:crypto and a small DER writer: fast, no openssl.
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';

const tag = (t: number, body: Buffer): Buffer => {
  const n = body.length;
  let len: Buffer;
  if (n < 0x80) len = Buffer.from([n]);
  else {
    const bytes: number[] = [];
    for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
    len = Buffer.from([0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([Buffer.from([t]), len, body]);
};
const seq = (...parts: Buffer[]) => tag(0x30, Buffer.concat(parts));
const set = (...parts: Buffer[]) => tag(0x31, Buffer.concat(parts));
const explicit = (n: number, inner: Buffer) => tag(0xa0 + n, inner);

function oid(dotted: string): Buffer {
  const [a = 0, b = 0, ...rest] = dotted.split('.').map(Number);
  const out = [a * 40 + b];
  for (const arc of rest) {
    const chunk = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift(0x80 | (v & 0x7f));
    out.push(...chunk);
  }
  return tag(0x06, Buffer.from(out));
}

const integer = (bytes: Buffer) =>
  tag(0x02, bytes[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
const bitString = (bytes: Buffer, unusedBits = 0) =>
  tag(0x03, Buffer.concat([Buffer.from([unusedBits]), bytes]));
const octetString = (bytes: Buffer) => tag(0x04, bytes);
const bool = (v: boolean) => tag(0x01, Buffer.from([v ? 0xff : 0]));
const utf8 = (s: string) => tag(0x0c, Buffer.from(s, 'utf8'));

function utcTime(d: Date): Buffer {
  const p = (n: number) => String(n).padStart(2, '0');
  const s = `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  return tag(0x17, Buffer.from(s, 'ascii'));
}

const extension = (id: string, critical: boolean, value: Buffer) =>
  seq(oid(id), ...(critical ? [bool(true)] : []), octetString(value));

const ECDSA_WITH_SHA256 = seq(oid('1.2.840.10045.4.3.2'));

export interface ServerCertificate {
  /** DER bytes, as go-plugin's handshake line carries them. */
  der: Buffer;
  certPem: string;
  keyPem: string;
}

export function createServerCertificate(now = new Date()): ServerCertificate {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const name = seq(set(seq(oid('2.5.4.3'), utf8('localhost'))));
  const serial = randomBytes(16);
  // DER integers are minimal and signed: a first byte of 0x40–0x7f needs no sign byte and is never a
  // redundant leading zero (which OpenSSL rejects as "illegal padding").
  serial[0] = (serial[0]! & 0x3f) | 0x40;
  const extensions = seq(
    extension('2.5.29.19', true, seq(bool(true))), // basicConstraints CA:TRUE
    // keyUsage: digitalSignature, keyEncipherment, keyCertSign
    extension('2.5.29.15', true, bitString(Buffer.from([0xa4]), 2)),
    extension('2.5.29.37', false, seq(oid('1.3.6.1.5.5.7.3.1'), oid('1.3.6.1.5.5.7.3.2'))), // server+client auth
    // subjectAltName: DNS localhost, IP 127.0.0.1
    extension(
      '2.5.29.17',
      false,
      seq(tag(0x82, Buffer.from('localhost')), tag(0x87, Buffer.from([127, 0, 0, 1]))),
    ),
  );
  const tbs = seq(
    explicit(0, integer(Buffer.from([2]))), // v3
    integer(serial),
    ECDSA_WITH_SHA256,
    name,
    seq(utcTime(new Date(now.getTime() - 60_000)), utcTime(new Date(now.getTime() + 24 * 3600_000))),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, extensions),
  );
  const signature = sign('sha256', tbs, { key: privateKey, dsaEncoding: 'der' });
  const der = seq(tbs, ECDSA_WITH_SHA256, bitString(signature));
  const b64 = der.toString('base64').replace(/.{64}/g, '$&\n');
  return {
    der,
    certPem: `-----BEGIN CERTIFICATE-----\n${b64.trimEnd()}\n-----END CERTIFICATE-----\n`,
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
  };
}
