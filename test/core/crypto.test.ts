import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { DecryptionError, decryptJson, deriveKey, encryptJson, keyedHash } from '../../core/crypto';
import { hmacPseudonymizer } from '../../features/pseudonymizer';

const MASTER = Buffer.alloc(32, 0x5a);

/** Decodes a `v1.<iv>.<tag>.<ciphertext>` blob, flips one bit of the chosen part, and encodes it again. */
function flipBit(blob: string, part: 1 | 2 | 3, byte = 0): string {
  const parts = blob.split('.');
  const bytes = Buffer.from(parts[part] as string, 'base64url');
  bytes[byte] = (bytes[byte] as number) ^ 0x01;
  parts[part] = bytes.toString('base64url');
  return parts.join('.');
}

describe('deriveKey', () => {
  it('is HKDF-SHA-256 with an empty salt and the purpose as info', () => {
    const expected = Buffer.from(hkdfSync('sha256', MASTER, Buffer.alloc(0), 'vigil test v1', 32));
    expect(deriveKey(MASTER, 'vigil test v1').equals(expected)).toBe(true);
  });

  it('gives different keys for different purposes and the same key for the same purpose', () => {
    const a = deriveKey(MASTER, 'vigil case details v1');
    const b = deriveKey(MASTER, 'vigil api key secret v1');
    expect(a).toHaveLength(32);
    expect(a.equals(b)).toBe(false);
    expect(a.equals(deriveKey(MASTER, 'vigil case details v1'))).toBe(true);
    expect(a.equals(deriveKey(Buffer.alloc(32, 0x5b), 'vigil case details v1'))).toBe(false);
  });

  it('refuses a short master secret and an empty purpose', () => {
    expect(() => deriveKey(Buffer.alloc(16), 'x')).toThrow(/16 bytes, at least 32/);
    expect(() => deriveKey(MASTER, '')).toThrow(/purpose/);
  });

  it('keeps the pseudonyms the feature store already wrote: the pseudonymizer derives its key the same way as before', () => {
    const before = Buffer.from(hkdfSync('sha256', MASTER, Buffer.alloc(0), 'vigil pseudonym v1', 32));
    const expected = createHmac('sha256', before).update('203.0.113.7').digest().subarray(0, 16).toString('base64url');
    expect(hmacPseudonymizer(MASTER)('203.0.113.7')).toBe(expected);
  });
});

describe('encryptJson / decryptJson', () => {
  const key = deriveKey(MASTER, 'vigil case details v1');
  const value = { ip: '203.0.113.7', deviceId: 'dev-42', amount: 1250.5, nested: { list: [1, 'two', null] }, unicode: 'Zürich ✓' };

  it('round-trips JSON values', () => {
    expect(decryptJson(key, encryptJson(key, value))).toEqual(value);
    expect(decryptJson(key, encryptJson(key, 'plain string'))).toBe('plain string');
    expect(decryptJson(key, encryptJson(key, null))).toBeNull();
  });

  it('writes v1.<iv>.<tag>.<ciphertext> with a 96-bit IV and a 128-bit tag, all base64url', () => {
    const parts = encryptJson(key, value).split('.');
    expect(parts).toHaveLength(4);
    expect(parts[0]).toBe('v1');
    for (const p of parts.slice(1)) expect(p).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(parts[1] as string, 'base64url')).toHaveLength(12);
    expect(Buffer.from(parts[2] as string, 'base64url')).toHaveLength(16);
  });

  it('uses a fresh IV each time: the same value encrypts differently', () => {
    const a = encryptJson(key, value);
    const b = encryptJson(key, value);
    expect(a).not.toBe(b);
    expect(a.split('.')[1]).not.toBe(b.split('.')[1]);
  });

  it('leaves no plaintext in the output, in any encoding', () => {
    const blob = encryptJson(key, value);
    const decodedParts = blob.split('.').slice(1).map((p) => Buffer.from(p, 'base64url').toString('latin1'));
    for (const secret of ['203.0.113.7', 'dev-42', '1250.5', 'deviceId']) {
      expect(blob).not.toContain(secret);
      expect(blob).not.toContain(Buffer.from(secret).toString('base64url'));
      for (const d of decodedParts) expect(d).not.toContain(secret);
    }
  });

  it('detects a flipped bit in the ciphertext, the tag or the IV', () => {
    const blob = encryptJson(key, value);
    for (const part of [1, 2, 3] as const) {
      expect(() => decryptJson(key, flipBit(blob, part))).toThrow(DecryptionError);
      expect(() => decryptJson(key, flipBit(blob, part))).toThrow(/failed authentication/);
    }
    const lastByte = Buffer.from(blob.split('.')[3] as string, 'base64url').length - 1;
    expect(() => decryptJson(key, flipBit(blob, 3, lastByte))).toThrow(/failed authentication/);
  });

  it('refuses to decrypt under another key', () => {
    const blob = encryptJson(key, value);
    expect(() => decryptJson(deriveKey(MASTER, 'vigil other v1'), blob)).toThrow(/failed authentication/);
  });

  it('names what is wrong with a malformed blob', () => {
    const blob = encryptJson(key, value);
    expect(() => decryptJson(key, blob.replace(/^v1/, 'v2'))).toThrow(/not a v1 ciphertext/);
    expect(() => decryptJson(key, 'v1.abc')).toThrow(/not a v1 ciphertext/);
    const [v, , tag, ct] = blob.split('.');
    expect(() => decryptJson(key, [v, Buffer.alloc(8).toString('base64url'), tag, ct].join('.'))).toThrow(/12-byte IV/);
    expect(() => decryptJson(key, [v, '!!!!', tag, ct].join('.'))).toThrow(DecryptionError);
    expect(() => decryptJson(key, blob.slice(0, -2).concat('*'))).toThrow(DecryptionError);
  });

  it('refuses keys that are not 32 bytes', () => {
    expect(() => encryptJson(randomBytes(16), value)).toThrow(/32-byte key/);
    expect(() => decryptJson(randomBytes(31), encryptJson(key, value))).toThrow(/32-byte key/);
  });
});

describe('keyedHash', () => {
  it('is HMAC-SHA-256: 32 bytes, depends on the key, same input same output', () => {
    const key = deriveKey(MASTER, 'vigil api key secret v1');
    const h = keyedHash(key, 'secret');
    expect(h).toHaveLength(32);
    expect(h.equals(createHmac('sha256', key).update('secret').digest())).toBe(true);
    expect(h.equals(keyedHash(key, 'secret'))).toBe(true);
    expect(h.equals(keyedHash(key, 'secreT'))).toBe(false);
    expect(h.equals(keyedHash(deriveKey(MASTER, 'vigil other v1'), 'secret'))).toBe(false);
  });
});
