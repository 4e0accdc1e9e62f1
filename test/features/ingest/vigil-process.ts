import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const VIGIL = join(__dirname, '../../../bin/vigil.js');

/** A 256-bit PII key, as VIGIL_PII_KEY takes it (64 hex digits). */
export const TEST_PII_KEY_HEX = 'a1'.repeat(32);

/** The environment of a `vigil` child process on `redisUrl` with its own key prefix; `undefined` unsets a variable. */
export function vigilEnv(redisUrl: string | undefined, keyPrefix: string, extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, REDIS_URL: redisUrl, VIGIL_PII_KEY: TEST_PII_KEY_HEX, VIGIL_REDIS_KEY_PREFIX: keyPrefix, VIGIL_LOG_LEVEL: 'warn', ...extra };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  return env;
}

export interface VigilRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A running `node bin/vigil.js …`; `done` settles when it exits. */
export interface VigilProcess {
  child: ChildProcess;
  done: Promise<VigilRun>;
  /** What it has written to stderr so far. */
  stderr(): string;
}

export function spawnVigil(args: string[], env: NodeJS.ProcessEnv): VigilProcess {
  const child = spawn(process.execPath, [VIGIL, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<VigilRun>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done, stderr: () => stderr };
}

/** Runs `vigil …` to the end. */
export function runVigil(args: string[], env: NodeJS.ProcessEnv): Promise<VigilRun> {
  return spawnVigil(args, env).done;
}

/** The JSON result line of a command (the last line of stdout); throws with the stderr when there is none. */
export function resultOf<T = Record<string, unknown>>(run: VigilRun): T {
  const last = run.stdout.trim().split('\n').pop();
  if (run.code !== 0 || !last) throw new Error(`vigil exited with ${run.code ?? run.signal}; stderr:\n${run.stderr}`);
  return JSON.parse(last) as T;
}
