import type { DeviceRecord } from '../records';
import { DAY } from '../transforms/time';
import { applyLabel, decodeTime, deleteOldest, deleteUpTo, encodeTime, entriesToMap, mapToEntries, type EntityKind } from './entity-kind';

/**
 * One device across users. A phone or browser belongs to one person, a household at most: a device id that many
 * accounts use is an attacker's tool (one machine working through stolen accounts, a bot keeping its id) or a farm.
 *
 * The fold keeps, per user, the latest time only, so applying a record again changes nothing: unlike the other
 * entities, a device needs no list of event ids for exactly-once (that list would be most of its state). The one
 * exception is a device past {@link MAX_DEVICE_USERS} users, where a redelivered record may bring back a user in place
 * of another; its counts are saturated then. Labels are idempotent too: the latest label of an event wins.
 */
export interface DeviceState {
  /** The latest use, ms: the clock for pruning (labels do not move it). */
  latest: number;
  /** The users of the last {@link DEVICE_WINDOW_MS} or so: user id → time of their latest event on the device. */
  users: Map<string, number>;
  /**
   * Labels of events made from the device: event id → [time the label became known, 1 fraud / 0 legit]. A device
   * used in a confirmed takeover is the attacker's: its next victim is warned by it.
   */
  labels: Map<string, [ts: number, fraud: number]>;
}

/** How long a user's use of a device is remembered (the longest feature window). */
export const DEVICE_WINDOW_MS = 30 * DAY;
/**
 * At most this many users are kept per device: the one whose latest use is oldest goes first. Counts beyond it are
 * equally damning, and state and read cost stay bounded (the counts saturate at this value).
 */
export const MAX_DEVICE_USERS = 256;
/** At most this many labels are kept per device, the oldest recorded going first. */
const MAX_DEVICE_LABELS = 256;

/** A user's entry is the time of their latest use. */
const latestUse = (t: number): number => t;
const labelTime = (label: readonly number[]): number => label[0] as number;

export const deviceKind: EntityKind<DeviceState, DeviceRecord> = {
  name: 'd',
  ttlMs: 90 * DAY,
  init: () => ({ latest: -Infinity, users: new Map(), labels: new Map() }),
  apply(s, r) {
    // A use or label already out of every window is dropped: the once-a-day pruning may have removed it, and adding
    // it back on a redelivery would make the state depend on how often the record came.
    if (r.ts <= s.latest - DEVICE_WINDOW_MS) return false;
    if (r.k === 'label') return applyLabel(s.labels, r.id, r.ts, r.fraud, MAX_DEVICE_LABELS);
    const before = s.users.get(r.user);
    // A use no later than the user's latest changes nothing (a repeat, say).
    if (before !== undefined && r.ts <= before) return false;
    s.users.set(r.user, r.ts);
    if (r.ts > s.latest) {
      const dayChanged = Math.floor(r.ts / DAY) !== Math.floor(s.latest / DAY);
      s.latest = r.ts;
      // Users gone quiet and old labels leave once a day of event time: the features only count those inside their
      // windows anyway.
      if (dayChanged) {
        deleteUpTo(s.users, s.latest - DEVICE_WINDOW_MS, latestUse);
        deleteUpTo(s.labels, s.latest - DEVICE_WINDOW_MS, labelTime);
      }
    }
    if (s.users.size > MAX_DEVICE_USERS) deleteOldest(s.users, latestUse);
    return true;
  },
  encode: (s) => JSON.stringify({ ...s, latest: encodeTime(s.latest), users: mapToEntries(s.users), labels: mapToEntries(s.labels) }),
  decode(text) {
    const o = JSON.parse(text);
    return { ...o, latest: decodeTime(o.latest), users: entriesToMap(o.users), labels: entriesToMap(o.labels) } as DeviceState;
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
