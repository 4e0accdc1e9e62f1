import type { EventType } from '../schemas';

/** The vocabulary shared by the generator's parts: scenarios, incidents, event metadata, time helpers. */

/** Fraud scenarios, as tagged in truth.jsonl. */
export const SCENARIOS = [
  'credential_stuffing',
  'account_takeover',
  'sim_swap',
  'impossible_travel',
  'phishing_drain',
  'mule_address',
  'slow_compromise',
] as const;

export type ScenarioName = (typeof SCENARIOS)[number];

export type LabelSource = 'user_report' | 'analyst' | 'chargeback';

/** One victim's fraud case: its events are labelled together, when (and if) the case is reported. */
export interface Incident {
  /** False for the fraud that is never labelled. */
  reported: boolean;
  /** When the case became known (epoch ms), after its last event. */
  reportMs: number;
  source: LabelSource;
}

/**
 * What the writer counts and the labeler decides on, for one event (its JSON is kept apart, as bytes). Every field is
 * always present, undefined when it does not apply, so that all these objects share one shape.
 */
export interface EventMeta {
  /** Event time, epoch ms. */
  ms: number;
  type: EventType;
  /** Logins only: whether it succeeded. */
  success: boolean | undefined;
  /** Set on every event of a fraud scenario. */
  scenario: ScenarioName | undefined;
  /** Set on the fraud events that get labels: the attacker's successful logins and fraudulent withdrawals. */
  incident: Incident | undefined;
  /** Benign withdrawals only: true when it looks unusual (new address, big amount), so review is likelier. */
  unusual: boolean | undefined;
}

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

/** True on Saturdays and Sundays (UTC day of `ms`); 1970-01-01 was a Thursday. */
export function isWeekend(ms: number): boolean {
  const weekday = (Math.floor(ms / DAY) + 4) % 7; // 0 = Sunday, as Date.getUTCDay
  return weekday === 0 || weekday === 6;
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);
const pad3 = (n: number): string => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);

/** The `YYYY-MM-DDT` prefix of the last day formatted: events cluster by day, so it is nearly always reused. */
let prefixDay = Number.NaN;
let prefix = '';

/** The same string as `new Date(ms).toISOString()` (for years 1970–9999), several times faster. */
export function isoTimestamp(ms: number): string {
  const day = Math.floor(ms / DAY);
  if (day !== prefixDay) {
    prefixDay = day;
    prefix = new Date(day * DAY).toISOString().slice(0, 11);
  }
  let r = ms - day * DAY;
  const h = Math.floor(r / HOUR);
  r -= h * HOUR;
  const m = Math.floor(r / MINUTE);
  r -= m * MINUTE;
  const s = Math.floor(r / 1000);
  return `${prefix}${pad2(h)}:${pad2(m)}:${pad2(s)}.${pad3(r - s * 1000)}Z`;
}
