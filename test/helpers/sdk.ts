// Helpers for the SDK tests: a fetch that checks every response against openapi.yaml and remembers what it
// sent, and a count of the requests the server itself logged (so "no HTTP request" is seen from both sides).
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { contractProblem } from './api.js';
import type { TestServer } from './server.js';

export interface RecordingFetch {
  fetch: typeof fetch;
  /** Every request sent, as `METHOD path`. */
  sent: string[];
  /** Bodies and headers of the requests sent, in order. */
  requests: { method: string; url: string; headers: Headers; body: string }[];
}

/** A real fetch that records requests and fails the test on a response the contract does not describe. */
export function recordingFetch(options: { checkContract?: boolean } = {}): RecordingFetch {
  const sent: string[] = [];
  const requests: RecordingFetch['requests'] = [];
  const wrapped = async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
    const request = new Request(input, init);
    const body = request.body ? await request.clone().text() : '';
    sent.push(`${request.method} ${new URL(request.url).pathname}`);
    requests.push({ method: request.method, url: request.url, headers: new Headers(request.headers), body });
    const response = await fetch(request);
    if (options.checkContract !== false) {
      const text = await response.clone().text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : '';
      } catch {}
      const problem = contractProblem(
        request.method,
        request.url,
        response.status,
        response.headers.get('content-type') ?? undefined,
        parsed,
      );
      expect(problem, `${request.method} ${request.url} ${response.status}`).to.equal(null);
    }
    return response;
  };
  return { fetch: wrapped as typeof fetch, sent, requests };
}

/** How many requests for `path` the server has logged so far (the log line is written when a response ends). */
export async function loggedRequests(server: TestServer, path: string): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 20));
  return server.logs.filter((line) => {
    try {
      const entry = JSON.parse(line) as { msg?: string; path?: string };
      return entry.msg === 'request' && entry.path === path;
    } catch {
      return false;
    }
  }).length;
}

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * A throwaway consumer project (an ES module package) whose node_modules/tollgate is this repository, as
 * `npm install <path>` links it: `tollgate/sdk` resolves through package.json `exports` to dist/sdk.
 */
export async function consumerProject(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'tollgate-consumer-'));
  await mkdir(join(dir, 'node_modules'));
  await symlink(REPO_ROOT, join(dir, 'node_modules', 'tollgate'), 'dir');
  await writeFile(join(dir, 'package.json'), '{"type":"module"}');
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
