import { createHash } from 'node:crypto';
import { base58check as makeBase58check, bech32, bech32m } from '@scure/base';
import { EVM_CHAINS, toChecksumAddress } from '../addresses';
import type { Rng } from './prng';

/**
 * Makers of valid-looking blockchain addresses from random payloads: they pass data/addresses.ts's checks
 * (checksums included) but belong to nobody.
 */

const sha256 = (data: Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(data).digest());
const base58check = makeBase58check(sha256);

/** Version byte + 20-byte hash, base58check-encoded (Bitcoin P2PKH/P2SH, Tron). */
function versioned(rng: Rng, version: number): string {
  const payload = new Uint8Array(21);
  payload[0] = version;
  payload.set(rng.bytes(20), 1);
  return base58check.encode(payload);
}

/**
 * A mainnet Bitcoin address, in roughly the mix seen on exchanges: legacy P2PKH (`1…`), P2SH (`3…`), native segwit
 * P2WPKH (`bc1q…`, bech32) and taproot (`bc1p…`, bech32m).
 */
export function makeBitcoinAddress(rng: Rng): string {
  const r = rng.float();
  if (r < 0.25) return versioned(rng, 0x00);
  if (r < 0.45) return versioned(rng, 0x05);
  if (r < 0.9) return bech32.encode('bc', [0, ...bech32.toWords(rng.bytes(20))]);
  return bech32m.encode('bc', [1, ...bech32m.toWords(rng.bytes(32))]);
}

/** An EVM account: `0x` + 40 hex digits, EIP-55 checksummed half of the time (wallets differ), else lower case. */
function makeEvmAddress(rng: Rng): string {
  const hex = rng.hex(40);
  return rng.chance(0.5) ? toChecksumAddress(hex) : `0x${hex}`;
}

/** A Tron account: base58check with version byte 0x41 (starts with `T`). */
function makeTronAddress(rng: Rng): string {
  return versioned(rng, 0x41);
}

/** A fresh address valid on `chain` (a lower-case chain name of data/addresses.ts). */
export function makeAddress(rng: Rng, chain: string): string {
  if (chain === 'bitcoin') return makeBitcoinAddress(rng);
  if (chain === 'tron') return makeTronAddress(rng);
  if (EVM_CHAINS.has(chain)) return makeEvmAddress(rng);
  throw new RangeError(`no address maker for chain "${chain}"`);
}
