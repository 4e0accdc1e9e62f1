import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../core/logger';
import { adoptMessageClasses, isExpressApp } from './express-messages';

export interface ServerOptions {
  /** 0 picks a free port. */
  port: number;
  /** @defaultValue '0.0.0.0' */
  host?: string;
  /** PEM files: HTTPS only, TLS 1.3 minimum. Absent: plain HTTP. */
  tls?: { cert: string; key: string };
  log: Logger;
  /** How long close() lets in-flight requests finish before it cuts their connections, ms. @defaultValue 10000 */
  drainTimeoutMs?: number;
}

/** A listening server. */
export interface RunningServer {
  /** `http://host:port` or `https://host:port`, with the port actually bound. */
  url: string;
  port: number;
  /** Requests being answered now. */
  inFlight(): number;
  /**
   * Graceful stop: stops accepting connections, lets the requests in flight finish (their connections then close),
   * and resolves once every connection is gone; connections still busy after `drainTimeoutMs` are cut.
   */
  close(): Promise<void>;
}

/**
 * Listens with the request handler. An Express app gets request and response classes born with its prototypes
 * (see express-messages.ts: Express would otherwise change both prototypes on every request).
 */
export async function startServer(handler: (req: IncomingMessage, res: ServerResponse) => void, options: ServerOptions): Promise<RunningServer> {
  const active = new Set<ServerResponse>();
  let closing = false;
  const tracked = (req: IncomingMessage, res: ServerResponse): void => {
    active.add(res);
    if (closing) res.setHeader('Connection', 'close');
    res.on('close', () => {
      active.delete(res);
      // A keep-alive connection that just answered its last request would otherwise hold close() open.
      if (closing) server.closeIdleConnections();
    });
    handler(req, res);
  };
  const classes = isExpressApp(handler) ? adoptMessageClasses(handler) : {};
  const server: Server = options.tls
    ? createHttpsServer({ ...classes, cert: await readFile(options.tls.cert), key: await readFile(options.tls.key), minVersion: 'TLSv1.3' }, tracked)
    : createHttpServer(classes, tracked);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `${options.tls ? 'https' : 'http'}://${options.host ?? '0.0.0.0'}:${port}`;

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= new Promise<void>((resolve) => {
      closing = true;
      options.log.info({ inFlight: active.size }, 'stopping: no new connections, answering requests in flight');
      for (const res of active) if (!res.headersSent) res.setHeader('Connection', 'close');
      const timer = setTimeout(() => {
        options.log.warn({ inFlight: active.size }, 'drain timeout: closing the remaining connections');
        server.closeAllConnections();
      }, options.drainTimeoutMs ?? 10_000);
      timer.unref();
      server.close(() => {
        clearTimeout(timer);
        resolve();
      });
      server.closeIdleConnections();
    });
    return closed;
  };
  return { url, port, inFlight: () => active.size, close };
}
