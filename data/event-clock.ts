import type { FieldIssue } from '../core/errors';

/**
 * The issue with a `ts` further ahead of this server's clock than `maxAheadMs`, if it is. Feature state trusts event
 * time: one event timed years ahead (a caller's clock or a typo) would move its user's clock there, and every real
 * event after it would then lie beyond the dedupe horizon and be dropped while the answers still said "accepted".
 * Live input (HTTP, the event queue) is held to it; files are history, or simulations stamped as they please.
 */
export function tsAheadIssue(tsMs: number, nowMs: number, maxAheadMs: number): FieldIssue | undefined {
  if (tsMs <= nowMs + maxAheadMs) return undefined;
  return { path: ['ts'], message: `is ${seconds(tsMs - nowMs)} s ahead of this server's clock (at most ${seconds(maxAheadMs)} s allowed)` };
}

/** Milliseconds as seconds to the millisecond: rounded to whole seconds, a time just past the bound read as on it. */
const seconds = (ms: number): number => Number((ms / 1000).toFixed(3));
