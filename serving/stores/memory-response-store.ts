import type { ResponseStore, ScoreResponse } from './serving-stores';

export interface MemoryResponseStoreOptions {
  /** Answers kept; the oldest are forgotten first. @defaultValue 100000 */
  capacity?: number;
}

/**
 * Answers by event id in process, for the embedded default: a bounded map (insertion order, oldest evicted), so a
 * retry gets the first answer as long as it comes within the last `capacity` scored events.
 */
export class MemoryResponseStore implements ResponseStore {
  private readonly responses = new Map<string, ScoreResponse>();
  private readonly capacity: number;

  constructor(options: MemoryResponseStoreOptions = {}) {
    this.capacity = options.capacity ?? 100_000;
    if (!Number.isInteger(this.capacity) || this.capacity < 1) throw new Error(`MemoryResponseStore: capacity must be a whole number >= 1, got ${this.capacity}`);
  }

  async get(eventId: string): Promise<ScoreResponse | undefined> {
    const response = this.responses.get(eventId);
    return response && structuredClone(response);
  }

  /** Keeps the first answer for an event id: a later put for the same id changes nothing (as SET NX in Redis). */
  async put(response: ScoreResponse): Promise<void> {
    if (this.responses.has(response.eventId)) return;
    this.responses.set(response.eventId, structuredClone(response));
    if (this.responses.size > this.capacity) this.responses.delete(this.responses.keys().next().value as string);
  }
}
