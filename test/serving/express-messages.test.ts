import express from 'express';
import { createServer, IncomingMessage, ServerResponse, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '../../core/logger';
import { startServer, type RunningServer } from '../../serving/server';

const log = createLogger('silent');
let server: RunningServer | undefined;
let plain: Server | undefined;

afterEach(async () => {
  jest.restoreAllMocks();
  await server?.close();
  server = undefined;
  await new Promise<void>((resolve) => (plain ? plain.close(() => resolve()) : resolve()));
  plain = undefined;
});

/** An app that uses Express's request and response methods, and one of its own added to app.response. */
function app() {
  const a = express();
  (a.response as unknown as { tagged(this: express.Response, body: object): void }).tagged = function (body) {
    this.status(201).json({ ...body, tag: 'own' });
  };
  a.post('/echo/:id', express.json(), (req, res) => {
    (res as unknown as { tagged(body: object): void }).tagged({ id: req.params.id, header: req.get('x-probe'), body: req.body as unknown, ip: req.ip });
  });
  return a;
}

async function post(port: number) {
  const res = await fetch(`http://127.0.0.1:${port}/echo/42`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-probe': 'p' }, body: '{"a":1}' });
  return { status: res.status, body: (await res.json()) as unknown };
}

const EXPECTED = { status: 201, body: { id: '42', header: 'p', body: { a: 1 }, ip: '127.0.0.1', tag: 'own' } };

/** Records every prototype change made to an HTTP request or response while `run` runs. */
async function prototypeChanges(run: () => Promise<unknown>): Promise<string[]> {
  const original = Object.setPrototypeOf;
  const changes: string[] = [];
  jest.spyOn(Object, 'setPrototypeOf').mockImplementation((o: unknown, proto: object | null) => {
    if ((o instanceof IncomingMessage || o instanceof ServerResponse) && Object.getPrototypeOf(o) !== proto) changes.push(o instanceof IncomingMessage ? 'request' : 'response');
    return original(o, proto);
  });
  await run();
  return changes;
}

it('serves an Express app with messages born with its prototypes: Express changes no prototype, and its methods work', async () => {
  server = await startServer(app(), { port: 0, host: '127.0.0.1', log });
  const port = server.port;
  let answer: unknown;
  expect(await prototypeChanges(async () => (answer = await post(port)))).toEqual([]);
  expect(answer).toEqual(EXPECTED);
});

it('leaves the app working on any other server (Express then sets the prototypes itself, as before)', async () => {
  const a = app();
  server = await startServer(a, { port: 0, host: '127.0.0.1', log });
  plain = createServer(a);
  await new Promise<void>((resolve) => plain?.listen(0, '127.0.0.1', resolve));
  const port = (plain.address() as AddressInfo).port;
  let answer: unknown;
  expect(await prototypeChanges(async () => (answer = await post(port)))).toEqual(['request', 'response']);
  expect(answer).toEqual(EXPECTED);
});
