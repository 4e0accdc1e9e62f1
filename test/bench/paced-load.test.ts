import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KeepAliveConnections } from '../../bench/support/keep-alive-connections';
import { pacedLoad } from '../../bench/support/paced-load';

/** A real HTTP server that echoes each body back with the status it names, and counts its connections. */
async function echoServer(handle?: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<{ server: Server; port: number; connections: () => number }> {
  let connections = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      if (handle) return handle(req, res, body);
      const status = Number((JSON.parse(body) as { status?: number }).status ?? 200);
      res.writeHead(status, { 'content-type': 'application/json' }).end(body);
    });
  });
  server.on('connection', () => connections++);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port, connections: () => connections };
}

const closeServer = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

describe('KeepAliveConnections', () => {
  test('answers each request with its own status and body, over at most the connections allowed', async () => {
    const { server, port, connections } = await echoServer();
    const pool = new KeepAliveConnections(port, 3);
    try {
      const head = 'POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\n';
      const bodies = Array.from({ length: 40 }, (_, i) => JSON.stringify({ i, status: i % 5 === 0 ? 418 : 200, text: 'é'.repeat(i) }));
      const answers = await Promise.all(bodies.map((b) => pool.request(head, b)));
      expect(answers.map((a) => a.body)).toEqual(bodies);
      expect(answers.map((a) => a.status)).toEqual(bodies.map((_, i) => (i % 5 === 0 ? 418 : 200)));
      expect(connections()).toBeLessThanOrEqual(3);
    } finally {
      pool.close();
      server.closeAllConnections();
      await closeServer(server);
    }
  });

  test('a response that closes its connection hands the waiting request a new one', async () => {
    const { server, port, connections } = await echoServer((_req, res, body) => res.writeHead(200, { connection: 'close' }).end(body));
    const pool = new KeepAliveConnections(port, 1);
    try {
      const head = 'POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\n';
      const answers = await Promise.all(['a', 'b', 'c'].map((b) => pool.request(head, b)));
      expect(answers.map((a) => a.body)).toEqual(['a', 'b', 'c']);
      expect(connections()).toBe(3);
    } finally {
      pool.close();
      await closeServer(server);
    }
  });

  test('a server that is gone fails the request', async () => {
    const { server, port } = await echoServer();
    await closeServer(server);
    const pool = new KeepAliveConnections(port, 2);
    await expect(pool.request('POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n', '{}')).rejects.toThrow(`could not connect to 127.0.0.1:${port}`);
    pool.close();
  });
});

describe('pacedLoad', () => {
  test('sends the requests of the rate and duration, each with a fresh body, and counts statuses and fail-mode answers', async () => {
    const seen: string[] = [];
    const { server, port } = await echoServer((_req, res, body) => {
      seen.push(body);
      const n = Number(body);
      if (n % 10 === 3) return void res.writeHead(400).end('{"error":"bad"}');
      res.writeHead(200).end(n % 10 === 7 ? '{"score":null}' : '{"score":0.1}');
    });
    const pool = new KeepAliveConnections(port, 4);
    let n = 0;
    try {
      const started = Date.now();
      const result = await pacedLoad({ path: '/', headers: {}, body: () => String(n++), ratePerSecond: 200, seconds: 0.5, connections: pool });
      const elapsed = Date.now() - started;
      expect(result.responses).toBe(100);
      expect(result.latencies).toHaveLength(100);
      expect(result.non2xx).toBe(10);
      expect(result.failModeAnswers).toBe(10);
      expect(result.errors).toBe(0);
      expect(new Set(seen).size).toBe(100);
      // An even rate, not a burst: the last request is due 495 ms after the first.
      expect(elapsed).toBeGreaterThanOrEqual(495);
    } finally {
      pool.close();
      server.closeAllConnections();
      await closeServer(server);
    }
  });
});
