import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SecureVersion } from 'node:tls';
import { createLogger } from '../../core/logger';
import { startServer, type RunningServer } from '../../serving/server';

const log = createLogger('silent');
let dir: string;
let cert: string;
let key: string;
let server: RunningServer | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-tls-'));
  cert = join(dir, 'cert.pem');
  key = join(dir, 'key.pem');
  // A throwaway self-signed certificate for localhost.
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost'], {
    stdio: 'ignore',
  });
});

afterEach(async () => {
  await server?.close();
  server = undefined;
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function get(port: number, ca: Buffer, maxVersion: SecureVersion): Promise<{ status: number; protocol: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', servername: 'localhost', port, path: '/', ca, maxVersion }, (res) => {
      const protocol = (res.socket as import('node:tls').TLSSocket).getProtocol() ?? '';
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, protocol }));
    });
    req.on('error', reject);
    req.end();
  });
}

it('speaks HTTPS with TLS 1.3 only when given a certificate', async () => {
  server = await startServer((_req, res) => res.end('ok'), { port: 0, host: '127.0.0.1', tls: { cert, key }, log });
  expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  const ca = await readFile(cert);
  expect(await get(server.port, ca, 'TLSv1.3')).toEqual({ status: 200, protocol: 'TLSv1.3' });
  await expect(get(server.port, ca, 'TLSv1.2')).rejects.toThrow(/version|protocol/i);
});

it('lets a request in flight finish before close() resolves', async () => {
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  server = await startServer(
    (_req, res) => {
      void held.then(() => res.end('late'));
    },
    { port: 0, host: '127.0.0.1', log, drainTimeoutMs: 60_000 },
  );
  const { port } = server;
  const answer = fetch(`http://127.0.0.1:${port}/`).then((r) => r.text());
  while (server.inFlight() === 0) await new Promise((r) => setTimeout(r, 10));
  const closed = server.close();
  let isClosed = false;
  void closed.then(() => (isClosed = true));
  await new Promise((r) => setTimeout(r, 100));
  expect(isClosed).toBe(false);
  release();
  expect(await answer).toBe('late');
  await closed;
  expect(server.inFlight()).toBe(0);
});

it('cuts a request still running when the drain timeout ends', async () => {
  server = await startServer(() => {}, { port: 0, host: '127.0.0.1', log, drainTimeoutMs: 100 });
  const answer = fetch(`http://127.0.0.1:${server.port}/`);
  while (server.inFlight() === 0) await new Promise((r) => setTimeout(r, 10));
  await server.close();
  await expect(answer).rejects.toThrow();
});
