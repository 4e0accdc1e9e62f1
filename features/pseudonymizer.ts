import { createHmac, createSecretKey } from 'node:crypto';
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
  // A KeyObject spares createHmac importing the raw key on every call (about a fifth of its cost).
  const key = createSecretKey(deriveKey(masterKey, 'vigil pseudonym v1'));
  // Users come back from the same devices, IPs and networks, so most values were hashed moments ago: remembering
  // recent tokens saves an HMAC (the largest cost of bulk ingestion after Redis itself) for most of them. The
  // identifiers are in this process's memory anyway while their events are processed; the bound keeps it small.
  // Two generations: a value met in either is kept in the current one, and the older generation is dropped when the
  // current one is full, so a value in use survives the turnover (a single map emptied when full forgot them all).
  let current = new Map<string, string>();
  let previous = new Map<string, string>();
  return (value) => {
    let token = current.get(value);
    if (token !== undefined) return token;
    token = previous.get(value) ?? createHmac('sha256', key).update(value).digest().subarray(0, 16).toString('base64url');
    if (current.size >= PSEUDONYM_GENERATION_SIZE) {
      previous = current;
      current = new Map();
    }
    current.set(value, token);
    return token;
  };
}

/** Tokens remembered per generation (two generations per pseudonymizer): a few MB at most. */
const PSEUDONYM_GENERATION_SIZE = 50_000;
