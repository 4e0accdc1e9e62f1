import type { AddressRecord } from '../records';
import { DAY } from '../transforms/time';
import { applyLabel, dropUpTo, entriesToMap, insertAt, keepLast, mapToEntries, markSeen, pruneSeen, sortedIndex, type EntityKind } from './entity-kind';

/** Withdrawals to one destination address across all users: what mules and scam collectors leave behind. */
export interface AddressState {
  /** First withdrawal to the address seen by Vigil, ms. */
  first: number | undefined;
  latest: number;
  seen: Map<string, number>;
  /** Withdrawals of the last {@link ADDRESS_WINDOW_MS}, ascending: time, sender, event id. */
  ts: number[];
  users: string[];
  ids: string[];
  /** Labels of withdrawals to this address: event id → [time the label became known, 1 fraud / 0 legit]. */
  labels: Map<string, [ts: number, fraud: number]>;
  /** All withdrawals ever (within the TTL). */
  total: number;
}

export const ADDRESS_WINDOW_MS = 30 * DAY;
/** Bounded memory for hot addresses (exchange hot wallets receive from everybody). */
export const MAX_ADDRESS_SENDS = 2000;
const MAX_LABELS = 2000;

export const addressKind: EntityKind<AddressState, AddressRecord> = {
  name: 'a',
  ttlMs: 400 * DAY,
  init: () => ({ first: undefined, latest: -Infinity, seen: new Map(), ts: [], users: [], ids: [], labels: new Map(), total: 0 }),
  apply(s, r) {
    if (r.k === 'label') {
      if (!applyLabel(s.labels, r.id, r.ts, r.fraud, MAX_LABELS)) return false;
      if (r.ts > s.latest) s.latest = r.ts;
      return true;
    }
    if (!markSeen(s.seen, r.id, r.ts, s.latest)) return false;
    if (s.first === undefined || r.ts < s.first) s.first = r.ts;
    s.total += 1;
    const i = sortedIndex(s.ts, r.ts);
    insertAt(s.ts, i, r.ts);
    insertAt(s.users, i, r.user);
    insertAt(s.ids, i, r.id);
    if (r.ts > s.latest) s.latest = r.ts;
    pruneSeen(s.seen, s.latest);
    dropUpTo(s.latest - ADDRESS_WINDOW_MS, s.ts, s.users, s.ids);
    keepLast(MAX_ADDRESS_SENDS, s.ts, s.users, s.ids);
    return true;
  },
  encode: (s) =>
    JSON.stringify({ ...s, latest: s.latest === -Infinity ? null : s.latest, seen: mapToEntries(s.seen), labels: mapToEntries(s.labels) }),
  decode(text) {
    const o = JSON.parse(text);
    return { ...o, latest: o.latest ?? -Infinity, seen: entriesToMap(o.seen), labels: entriesToMap(o.labels) } as AddressState;
  },
};
