import { UnavailableError } from '../../core/errors';
import type { DenyListContent } from '../deny-lists';

/** Registry entry of one loaded list on one chain. */
export interface DenyListInfo {
  name: string;
  chain: string;
  /** Distinct addresses. */
  count: number;
  /** When it was loaded, ISO 8601 UTC. */
  loadedAt: string;
  /** The store version its load produced. */
  version: number;
}

/** The registry: every list and the store's version, which every load increases. */
export interface DenyListRegistry {
  /** 0 before the first load. */
  version: number;
  /** Sorted by name, then chain. */
  lists: DenyListInfo[];
}

/** Every list's content as of one version. */
export interface DenyListSnapshot {
  version: number;
  lists: DenyListContent[];
}

/**
 * Where deny lists live between loads: Redis (RedisDenyListStore) or files (FileDenyListStore). A load replaces one
 * list on one chain at once; readers see either the old or the new list, never a mix. Running services poll
 * {@link DenyListStore.version} and re-read the lists when it moved (deny-lists/refresher.ts).
 */
export interface DenyListStore {
  /** Replaces list `name` on `chain` by `addresses` (validated, normalised, distinct) and increases the version. */
  replace(list: DenyListContent, loadedAt?: Date): Promise<DenyListInfo>;
  /** The current version: 0 before the first load. */
  version(): Promise<number>;
  registry(): Promise<DenyListRegistry>;
  /** Every list's content, all as of one version. */
  snapshot(): Promise<DenyListSnapshot>;
  close(): Promise<void>;
}

/** How often {@link consistentSnapshot} reads again when a load landed while it was reading. */
const SNAPSHOT_ATTEMPTS = 5;

/**
 * Reads a snapshot without locking writers out: read the registry, then the lists, then the version again; if a
 * load moved the version meanwhile, the lists may come from two versions, so read again.
 */
export async function consistentSnapshot(
  readRegistry: () => Promise<DenyListRegistry>,
  readList: (info: DenyListInfo) => Promise<readonly string[]>,
  readVersion: () => Promise<number>,
): Promise<DenyListSnapshot> {
  for (let attempt = 1; ; attempt++) {
    const registry = await readRegistry();
    const lists = await Promise.all(registry.lists.map(async (info) => ({ name: info.name, chain: info.chain, addresses: await readList(info) })));
    if ((await readVersion()) === registry.version) return { version: registry.version, lists };
    if (attempt === SNAPSHOT_ATTEMPTS) {
      throw new UnavailableError('deny_lists_busy', `deny lists changed during each of ${SNAPSHOT_ATTEMPTS} reads; try again`);
    }
  }
}

/** Orders registry entries by name, then chain. */
export function byNameThenChain(a: DenyListInfo, b: DenyListInfo): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : a.chain < b.chain ? -1 : a.chain > b.chain ? 1 : 0;
}
