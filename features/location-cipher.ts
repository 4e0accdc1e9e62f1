import { createSecretKey } from 'node:crypto';
import { decryptJson, DecryptionError, deriveKey, encryptJson } from '../core/crypto';

/**
 * A location as feature state keeps it: coordinates in process memory, an AES-256-GCM ciphertext of them in Redis.
 * Impossible travel needs the coordinates themselves, so a keyed hash (as for IPs and devices) would not do.
 */
export type StoredLocation = readonly [lat: number, lon: number] | string;

/** How a backend keeps locations: {@link clearLocations} in memory, {@link sealedLocations} for Redis. */
export interface LocationCipher {
  seal(lat: number, lon: number): StoredLocation;
  /**
   * The coordinates, or undefined for a ciphertext that does not open under this key: like a pseudonym made under
   * another key, which matches no known value, a location sealed under another key is unknown, not an error.
   */
  open(location: StoredLocation): readonly [lat: number, lon: number] | undefined;
}

export const clearLocations: LocationCipher = {
  seal: (lat, lon) => [lat, lon],
  open: (location) => (typeof location === 'string' ? undefined : location),
};

/**
 * Locations encrypted under keys derived from the master secret. Deterministically (a synthetic IV from the
 * plaintext): the same event gives the same record on every store and in every retry, so backends and replays can be
 * compared byte for byte; it reveals only that two stored locations are equal, as pseudonyms do.
 */
export function sealedLocations(masterKey: Buffer): LocationCipher {
  const key = deriveKey(masterKey, 'vigil location v1');
  const ivKey = createSecretKey(deriveKey(masterKey, 'vigil location iv v1'));
  return {
    seal: (lat, lon) => encryptJson(key, [lat, lon], ivKey),
    open(location) {
      if (typeof location !== 'string') return location;
      try {
        return decryptJson(key, location) as [number, number];
      } catch (err) {
        if (err instanceof DecryptionError) return undefined;
        throw err;
      }
    },
  };
}

/** A located event as features read it: its time and coordinates, opened, or undefined when they do not open. */
export function openLocated(cipher: LocationCipher, located: { ts: number; loc: StoredLocation }): { ts: number; lat: number; lon: number } | undefined {
  const at = cipher.open(located.loc);
  return at && { ts: located.ts, lat: at[0], lon: at[1] };
}
