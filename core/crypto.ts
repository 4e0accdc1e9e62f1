import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { VigilError } from './errors';

/**
 * Keys and encryption at rest, all derived from one master secret (VIGIL_PII_KEY). Each use derives its own key
 * with HKDF under a distinct `purpose`, so a key leaked or misused in one place says nothing about the others.
 */

/** Length of every derived key: AES-256 and HMAC-SHA-256 both want 32 bytes. */
const KEY_BYTES = 32;
/** 96-bit IVs are what GCM is specified for (NIST SP 800-38D); random ones are safe for well under 2^32 messages per key. */
const IV_BYTES = 12;
const TAG_BYTES = 16;
const FORMAT_VERSION = 'v1';

/** A ciphertext that is malformed, was altered, or was encrypted under another key. */
export class DecryptionError extends VigilError {
  constructor(message: string) {
    super('decryption_failed', message, 500);
  }
}

/**
 * Derives a 32-byte key for one purpose from the master secret: HKDF-SHA-256 (RFC 5869) with an empty salt and the
 * purpose as `info`. Different purposes give independent keys; the same purpose always gives the same key.
 * @param master - the master secret, at least 32 bytes
 * @param purpose - a stable label naming the use and its version, e.g. `vigil pseudonym v1`
 */
export function deriveKey(master: Buffer, purpose: string): Buffer {
  if (master.length < KEY_BYTES) throw new Error(`deriveKey: the master secret has ${master.length} bytes, at least ${KEY_BYTES} are needed`);
  if (!purpose) throw new Error('deriveKey: purpose must not be empty');
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), purpose, KEY_BYTES));
}

/**
 * Encrypts a JSON value with AES-256-GCM under a fresh random IV. The result is
 * `v1.<iv>.<tag>.<ciphertext>` (each part base64url), so the format can change later without guessing.
 * @param key - 32 bytes, from {@link deriveKey}
 */
export function encryptJson(key: Buffer, value: unknown): string {
  assertKey(key);
  const plaintext = JSON.stringify(value);
  if (plaintext === undefined) throw new TypeError('encryptJson: the value has no JSON form');
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [FORMAT_VERSION, iv, cipher.getAuthTag(), ciphertext].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
}

/**
 * Decrypts what {@link encryptJson} produced. Throws {@link DecryptionError} when the text is not in that format,
 * or when the authentication tag does not match: a changed byte, or another key.
 */
export function decryptJson(key: Buffer, blob: string): unknown {
  assertKey(key);
  const parts = blob.split('.');
  if (parts.length !== 4 || parts[0] !== FORMAT_VERSION) throw new DecryptionError(`not a ${FORMAT_VERSION} ciphertext (expected ${FORMAT_VERSION}.<iv>.<tag>.<ciphertext>)`);
  const [iv, tag, ciphertext] = parts.slice(1).map(fromBase64url);
  if (!iv || iv.length !== IV_BYTES || !tag || tag.length !== TAG_BYTES || !ciphertext) {
    throw new DecryptionError(`malformed ciphertext: expected a ${IV_BYTES}-byte IV and a ${TAG_BYTES}-byte tag in base64url`);
  }
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  decipher.setAuthTag(tag);
  let plaintext: string;
  try {
    plaintext = Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
  } catch {
    throw new DecryptionError('ciphertext failed authentication: altered, or encrypted under another key');
  }
  return JSON.parse(plaintext) as unknown;
}

/** HMAC-SHA-256 of a UTF-8 string: 32 bytes that reveal nothing of `value` without `key`. */
export function keyedHash(key: Buffer, value: string): Buffer {
  assertKey(key);
  return createHmac('sha256', key).update(value, 'utf8').digest();
}

function assertKey(key: Buffer): void {
  if (key.length !== KEY_BYTES) throw new Error(`expected a ${KEY_BYTES}-byte key, got ${key.length} bytes`);
}

/** Strict base64url: Buffer.from would silently skip characters outside the alphabet. */
function fromBase64url(text: string): Buffer | undefined {
  return /^[A-Za-z0-9_-]*$/.test(text) ? Buffer.from(text, 'base64url') : undefined;
}
