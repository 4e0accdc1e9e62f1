import { createServer } from 'node:net';

/** The port of the Redis that may already run on this machine: the harness never starts a server there. */
const RESERVED_PORT = 6379;

/**
 * A loopback port that was free a moment ago: the kernel picks it when we bind port 0, and we release it at once.
 * Another process may take it before the caller binds it, so callers must detect "Address already in use" and ask
 * again.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const server = createServer();
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        if (address === null || typeof address === 'string') reject(new Error(`unexpected listen address ${String(address)}`));
        else resolve(address.port);
      });
    });
    await new Promise<void>((resolve) => server.close(() => resolve()));
    if (port !== RESERVED_PORT) return port;
  }
}
