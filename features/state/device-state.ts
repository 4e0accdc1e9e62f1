import type { DeviceRecord } from '../records';
import { DAY } from '../transforms/time';
import { decodeTime, deleteOldest, deleteUpTo, encodeTime, entriesToMap, mapToEntries, type EntityKind } from './entity-kind';

/**
 * One device across users. A phone or browser belongs to one person, a household at most: a device id that many
 * accounts use is an attacker's tool (one machine working through stolen accounts, a bot keeping its id) or a farm.
 *
 * The fold keeps, per user, the latest time only, so applying a record again changes nothing: unlike the other
 * entities, a device needs no list of event ids for exactly-once (that list would be most of its state). The one
 * exception is a device past {@link MAX_DEVICE_USERS} users, where a redelivered record may bring back a user in place
 * of another; its counts are saturated then.
 */
export interface DeviceState {
  latest: number;
  /** The users of the last {@link DEVICE_WINDOW_MS} or so: user id → time of their latest event on the device. */
  users: Map<string, number>;
}

/** How long a user's use of a device is remembered (the longest feature window). */
export const DEVICE_WINDOW_MS = 30 * DAY;
/**
 * At most this many users are kept per device: the one whose latest use is oldest goes first. Counts beyond it are
 * equally damning, and state and read cost stay bounded (the counts saturate at this value).
 */
export const MAX_DEVICE_USERS = 256;

/** A user's entry is the time of their latest use. */
const latestUse = (t: number): number => t;

export const deviceKind: EntityKind<DeviceState, DeviceRecord> = {
  name: 'd',
  ttlMs: 90 * DAY,
  init: () => ({ latest: -Infinity, users: new Map() }),
  apply(s, r) {
    // A use already out of every window is dropped: the once-a-day pruning may have removed it, and adding it back
    // on a redelivery would make the state depend on how often the record came.
    if (r.ts <= s.latest - DEVICE_WINDOW_MS) return false;
    const before = s.users.get(r.user);
    // A use no later than the user's latest changes nothing (a repeat, say).
    if (before !== undefined && r.ts <= before) return false;
    s.users.set(r.user, r.ts);
    if (r.ts > s.latest) {
      const dayChanged = Math.floor(r.ts / DAY) !== Math.floor(s.latest / DAY);
      s.latest = r.ts;
      // Users gone quiet leave once a day of event time: the features only count uses inside their windows anyway.
      if (dayChanged) deleteUpTo(s.users, s.latest - DEVICE_WINDOW_MS, latestUse);
    }
    if (s.users.size > MAX_DEVICE_USERS) deleteOldest(s.users, latestUse);
    return true;
  },
  encode: (s) => JSON.stringify({ ...s, latest: encodeTime(s.latest), users: mapToEntries(s.users) }),
  decode(text) {
    const o = JSON.parse(text);
    return { ...o, latest: decodeTime(o.latest), users: entriesToMap(o.users) } as DeviceState;
  },
};

/**
 * Users other than `user` whose latest use of the device falls in (now − w, now], for each window. A user whose
 * latest use is after `now` (an event applied before a late one) is not counted: that use is not in the past.
 */
export function otherUsersInWindows(s: DeviceState, user: string, now: number, windows: readonly number[]): number[] {
  const out = new Array<number>(windows.length).fill(0);
  s.users.forEach((t, u) => {
    if (u === user || t > now) return;
    for (let w = 0; w < windows.length; w++) if (t > now - (windows[w] as number)) out[w]! += 1;
  });
  return out;
}
