import { EVENT_TYPES } from '../schemas';
import { SCENARIOS, type EventMeta, type Incident } from './events';

/**
 * One day's events waiting to be written, kept off the JavaScript heap: each event's JSON is encoded straight into a
 * byte buffer and its metadata into number arrays. A large world holds a hundred thousand events or more here each
 * day; as strings and objects they would survive garbage collection after garbage collection and be copied each
 * time (this halved the time spent collecting garbage).
 */

const SUCCESS = 1 << 2;
const UNUSUAL = 1 << 3;
const SCENARIO_SHIFT = 4;

export class DayBatch {
  private bytes = Buffer.allocUnsafe(1 << 16);
  private used = 0;
  private readonly ms: number[] = [];
  /** Byte range of each event's line: its JSON after the opening brace, and a newline. */
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  /** Type index, success and unusual flags, scenario index + 1. */
  private readonly codes: number[] = [];
  private readonly incidents: (Incident | undefined)[] = [];

  get size(): number {
    return this.ms.length;
  }

  /** Adds an event: its metadata and its JSON object (`{…}`). */
  add(meta: EventMeta, json: string): void {
    // UTF-8 takes at most three bytes per UTF-16 code unit, plus the newline.
    const most = json.length * 3 + 1;
    if (this.used + most > this.bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.used + most));
      this.bytes.copy(grown, 0, 0, this.used);
      this.bytes = grown;
    }
    this.starts.push(this.used + 1);
    this.used += this.bytes.write(json, this.used);
    this.bytes[this.used++] = 0x0a;
    this.ends.push(this.used);
    this.ms.push(meta.ms);
    const scenario = meta.scenario === undefined ? 0 : SCENARIOS.indexOf(meta.scenario) + 1;
    this.codes.push(EVENT_TYPES.indexOf(meta.type) | (meta.success ? SUCCESS : 0) | (meta.unusual ? UNUSUAL : 0) | (scenario << SCENARIO_SHIFT));
    this.incidents.push(meta.incident);
  }

  /**
   * Visits the events in time order (ties in the order they were added, so output is deterministic) with their
   * metadata and the bytes of their line: the JSON after the opening brace, and a newline. `meta` is one object reused for every event:
   * read it, do not keep it.
   */
  forEachInOrder(visit: (meta: EventMeta, bytes: Buffer, start: number, end: number) => void): void {
    const ms = this.ms;
    const order = Array.from({ length: ms.length }, (_, i) => i).sort((a, b) => (ms[a] as number) - (ms[b] as number) || a - b);
    const meta: EventMeta = { ms: 0, type: 'login', success: undefined, scenario: undefined, incident: undefined, unusual: undefined };
    for (const i of order) {
      const code = this.codes[i] as number;
      const scenario = code >> SCENARIO_SHIFT;
      meta.ms = ms[i] as number;
      meta.type = EVENT_TYPES[code & 3] as EventMeta['type'];
      meta.success = meta.type === 'login' ? (code & SUCCESS) !== 0 : undefined;
      meta.unusual = (code & UNUSUAL) !== 0 ? true : undefined;
      meta.scenario = scenario === 0 ? undefined : SCENARIOS[scenario - 1];
      meta.incident = this.incidents[i];
      visit(meta, this.bytes, this.starts[i] as number, this.ends[i] as number);
    }
  }
}
