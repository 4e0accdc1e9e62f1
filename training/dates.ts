import { ValidationError } from '../core/errors';
import { DAY } from '../features/transforms/time';

/** A range of whole UTC days, both ends included, as epoch ms [from, to). */
export interface DayRange {
  from: number;
  to: number;
  /** As given: `YYYY-MM-DD`. */
  label: string;
}

/** Parses `YYYY-MM-DD` as the start of that UTC day, naming the option in the error. */
export function parseDay(option: string, value: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : Number.NaN;
  if (!m || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== value) {
    throw new ValidationError(`${option}: expected a date YYYY-MM-DD, got "${value}"`, [{ path: [option], message: 'expected YYYY-MM-DD' }]);
  }
  return ms;
}

/** The days from `fromOption` to `toOption`, both included; the end must not be before the start. */
export function dayRange(fromOption: string, from: string, toOption: string, to: string): DayRange {
  const start = parseDay(fromOption, from);
  const end = parseDay(toOption, to) + DAY;
  if (end <= start) throw new ValidationError(`${toOption}: ${to} is before ${fromOption} ${from}`, [{ path: [toOption], message: 'before the start' }]);
  return { from: start, to: end, label: `${from}..${to}` };
}

export const inRange = (r: DayRange, ts: number): boolean => ts >= r.from && ts < r.to;

export const dayOf = (ts: number): string => new Date(ts).toISOString().slice(0, 10);
