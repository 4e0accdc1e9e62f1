import { createCipheriv, createDecipheriv, timingSafeEqual, type Cipher, type Decipher } from 'node:crypto';
import { deriveKey } from '../core/crypto';

/**
 * A location as feature state keeps it: coordinates in process memory, a ciphertext of them in Redis.
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
 * Locations encrypted under keys derived from the master secret, deterministically: the same event gives the same
 * record on every store and in every retry, so backends and replays can be compared byte for byte; it reveals only
 * that two stored locations are equal, as pseudonyms do.
 *
 * The coordinates (two float64, exactly one AES block) are encrypted with AES-256 as a block cipher, and the result
 * is authenticated by AES-256 under a second key (a PRF of the ciphertext): `l1.<base64url of c ‖ tag>`. A
 * deterministic one-block scheme needs no IV, so both ciphers are created once and reused; AES-GCM, which needs a
 * cipher object and an IV per message, cost about 20 µs per login, more than the rest of bulk ingestion's work.
 */
export function sealedLocations(masterKey: Buffer): LocationCipher {
  const key = deriveKey(masterKey, 'vigil location v1');
  const encrypt = blockCipher(createCipheriv('aes-256-ecb', key, null));
  const decrypt = blockCipher(createDecipheriv('aes-256-ecb', key, null));
  const tagOf = blockCipher(createCipheriv('aes-256-ecb', deriveKey(masterKey, 'vigil location tag v1'), null));
  const block = Buffer.alloc(BLOCK);
  return {
    seal(lat, lon) {
      block.writeDoubleLE(lat, 0);
      block.writeDoubleLE(lon, 8);
      const sealed = encrypt(block);
      return `${SEALED_PREFIX}${Buffer.concat([sealed, tagOf(sealed)]).toString('base64url')}`;
    },
    open(location) {
      if (typeof location !== 'string') return location;
      if (!location.startsWith(SEALED_PREFIX)) return undefined;
      const bytes = Buffer.from(location.slice(SEALED_PREFIX.length), 'base64url');
      if (bytes.length !== 2 * BLOCK) return undefined;
      const sealed = bytes.subarray(0, BLOCK);
      // Another key, or an altered text: the tag does not match.
      if (!timingSafeEqual(tagOf(sealed), bytes.subarray(BLOCK))) return undefined;
      const plain = decrypt(sealed);
      return [plain.readDoubleLE(0), plain.readDoubleLE(8)];
    },
  };
}

const BLOCK = 16;
const SEALED_PREFIX = 'l1.';

/**
 * One AES block in, one out, on a long-lived ECB cipher: without padding it keeps no state between blocks, so each
 * call is the block cipher itself.
 */
function blockCipher(cipher: Cipher | Decipher): (block: Uint8Array) => Buffer {
  cipher.setAutoPadding(false);
  return (block) => cipher.update(block);
}

/** A located event as features read it: its time and coordinates, opened, or undefined when they do not open. */
export function openLocated(cipher: LocationCipher, located: { ts: number; loc: StoredLocation }): { ts: number; lat: number; lon: number } | undefined {
  const at = cipher.open(located.loc);
  return at && { ts: located.ts, lat: at[0], lon: at[1] };
}
