import { DayBatch } from './day-batch';
import { DAY, type EventMeta } from './events';

/**
 * Events waiting to be written, bucketed by day. Generation runs one day at a time, but a session that starts
 * before midnight or a fraud scenario that unfolds over two weeks schedules events on later days: they wait here
 * until their day is written. Events after the window are dropped (the data set simply ends there).
 */
export class Timeline {
  private readonly buckets = new Map<number, DayBatch>();
  /** The first day not yet written. */
  private current = 0;
  /** Events that fell after the window's end. */
  dropped = 0;

  constructor(
    readonly startMs: number,
    readonly days: number,
  ) {}

  /** Start of the first day not yet written (epoch ms): nothing may be scheduled before it. */
  get openFromMs(): number {
    return this.startMs + this.current * DAY;
  }

  get endMs(): number {
    return this.startMs + this.days * DAY;
  }

  /** Schedules an event: its metadata and its JSON object. */
  add(meta: EventMeta, json: string): void {
    const day = Math.floor((meta.ms - this.startMs) / DAY);
    if (day < this.current) {
      // A day already written cannot take more events: this is a bug in a scenario's timing, not bad input.
      throw new RangeError(`event at ${new Date(meta.ms).toISOString()} scheduled after its day was written`);
    }
    if (day >= this.days) {
      this.dropped++;
      return;
    }
    let batch = this.buckets.get(day);
    if (!batch) {
      batch = new DayBatch();
      this.buckets.set(day, batch);
    }
    batch.add(meta, json);
  }

  /** Removes and returns day `day`'s events; later days stay open for scheduling. */
  takeDay(day: number): DayBatch {
    const batch = this.buckets.get(day) ?? new DayBatch();
    this.buckets.delete(day);
    this.current = day + 1;
    return batch;
  }
}
