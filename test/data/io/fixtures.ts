import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toChecksumAddress } from '../../../data/addresses';

/** A fresh temporary directory per test file; `cleanup` removes it. */
export function makeTempDir(): { dir: string; file: (name: string) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-io-'));
  return { dir, file: (name) => join(dir, name), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A valid EIP-55 (mixed-case checksummed) Ethereum address. */
export const ETH_ADDRESS = toChecksumAddress(`0x${'5aeda56215b167893e80b4fe645ba6d5bab767de'}`);
/** Valid mainnet Bitcoin addresses (bech32 and base58 P2PKH). */
export const BTC_BECH32 = 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq';
export const BTC_P2PKH = '1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa';

/** One valid event of each kind, with optional fields of every type (numbers, booleans, strings). */
export const VALID_EVENTS = [
  {
    type: 'login',
    eventId: 'e1',
    userId: 'u1',
    ts: '2026-01-05T10:00:00Z',
    ip: '203.0.113.7',
    deviceId: 'd1',
    success: true,
    country: 'DE',
    city: 'Frankfurt, "am" Main',
    lat: 50.1109,
    lon: 8.6821,
    mfa: false,
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
  },
  { type: 'login', eventId: 'e2', userId: 'u2', ts: '2026-01-05T10:01:00.250Z', ip: '2001:db8::1', deviceId: 'd2', success: false },
  {
    type: 'withdrawal',
    eventId: 'e3',
    userId: 'u1',
    ts: '2026-01-05T10:02:00Z',
    asset: 'ETH',
    amount: 1.25,
    address: ETH_ADDRESS,
    amountUsd: 4012.5,
  },
  { type: 'withdrawal', eventId: 'e4', userId: 'u2', ts: '2026-01-05T10:03:00Z', asset: 'BTC', amount: 0, address: BTC_BECH32, chain: 'bitcoin' },
  { type: 'account_change', eventId: 'e5', userId: 'u1', ts: '2026-01-05T10:04:00Z', change: 'password_reset' },
] as const;

export const VALID_LABELS = [
  { eventId: 'e3', label: 'fraud', ts: '2026-01-07T00:00:00Z', source: 'analyst' },
  { eventId: 'e4', label: 'legit', ts: '2026-01-08T00:00:00Z' },
] as const;

/** Every field name an event can have, in a stable order: the columns of an events CSV. */
export const EVENT_COLUMNS = [
  'type', 'eventId', 'userId', 'ts', 'ip', 'deviceId', 'success', 'country', 'city', 'lat', 'lon', 'userAgent', 'mfa',
  'channel', 'asset', 'amount', 'address', 'chain', 'amountUsd', 'change',
];

export const jsonl = (records: readonly unknown[]): string => records.map((r) => `${JSON.stringify(r)}\n`).join('');
