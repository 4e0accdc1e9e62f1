import { randomBytes, randomInt } from 'node:crypto';
import { keyedHash } from '../../core/crypto';

/**
 * API keys look like `vgl_<id>_<secret>`: the id (12 base62 characters) names the key in stores, logs and the audit
 * trail; the secret (32 random bytes, base64url) is shown once and only its keyed hash is stored. The `vgl_` prefix
 * lets secret scanners recognise a leaked key.
 */
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const ID_LENGTH = 12;
const SECRET_BYTES = 32;
/** 32 bytes in unpadded base64url are 43 characters; the secret's alphabet includes `_`, so parsing goes by length. */
const KEY_PATTERN = /^vgl_([0-9A-Za-z]{12})_([0-9A-Za-z_-]{43})$/;

/** Purpose string under which the secret-hashing key is derived from VIGIL_PII_KEY (see core/crypto.ts). */
export const API_KEY_HASH_PURPOSE = 'vigil api key secret v1';

export interface GeneratedApiKey {
  id: string;
  secret: string;
  /** The full key, `vgl_<id>_<secret>`: give it to the client once, never store it. */
  key: string;
}

/** A fresh key id: 12 characters drawn uniformly from base62 (about 71 bits). */
export function generateKeyId(): string {
  return Array.from({ length: ID_LENGTH }, () => BASE62[randomInt(BASE62.length)]).join('');
}

export function generateApiKey(): GeneratedApiKey {
  const id = generateKeyId();
  const secret = randomBytes(SECRET_BYTES).toString('base64url');
  return { id, secret, key: `vgl_${id}_${secret}` };
}

/** Splits a key into id and secret, or `undefined` when it does not have the form of one. */
export function parseApiKey(key: string): { id: string; secret: string } | undefined {
  const m = KEY_PATTERN.exec(key);
  return m ? { id: m[1] as string, secret: m[2] as string } : undefined;
}

/** Whether a text has the form of a key id (what `vigil keys revoke` accepts). */
export function isKeyId(text: string): boolean {
  return new RegExp(`^[0-9A-Za-z]{${ID_LENGTH}}$`).test(text);
}

/**
 * The stored form of a secret: HMAC-SHA-256 under a key derived from VIGIL_PII_KEY, base64url. Keyed rather than a
 * plain hash so that a copy of the key store alone cannot be used to test guesses.
 * @param hashKey - `deriveKey(piiKey, API_KEY_HASH_PURPOSE)`
 */
export function hashSecret(hashKey: Buffer, secret: string): string {
  return keyedHash(hashKey, secret).toString('base64url');
}
