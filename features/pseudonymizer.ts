import { createHmac } from 'node:crypto';
import { deriveKey } from '../core/crypto';

/**
 * Turns a personal identifier (device id, IP, network) into the token stored in feature state. Features only ever
 * compare these values for equality, so a keyed hash loses nothing; the Redis store uses {@link hmacPseudonymizer}
 * so that no IP or device id is at rest in Redis, the offline replay keeps values as they are.
 */
export type Pseudonymizer = (value: string) => string;

export const identityPseudonymizer: Pseudonymizer = (value) => value;

/**
 * HMAC-SHA-256 under a key derived from the master secret (HKDF, so the same secret can serve other purposes
 * without reusing a key), truncated to 128 bits in base64url: collisions stay negligible at any realistic scale.
 */
export function hmacPseudonymizer(masterKey: Buffer): Pseudonymizer {
  const key = deriveKey(masterKey, 'vigil pseudonym v1');
  return (value) => createHmac('sha256', key).update(value).digest().subarray(0, 16).toString('base64url');
}
