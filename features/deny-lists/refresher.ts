import { DenyLists } from '../deny-lists';
import type { DenyListLookup } from '../pipeline';
import type { DenyListStore } from './deny-list-store';

export interface DenyListRefresherOptions {
  /** How often the store's version is polled, ms. @defaultValue 5000 */
  intervalMs?: number;
  /** Told about a failed poll; the lists in use stay as they were until a later poll succeeds. */
  onError?: (err: unknown) => void;
  /** Told after new lists were swapped in. */
  onSwap?: (version: number, lists: DenyLists) => void;
}

/**
 * Keeps a running service's deny lists current: polls the store's version and, when a load moved it, reads every list
 * and swaps in a freshly built {@link DenyLists}. The swap is one reference assignment, so a lookup uses either the
 * old lists or the new ones as a whole; lookups never wait for a refresh.
 */
export class DenyListRefresher {
  private current = new DenyLists();
  private loadedVersion: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<boolean> | undefined;
  private queued: Promise<boolean> | undefined;
  private readonly intervalMs: number;

  constructor(
    private readonly store: DenyListStore,
    private readonly options: DenyListRefresherOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 5000;
  }

  /** The lookup to give FeaturePipeline: always answers from the lists in use at the moment of the call. */
  readonly lookup: DenyListLookup = (chain, address) => this.current.lookup(chain, address);

  /** Store version of the lists in use; `undefined` before the first successful refresh. */
  get version(): number | undefined {
    return this.loadedVersion;
  }

  /** Loads the lists once (a failure rejects: the caller decides whether to start without them), then polls. */
  async start(): Promise<void> {
    await this.refresh();
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.refresh().catch((err: unknown) => this.options.onError?.(err));
    }, this.intervalMs);
    this.timer.unref(); // polling alone must not keep a process alive
  }

  /**
   * Re-reads the lists if the store's version moved; resolves to whether new lists were swapped in. A call sees
   * every load that finished before it: joining a poll already under way could miss one (that poll may have read
   * the version before the load), so a call made meanwhile runs once more after it, shared by all such calls.
   */
  refresh(): Promise<boolean> {
    if (this.inFlight) {
      this.queued ??= this.inFlight
        .catch(() => false)
        .then(() => {
          this.queued = undefined;
          return this.refresh();
        });
      return this.queued;
    }
    this.inFlight = this.reload().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async reload(): Promise<boolean> {
    if ((await this.store.version()) === this.loadedVersion) return false;
    const snapshot = await this.store.snapshot();
    const lists = new DenyLists(snapshot.lists);
    this.current = lists;
    this.loadedVersion = snapshot.version;
    this.options.onSwap?.(snapshot.version, lists);
    return true;
  }
}
