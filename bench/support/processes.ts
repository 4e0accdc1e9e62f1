import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { createClient } from 'redis';

/** The port a Redis already running on this machine would use: benchmarks never start a server there. */
const RESERVED_PORT = 6379;
/** Fresh ports tried when the one picked is taken before redis-server binds it. */
const PORT_ATTEMPTS = 5;
/** How long a stopped process gets to exit on SIGTERM before SIGKILL, ms. */
const STOP_GRACE_MS = 10_000;

/**
 * A loopback port that was free a moment ago (bind port 0, release it), never 6379; the test harness uses it too.
 * Another process may take it before the caller binds it, so callers retry.
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

/** A child process of the benchmark; stop() ends it (SIGTERM, then SIGKILL) and resolves once it has exited. */
export interface ChildHandle {
  child: ChildProcess;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/**
 * Spawns a process under `setpriv --pdeathsig SIGTERM`, so the kernel ends it if the benchmark dies without
 * stopping it (setpriv execs, so the pid is the program's own).
 */
export function spawnChild(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): ChildHandle {
  const child = spawn('setpriv', ['--pdeathsig', 'SIGTERM', '--', command, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: options.env, cwd: options.cwd });
  const exited = new Promise<number | null>((resolve) => {
    child.once('close', (code) => resolve(code));
    child.once('error', () => resolve(null));
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return void (await exited);
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  };
  return { child, exited, stop };
}

/** A redis-server of the benchmark's own: loopback, nothing persisted, in a temporary directory. */
export interface BenchRedis {
  url: string;
  /** Stops the server and removes its directory. */
  stop(): Promise<void>;
}

/** Starts `redis-server` (the binary on PATH) on a free loopback port, never 6379, and waits until it answers PING. */
export async function startRedis(): Promise<BenchRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-redis-'));
  try {
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const handle = spawnChild('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--protected-mode', 'no']);
      let output = '';
      handle.child.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
      handle.child.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
      const ready = await waitForPong(port, handle);
      if (ready) {
        return {
          url: `redis://127.0.0.1:${port}`,
          stop: async () => {
            await handle.stop();
            rmSync(dir, { recursive: true, force: true });
          },
        };
      }
      await handle.stop();
      if (!/Address already in use/i.test(output) || attempt === PORT_ATTEMPTS) throw new Error(`redis-server did not start on port ${port}:\n${output}`);
    }
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/**
 * Polls until our own process answers (true) or it has exited (false). The process id is compared: between
 * freePort() and the bind another server may take the port, and then the one answering is not ours.
 */
async function waitForPong(port: number, handle: ChildHandle): Promise<boolean> {
  let exited = false;
  void handle.exited.then(() => (exited = true));
  const deadline = Date.now() + 10_000;
  while (!exited && Date.now() < deadline) {
    if (await answers(port, handle.child.pid)) return true;
    await delay(20);
  }
  return false;
}

async function answers(port: number, pid: number | undefined): Promise<boolean> {
  const client = createClient({ socket: { host: '127.0.0.1', port, reconnectStrategy: false, connectTimeout: 1_000, socketTimeout: 1_000 } });
  client.on('error', () => {}); // refused while the server starts: asked again
  try {
    await client.connect();
    return new RegExp(`^process_id:${pid}\\s*$`, 'm').test(String(await client.info('server')));
  } catch {
    return false;
  } finally {
    if (client.isOpen) client.destroy();
  }
}

/** Kernel clock ticks per second, the unit of /proc/<pid>/stat CPU times. */
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/**
 * CPU time (user + system) a process and the processes it started (the workers of `vigil serve --workers`) are using
 * now or have used so far, ms, from /proc (Linux). A child that has ended counts no more, unless its parent has
 * waited for it.
 */
export function processCpuMs(pid: number): number {
  let ms = 0;
  for (const id of [pid, ...descendants(pid)]) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${id}/stat`, 'utf8');
    } catch {
      continue; // ended meanwhile
    }
    // `pid (command) state …`: the command may hold spaces, so count fields after the last ")"; utime, stime, cutime
    // and cstime are fields 14 to 17, i.e. the 12th to 15th after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ms += ((Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) * 1000) / CLOCK_TICKS;
  }
  return ms;
}

function descendants(pid: number): number[] {
  let children: number[];
  try {
    children = readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
      readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
  return children.flatMap((child) => [child, ...descendants(child)]);
}
