import type { IpRecord } from '../records';
import { DAY, HOUR } from '../transforms/time';
import { decodeTime, dropUpTo, encodeTime, entriesToMap, insertAt, keepLast, mapToEntries, markSeen, pruneSeen, sortedIndex, type EntityKind, type SeenIds } from './entity-kind';

/** Login attempts from one IP across all users: what credential stuffing leaves behind. */
export interface IpState extends SeenIds {
  first: number | undefined;
  /** Attempts of the last {@link IP_WINDOW_MS}, ascending: time, user, 1 success / 0 failure. */
  ts: number[];
  users: string[];
  ok: number[];
}

export const IP_WINDOW_MS = 24 * HOUR;
/**
 * At most this many attempts are kept per IP: a stuffing IP makes thousands an hour, and counts beyond this are
 * equally damning, so memory and read cost stay bounded (the counts saturate at this value).
 */
export const MAX_IP_ATTEMPTS = 2000;
/** Event ids remembered per IP (see markSeen): twice the attempts kept, so a flood only shortens the horizon. */
export const MAX_IP_SEEN = 2 * MAX_IP_ATTEMPTS;

export const ipKind: EntityKind<IpState, IpRecord> = {
  name: 'ip',
  ttlMs: 90 * DAY,
  init: () => ({ first: undefined, latest: -Infinity, seen: new Map(), seenFloor: -Infinity, ts: [], users: [], ok: [] }),
  apply(s, r) {
    if (!markSeen(s, r.id, r.ts, MAX_IP_SEEN)) return false;
    if (s.first === undefined || r.ts < s.first) s.first = r.ts;
    const i = sortedIndex(s.ts, r.ts);
    insertAt(s.ts, i, r.ts);
    insertAt(s.users, i, r.user);
    insertAt(s.ok, i, r.ok ? 1 : 0);
    if (r.ts > s.latest) s.latest = r.ts;
    pruneSeen(s.seen, s.latest);
    dropUpTo(s.latest - IP_WINDOW_MS, s.ts, s.users, s.ok);
    keepLast(MAX_IP_ATTEMPTS, s.ts, s.users, s.ok);
    return true;
  },
  encode: (s) => JSON.stringify({ ...s, latest: encodeTime(s.latest), seen: mapToEntries(s.seen), seenFloor: encodeTime(s.seenFloor) }),
  decode(text) {
    const o = JSON.parse(text);
    return { ...o, latest: decodeTime(o.latest), seen: entriesToMap(o.seen), seenFloor: decodeTime(o.seenFloor) } as IpState;
  },
};
