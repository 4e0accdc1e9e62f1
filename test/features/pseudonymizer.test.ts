import { createHmac } from 'node:crypto';
import { deriveKey } from '../../core/crypto';
import { hmacPseudonymizer } from '../../features/pseudonymizer';

// Real HMACs, counted: the pseudonymizer's module gets this wrapper as node:crypto's createHmac.
jest.mock('node:crypto', () => {
  const actual = jest.requireActual<typeof import('node:crypto')>('node:crypto');
  return { ...actual, createHmac: jest.fn(actual.createHmac) };
});
const hmacCalls = createHmac as jest.MockedFunction<typeof createHmac>;

const MASTER = Buffer.alloc(32, 0x3c);
const KEY = deriveKey(MASTER, 'vigil pseudonym v1');
const token = (value: string) => jest.requireActual<typeof import('node:crypto')>('node:crypto').createHmac('sha256', KEY).update(value).digest().subarray(0, 16).toString('base64url');
/** More distinct values than the pseudonymizer remembers in one generation. */
const MANY = 120_000;
const ip = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

beforeEach(() => hmacCalls.mockClear());

it('gives the keyed hash of values remembered or not, across generations of its memory', () => {
  const pseudonymize = hmacPseudonymizer(MASTER);
  const tokens = Array.from({ length: MANY }, (_, i) => pseudonymize(ip(i)));
  for (let i = 0; i < MANY; i += 7) expect(tokens[i]).toBe(token(ip(i)));
  // Again, now that the first values have been forgotten and the last are remembered.
  for (let i = 0; i < MANY; i += 997) expect(pseudonymize(ip(i))).toBe(token(ip(i)));
  expect(pseudonymize('dv-Zürich-✓')).toBe(token('dv-Zürich-✓'));
});

it('keeps hashing nothing for a value in use while many other values come and go', () => {
  const pseudonymize = hmacPseudonymizer(MASTER);
  const device = 'dv-in-use';
  pseudonymize(device);
  // The device comes back every thousand values while more values than one generation holds go by.
  for (let i = 0; i < MANY; i++) {
    pseudonymize(ip(i));
    if (i % 1000 === 0) pseudonymize(device);
  }
  // One HMAC per distinct value: the device was hashed once.
  expect(hmacCalls).toHaveBeenCalledTimes(MANY + 1);
});
