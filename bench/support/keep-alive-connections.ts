import { HTTPParser } from 'http-parser-js';
import { connect, type Socket } from 'node:net';

/** A response as the sender needs it. */
export interface RawResponse {
  status: number;
  body: string;
}

interface Exchange {
  resolve(response: RawResponse): void;
  reject(err: Error): void;
  status: number;
  keepAlive: boolean;
  chunks: Buffer[];
}

interface Waiter {
  resolve(c: Connection): void;
  reject(err: Error): void;
}

interface Connection {
  socket: Socket;
  parser: InstanceType<typeof HTTPParser>;
  exchange: Exchange | undefined;
}

/**
 * Up to `max` keep-alive HTTP/1.1 connections to one loopback server, each carrying one request at a time; a request
 * that finds them all busy waits for the first one free (first come, first served). The raw requests go out on
 * `net` sockets and responses are read by http-parser-js, as autocannon does: Node's http client costs the sending
 * process about 0.25 ms of CPU per request, time the benchmark's other processes (the server under test and Redis,
 * on two cores) then wait for.
 */
export class KeepAliveConnections {
  private readonly idle: Connection[] = [];
  private readonly waiting: Waiter[] = [];
  private readonly all = new Set<Connection>();
  private opening = 0;
  private closed = false;

  constructor(
    private readonly port: number,
    private readonly max: number,
  ) {}

  /** Sends `head` (request line and headers, without Content-Length) and `body`; resolves with the whole response. */
  async request(head: string, body: string): Promise<RawResponse> {
    const connection = await this.take();
    return new Promise<RawResponse>((resolve, reject) => {
      connection.exchange = { resolve, reject, status: 0, keepAlive: true, chunks: [] };
      connection.socket.write(`${head}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    });
  }

  close(): void {
    this.closed = true;
    for (const c of this.all) c.socket.destroy();
    this.all.clear();
    this.idle.length = 0;
    for (const w of this.waiting.splice(0)) w.reject(new Error('connections closed'));
  }

  private take(): Promise<Connection> {
    if (this.closed) return Promise.reject(new Error('connections closed'));
    const ready = this.idle.pop();
    if (ready) return Promise.resolve(ready);
    if (this.all.size + this.opening < this.max) return this.open();
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  private release(c: Connection): void {
    const next = this.waiting.shift();
    if (next) next.resolve(c);
    else this.idle.push(c);
  }

  /** A connection was lost: one waiting for a free connection gets a new one instead. */
  private replace(): void {
    if (this.closed || this.waiting.length === 0) return;
    this.open().then(
      (c) => this.release(c),
      (err: Error) => {
        for (const w of this.waiting.splice(0)) w.reject(err);
      },
    );
  }

  private open(): Promise<Connection> {
    this.opening++;
    return new Promise<Connection>((resolve, reject) => {
      const socket = connect({ port: this.port, host: '127.0.0.1', noDelay: true });
      const parser = new HTTPParser(HTTPParser.RESPONSE);
      const c: Connection = { socket, parser, exchange: undefined };
      parser[HTTPParser.kOnHeadersComplete] = (info) => {
        if (!c.exchange) return;
        c.exchange.status = info.statusCode;
        c.exchange.keepAlive = info.shouldKeepAlive;
      };
      parser[HTTPParser.kOnBody] = (chunk, offset, length) => {
        c.exchange?.chunks.push(chunk.subarray(offset, offset + length));
      };
      parser[HTTPParser.kOnMessageComplete] = () => {
        const done = c.exchange;
        c.exchange = undefined;
        if (!done) return;
        // A response that closes its connection hands on no connection: 'close' replaces it.
        if (done.keepAlive) this.release(c);
        else socket.end();
        done.resolve({ status: done.status, body: Buffer.concat(done.chunks).toString('utf8') });
      };
      socket.on('data', (data: Buffer) => {
        const result = parser.execute(data);
        if (result instanceof Error) socket.destroy(result);
      });
      socket.once('connect', () => {
        this.opening--;
        this.all.add(c);
        resolve(c);
      });
      socket.once('close', () => {
        if (!this.all.delete(c)) {
          this.opening--;
          reject(new Error(`could not connect to 127.0.0.1:${this.port}`));
        }
        const idleAt = this.idle.indexOf(c);
        if (idleAt >= 0) this.idle.splice(idleAt, 1);
        c.exchange?.reject(new Error('connection closed before the response ended'));
        c.exchange = undefined;
        this.replace();
      });
      // 'close' follows and reports it.
      socket.on('error', () => undefined);
    });
  }
}
