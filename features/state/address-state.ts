import type { AddressRecord } from '../records';
import { DAY } from '../transforms/time';
import {
  applyLabel,
  decodeTime,
  dropUpTo,
  encodeTime,
  entriesToMap,
  insertAt,
  keepLast,
  mapToEntries,
  markSeen,
  pruneSeen,
  sortedIndex,
  type EntityKind,
  type SeenIds,
} from './entity-kind';

/** Withdrawals to one destination address across all users: what mules and scam collectors leave behind. */
export interface AddressState extends SeenIds {
  /** First withdrawal to the address seen by Vigil, ms. */
  first: number | undefined;
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
/** Event ids remembered per address (see markSeen): twice the withdrawals kept. */
export const MAX_ADDRESS_SEEN = 2 * MAX_ADDRESS_SENDS;
const MAX_LABELS = 2000;

export const addressKind: EntityKind<AddressState, AddressRecord> = {
  name: 'a',
  ttlMs: 400 * DAY,
  init: () => ({ first: undefined, latest: -Infinity, seen: new Map(), seenFloor: -Infinity, ts: [], users: [], ids: [], labels: new Map(), total: 0 }),
  apply(s, r) {
    if (r.k === 'label') {
      if (!applyLabel(s.labels, r.id, r.ts, r.fraud, MAX_LABELS)) return false;
      if (r.ts > s.latest) s.latest = r.ts;
      return true;
    }
    if (!markSeen(s, r.id, r.ts, MAX_ADDRESS_SEEN)) return false;
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
    JSON.stringify({ ...s, latest: encodeTime(s.latest), seen: mapToEntries(s.seen), seenFloor: encodeTime(s.seenFloor), labels: mapToEntries(s.labels) }),
  decode(text) {
    const o = JSON.parse(text);
    return { ...o, latest: decodeTime(o.latest), seen: entriesToMap(o.seen), seenFloor: decodeTime(o.seenFloor), labels: entriesToMap(o.labels) } as AddressState;
  },
};
