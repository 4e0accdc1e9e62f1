import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { ConflictError, UnavailableError } from '../../core/errors';
import type { DenyListContent } from '../deny-lists';
import { byNameThenChain, consistentSnapshot, type DenyListInfo, type DenyListRegistry, type DenyListSnapshot, type DenyListStore } from '../deny-lists/deny-list-store';

export interface FileDenyListStoreOptions {
  /** How long a load waits for another load's lock before giving up, ms. @defaultValue 10000 */
  lockTimeoutMs?: number;
}

const REGISTRY_FILE = 'registry.json';
const LOCK_FILE = '.lock';
const LOCK_POLL_MS = 20;

/**
 * Deny lists as files in one directory (VIGIL_LIST_DIR), for running without Redis:
 * - `<name>-<chain>.txt`: the normalised addresses, one per line (the form `vigil features build --lists` reads);
 * - `registry.json`: `{version, lists: [{name, chain, count, loadedAt, version}]}`;
 * - `.lock`: held by a load in progress (it holds the loader's process id, so a dead loader's lock is taken over).
 * Every file is written to a temporary name and renamed over the old one, so a reader sees a whole old or a whole
 * new file. A load renames the list first and the registry last: readers that saw the old registry re-read
 * (see consistentSnapshot).
 */
export class FileDenyListStore implements DenyListStore {
  private readonly lockTimeoutMs: number;

  constructor(
    private readonly dir: string,
    options: FileDenyListStoreOptions = {},
  ) {
    this.lockTimeoutMs = options.lockTimeoutMs ?? 10_000;
  }

  private listFile(name: string, chain: string): string {
    return join(this.dir, `${name}-${chain}.txt`);
  }

  async replace(list: DenyListContent, loadedAt: Date = new Date()): Promise<DenyListInfo> {
    await mkdir(this.dir, { recursive: true });
    return this.withLock(async () => {
      const registry = await this.registry();
      const file = this.listFile(list.name, list.chain);
      // Names may hold "-", so "a-b" on "c" and "a" on "b-c" would share a file name.
      const clash = registry.lists.find((l) => this.listFile(l.name, l.chain) === file && (l.name !== list.name || l.chain !== list.chain));
      if (clash) throw new ConflictError(`list "${list.name}" on ${list.chain} would share the file ${file} with list "${clash.name}" on ${clash.chain}`);
      const info: DenyListInfo = { name: list.name, chain: list.chain, count: list.addresses.length, loadedAt: loadedAt.toISOString(), version: registry.version + 1 };
      await writeFileAtomic(file, list.addresses.length ? `${list.addresses.join('\n')}\n` : '');
      const lists = [...registry.lists.filter((l) => l.name !== list.name || l.chain !== list.chain), info].sort(byNameThenChain);
      await writeFileAtomic(join(this.dir, REGISTRY_FILE), `${JSON.stringify({ version: info.version, lists }, null, 1)}\n`);
      return info;
    });
  }

  async version(): Promise<number> {
    return (await this.registry()).version;
  }

  async registry(): Promise<DenyListRegistry> {
    const path = join(this.dir, REGISTRY_FILE);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 0, lists: [] };
      throw unavailable(err);
    }
    try {
      return JSON.parse(text) as DenyListRegistry;
    } catch (err) {
      throw unavailable(new Error(`${path}: ${(err as Error).message}`));
    }
  }

  snapshot(): Promise<DenyListSnapshot> {
    return consistentSnapshot(
      () => this.registry(),
      async (info) => {
        const text = await readFile(this.listFile(info.name, info.chain), 'utf8').catch((err: unknown) => Promise.reject(unavailable(err)));
        return text.split('\n').filter((line) => line.length > 0);
      },
      () => this.version(),
    );
  }

  async close(): Promise<void> {}

  /** Runs `work` holding the directory's lock file, so two loads never interleave their registry updates. */
  private async withLock<T>(work: () => Promise<T>): Promise<T> {
    const lock = join(this.dir, LOCK_FILE);
    const deadline = Date.now() + this.lockTimeoutMs;
    for (;;) {
      try {
        const handle = await open(lock, 'wx');
        await handle.writeFile(String(process.pid));
        await handle.close();
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        if (await holderIsGone(lock)) {
          await rm(lock, { force: true });
          continue;
        }
        if (Date.now() > deadline) throw new UnavailableError('deny_lists_busy', `another load holds ${lock}; try again (remove the file if no load runs)`);
        await delay(LOCK_POLL_MS);
      }
    }
    try {
      return await work();
    } finally {
      await rm(lock, { force: true });
    }
  }
}

/** Unreadable files are what an unreachable Redis is to the other backend: the same error for the caller's fail mode. */
function unavailable(err: unknown): UnavailableError {
  return new UnavailableError('deny_lists_unavailable', `deny list store unavailable: ${err instanceof Error ? err.message : String(err)}`);
}

/** Whether the process named in a lock file has ended (a loader that crashed); an unreadable lock counts as held. */
async function holderIsGone(lock: string): Promise<boolean> {
  const pid = Number(await readFile(lock, 'utf8').catch(() => ''));
  if (!Number.isInteger(pid) || pid <= 0) return false; // being written right now, or gone already
  try {
    process.kill(pid, 0); // signal 0 only checks that the process exists
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Writes to a temporary file in the same directory, flushes it, and renames it over `path`. */
async function writeFileAtomic(path: string, data: string): Promise<void> {
  const temp = `${path}.${randomUUID()}.tmp`;
  try {
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}
