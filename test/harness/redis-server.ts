import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { createClient, type RedisClientType } from 'redis';
import { freePort } from '../../bench/support/processes';
import { trackLiveServer, untrackLiveServer } from './live-servers';

/** How often readiness checks ask again, in milliseconds: short, because a server is up in tens of milliseconds. */
const POLL_INTERVAL_MS = 10;
/** How long stop() waits for a SIGTERM to end the server before it sends SIGKILL, in milliseconds. */
const STOP_GRACE_MS = 5_000;
/** Fresh ports tried when the one picked is taken before the server binds it. */
const PORT_ATTEMPTS = 5;
const SLOT_COUNT = 16_384;
/** Server directories are `<tmpdir>/vigil-redis-<pid of the process that started the server>-<random>`. */
const DIR_PREFIX = 'vigil-redis-';

export interface RedisServerOptions {
  /** Extra `redis-server` arguments, appended after the harness's own, e.g. `['--maxmemory', '1mb']`. @defaultValue `[]` */
  args?: string[];
  /** How long to wait for the server to answer PING, in milliseconds. @defaultValue 10000 */
  readyTimeoutMs?: number;
}

/** A `redis-server` process of our own on a loopback port, with its own temporary directory. */
export interface RedisServer {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Process id of the current process; restart() changes it. */
  readonly pid: number;
  /** The server's temporary working directory (`--dir`); stop() removes it. */
  readonly dir: string;
  /** Ends the process (SIGTERM, then SIGKILL after 5 s) and removes its directory. Safe to call twice. */
  stop(): Promise<void>;
  /** SIGKILL, as in a crash: the directory and port are kept for restart(). */
  kill(): Promise<void>;
  /** Starts the server again on the same port and directory (stopping it first if it runs); data is not kept. */
  restart(): Promise<void>;
}

export interface RedisClusterOptions {
  /** Number of master nodes (no replicas); the slots are split evenly between them. @defaultValue 3 */
  masters?: number;
  /** How long to wait for every node to report `cluster_state:ok`, in milliseconds. @defaultValue 20000 */
  readyTimeoutMs?: number;
}

/** A Redis Cluster of `masters` nodes started by {@link startRedisCluster}. */
export interface RedisTestCluster {
  /** One `redis://127.0.0.1:<port>` per node. */
  readonly urls: string[];
  /** The nodes in the form node-redis `createCluster({ rootNodes })` takes. */
  readonly rootNodes: { url: string }[];
  readonly nodes: RedisServer[];
  /** Stops every node and removes their directories. Safe to call twice. */
  stop(): Promise<void>;
}

/** The redis-server exited before answering; `output` (its stderr and log file) says why. */
class ServerExitedError extends Error {
  constructor(
    readonly port: number,
    readonly output: string,
  ) {
    super(`redis-server on port ${port} exited before answering PING; its output:\n${output}`);
  }

  get portTaken(): boolean {
    return /Address already in use/i.test(this.output);
  }
}

/**
 * Starts a `redis-server` (the binary on PATH) on a free loopback port, never 6379, with nothing persisted, and
 * resolves once it answers PING. The caller must stop() it; the test environment stops leftovers after the file.
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  return startNode(options, false);
}

/**
 * Starts `masters` cluster-enabled nodes, assigns the slots, joins them with CLUSTER MEET and resolves once every
 * node reports `cluster_state:ok`. Takes about 2 s: a fresh master waits that long before it declares itself ok.
 */
export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisTestCluster> {
  const masters = options.masters ?? 3;
  if (!Number.isInteger(masters) || masters < 1) throw new Error(`masters: expected a whole number >= 1, got ${masters}`);
  const started = await Promise.allSettled(Array.from({ length: masters }, () => startNode({}, true)));
  const nodes = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const stop = async (): Promise<void> => {
    await Promise.all(nodes.map((n) => n.stop()));
  };
  try {
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    await formCluster(nodes);
    await waitForClusterOk(nodes, options.readyTimeoutMs ?? 20_000);
  } catch (err) {
    await stop();
    throw err;
  }
  const urls = nodes.map((n) => n.url);
  return { urls, rootNodes: urls.map((url) => ({ url })), nodes, stop };
}

/**
 * Removes the directories of servers whose starting process is gone: a test run killed before its teardown (Ctrl-C,
 * a timeout) cannot remove them itself. Directories of live processes, other test runs included, are left alone.
 * Returns how many were removed.
 */
export function removeStaleServerDirs(): number {
  let removed = 0;
  for (const name of readdirSync(tmpdir())) {
    const owner = new RegExp(`^${DIR_PREFIX}(\\d+)-`).exec(name)?.[1];
    if (owner === undefined || processRunning(Number(owner))) continue;
    rmSync(join(tmpdir(), name), { recursive: true, force: true });
    removed++;
  }
  return removed;
}

