import type { AccountChange } from '../data/schemas';
import type { StoredLocation } from './location-cipher';

/**
 * What is appended to an entity's log for one event or label. Records are small and self-contained: an entity's
 * state is the fold of its records ({@link EntityKind.apply}), so the memory store (which folds as it goes) and the
 * Redis store (which appends records and folds them when read) hold the same state by construction.
 * Device ids, IPs and networks arrive here already pseudonymised (see `pseudonymizer.ts`), and locations sealed.
 */
export type UserRecord =
  | {
      k: 'login';
      id: string;
      ts: number;
      ok: boolean;
      dev: string;
      ip: string;
      net: string;
      ctry?: string;
      /** Local hour of day (from the longitude, see `localHour`). */
      hour: number;
      /** Where the login came from, sealed for Redis (see `location-cipher.ts`). */
      loc?: StoredLocation;
    }
  | { k: 'wd'; id: string; ts: number; usd?: number; addr: string; hour: number }
  | { k: 'change'; id: string; ts: number; change: AccountChange }
  | LabelRecord;

/** A label reaching an entity: `id` is the labelled event's id, `ts` the time the label became known. */
export interface LabelRecord {
  k: 'label';
  id: string;
  ts: number;
  fraud: boolean;
}

export interface IpRecord {
  k: 'login';
  id: string;
  ts: number;
  user: string;
  ok: boolean;
}

/** A login attempt or withdrawal made from a device (by its pseudonym), by `user`; or a label of such an event. */
export type DeviceRecord = { k: 'use'; id: string; ts: number; user: string } | LabelRecord;

export type AddressRecord = { k: 'wd'; id: string; ts: number; user: string; usd?: number } | LabelRecord;

/** What a label needs to find its entities and to know whether it may apply: kept per event id for the label horizon. */
export interface EventRef {
  userId: string;
  /** Normalised destination address of a withdrawal. */
  address?: string;
  /** The device the event came from (its pseudonym), when it named one. */
  device?: string;
  /** Event time, ms: a label timed before it does not apply. −Infinity when unknown (references stored before it was). */
  ts: number;
}
