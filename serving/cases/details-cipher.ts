import { randomBytes } from 'node:crypto';
import { decryptJson, deriveKey, encryptJson } from '../../core/crypto';

/** HKDF purpose of the key that encrypts case details and notes. */
export const CASE_DETAILS_PURPOSE = 'case-details';

/**
 * Seals the personal part of a case (the event's IP, device id, address, amounts, location; the analyst's note) with
 * AES-256-GCM, so that a case store holds it only as ciphertext and it is decrypted only when an analyst opens the
 * case. Both case stores use it, so the memory store takes the same path as Redis.
 */
export class DetailsCipher {
  private readonly key: Buffer;

  /**
   * @param piiKey - the master secret (VIGIL_PII_KEY); without it (embedded default, no Redis) a random key serves:
   * the cases live and die with the process, and so does the key
   */
  constructor(piiKey: Buffer | undefined) {
    this.key = piiKey ? deriveKey(piiKey, CASE_DETAILS_PURPOSE) : randomBytes(32);
  }

  seal(value: unknown): string {
    return encryptJson(this.key, value);
  }

  /** Throws DecryptionError (500) for a ciphertext that was altered or sealed under another key. */
  unseal(sealed: string): unknown {
    return decryptJson(this.key, sealed);
  }
}