/**
 * Whether a process with this id is running: it exists and is not a zombie (an orphaned redis-server stays one until
 * its new parent reaps it). Reads /proc, so Linux only, like setpriv.
 */
export function processRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // `pid (command) state …`: the command may itself contain spaces and parentheses, so look after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

interface ClusterNode extends RedisServer {
  /**
   * Port of the cluster bus (0 outside cluster mode), chosen like the client port: the default, port + 10000, may be
   * taken or beyond 65535.
   */
  readonly busPort: number;
}

async function startNode(options: RedisServerOptions, cluster: boolean): Promise<ClusterNode> {
  const readyTimeoutMs = options.readyTimeoutMs ?? 10_000;
  const dir = mkdtempSync(join(tmpdir(), `${DIR_PREFIX}${process.pid}-`));
  const logFile = join(dir, 'redis.log');
  try {
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const busPort = cluster ? await freePort() : 0;
      const args = [
        '--port', String(port),
        '--bind', '127.0.0.1',
        '--dir', dir,
        '--logfile', logFile,
        '--save', '',
        '--appendonly', 'no',
        '--daemonize', 'no',
        '--protected-mode', 'no',
        ...(cluster ? ['--cluster-enabled', 'yes', '--cluster-config-file', join(dir, 'nodes.conf'), '--cluster-port', String(busPort)] : []),
        ...(options.args ?? []),
      ];
      try {
        const running = await launch(args, port, logFile, readyTimeoutMs);
        return serverHandle(running, { port, busPort, dir, args, logFile, readyTimeoutMs });
      } catch (err) {
        if (!(err instanceof ServerExitedError && err.portTaken && attempt < PORT_ATTEMPTS)) throw err;
      }
    }
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

interface RunningProcess {
  child: ChildProcess;
  /** Resolves when the process has ended (or could not be started at all). */
  ended: Promise<void>;
}

/** Spawns redis-server and waits until it answers PING; a process that fails to get there is killed. */
async function launch(args: string[], port: number, logFile: string, readyTimeoutMs: number): Promise<RunningProcess> {
  rmSync(logFile, { force: true }); // each attempt's log alone explains its failure
  // setpriv (util-linux) makes the kernel send SIGTERM to redis-server when this process dies without stopping it
  // (a Jest worker killed mid-run), so no server outlives its test run; setpriv execs, so the pid is redis-server's.
  // stderr is read because redis-server reports a bad argument there, before it opens its log file.
  const child = spawn('setpriv', ['--pdeathsig', 'SIGTERM', '--', 'redis-server', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (text: string) => {
    stderr = (stderr + text).slice(-4_000);
  });
  let spawnError: Error | undefined;
  // 'close' rather than 'exit': it comes once stderr is drained, so the error message is complete.
  const ended = new Promise<void>((resolve) => {
    child.once('close', () => resolve());
    child.once('error', (err) => {
      spawnError = err;
      resolve();
    });
  });
  const running = { child, ended };
  const output = () => `${stderr}${readLog(logFile)}`;
  try {
    const deadline = Date.now() + readyTimeoutMs;
    for (;;) {
      if (spawnError) throw new Error(`could not run setpriv (Debian package util-linux): ${spawnError.message}`);
      if (child.exitCode !== null || child.signalCode !== null) {
        await ended;
        throw new ServerExitedError(port, output());
      }
      if (child.pid !== undefined && (await answersPing(port, child.pid))) return running;
      if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer PING within ${readyTimeoutMs} ms; its output:\n${output()}`);
      await delay(POLL_INTERVAL_MS);
    }
  } catch (err) {
    await endProcess(running, 'SIGKILL');
    throw err;
  }
}

/**
 * Whether our own process answers PING on `port`. The process id is compared because between freePort() and the
 * bind, another server may have taken the port: then ours exits, and the one answering is not ours.
 */
async function answersPing(port: number, pid: number): Promise<boolean> {
  // socketTimeout: a foreign process that took the port may accept the connection and never answer.
  const client = createClient({ socket: { host: '127.0.0.1', port, reconnectStrategy: false, connectTimeout: 1_000, socketTimeout: 1_000 } });
  client.on('error', () => {}); // refused connections are expected while the server starts: we just ask again
  try {
    await client.connect();
    if ((await client.ping()) !== 'PONG') return false;
    return new RegExp(`^process_id:${pid}\\s*$`, 'm').test(String(await client.info('server')));
  } catch {
    return false;
  } finally {
    if (client.isOpen) client.destroy();
  }
}

async function endProcess(running: RunningProcess, signal: NodeJS.Signals): Promise<void> {
  const { child, ended } = running;
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return ended;
  child.kill(signal);
  if (signal === 'SIGKILL') return ended;
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<'grace-over'>((resolve) => {
    timer = setTimeout(() => resolve('grace-over'), STOP_GRACE_MS);
  });
  const outcome = await Promise.race([ended, graceOver]);
  clearTimeout(timer);
  if (outcome === 'grace-over') {
    child.kill('SIGKILL');
    await ended;
  }
}

interface NodeSetup {
  port: number;
  busPort: number;
  dir: string;
  args: string[];
  logFile: string;
  readyTimeoutMs: number;
}

function serverHandle(first: RunningProcess, setup: NodeSetup): ClusterNode {
  const { port, busPort, dir, args, logFile, readyTimeoutMs } = setup;
  let current = first;
  let stopped = false;
  const server: ClusterNode = {
    url: `redis://127.0.0.1:${port}`,
    port,
    busPort,
    dir,
    get pid() {
      return current.child.pid as number; // launch() only returns processes that answered, so they have a pid
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      untrackLiveServer(server);
      await endProcess(current, 'SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
    async kill() {
      await endProcess(current, 'SIGKILL');
    },
    async restart() {
      if (stopped) throw new Error(`redis-server on port ${port} was stopped: its directory is gone, start a new one`);
      await endProcess(current, 'SIGTERM');
      try {
        current = await launch(args, port, logFile, readyTimeoutMs);
      } catch (err) {
        if (err instanceof ServerExitedError && err.portTaken) {
          throw new Error(`cannot restart redis-server: port ${port} was taken by another process while it was down`);
        }
        throw err;
      }
    },
  };
  trackLiveServer(server);
  return server;
}

function readLog(logFile: string): string {
  try {
    return readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return ''; // it exited before opening it: stderr tells why
  }
}

/**
 * Gives each node an even share of the slots and a distinct config epoch, then has every node meet every later one:
 * meeting one seed only would leave the others to learn of each other by gossip, which takes seconds.
 */
async function formCluster(nodes: ClusterNode[]): Promise<void> {
  await Promise.all(
    nodes.map((node, i) =>
      withClient(node.port, async (client) => {
        const first = Math.floor((i * SLOT_COUNT) / nodes.length);
        const last = Math.floor(((i + 1) * SLOT_COUNT) / nodes.length) - 1;
        await client.sendCommand(['CLUSTER', 'ADDSLOTSRANGE', String(first), String(last)]);
        // Distinct epochs up front spare the cluster its epoch-collision round before it settles.
        await client.sendCommand(['CLUSTER', 'SET-CONFIG-EPOCH', String(i + 1)]);
      }),
    ),
  );
  await Promise.all(
    nodes.map((node, i) =>
      withClient(node.port, async (client) => {
        for (const other of nodes.slice(i + 1)) {
          await client.sendCommand(['CLUSTER', 'MEET', '127.0.0.1', String(other.port), String(other.busPort)]);
        }
      }),
    ),
  );
}

/** Polls CLUSTER INFO on every node until each one knows all nodes and reports `cluster_state:ok`. */
async function waitForClusterOk(nodes: RedisServer[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const clients = await Promise.all(nodes.map((n) => connectDirect(n.port)));
  try {
    for (;;) {
      const infos = await Promise.all(clients.map(async (c) => String(await c.sendCommand(['CLUSTER', 'INFO']))));
      const ok = (info: string) => /^cluster_state:ok\s*$/m.test(info) && new RegExp(`^cluster_known_nodes:${nodes.length}\\s*$`, 'm').test(info);
      if (infos.every(ok)) return;
      if (Date.now() > deadline) {
        const states = infos.map((info, i) => `${nodes[i]?.url}: ${/^cluster_state:\w+/m.exec(info)?.[0]}, ${/^cluster_known_nodes:\d+/m.exec(info)?.[0]}`);
        throw new Error(`cluster not ok after ${timeoutMs} ms:\n${states.join('\n')}`);
      }
      await delay(POLL_INTERVAL_MS);
    }
  } finally {
    for (const c of clients) c.destroy();
  }
}

async function connectDirect(port: number): Promise<RedisClientType> {
  const client = createClient({ socket: { host: '127.0.0.1', port, reconnectStrategy: false } });
  client.on('error', () => {}); // failures surface as rejected commands, which the callers report
  await client.connect();
  return client;
}

async function withClient<T>(port: number, use: (client: RedisClientType) => Promise<T>): Promise<T> {
  const client = await connectDirect(port);
  try {
    return await use(client);
  } finally {
    client.destroy();
  }
}
