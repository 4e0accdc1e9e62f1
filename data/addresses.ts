import { createHash } from 'node:crypto';
import { base58check as makeBase58check, bech32, bech32m } from '@scure/base';
import { keccak_256 } from '@noble/hashes/sha3';

/**
 * Address validation and normalisation per chain. Chains are lower-case names; EVM chains share Ethereum's
 * address form. A chain not listed here accepts any non-empty string without whitespace.
 */

const sha256 = (data: Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(data).digest());
const base58check = makeBase58check(sha256);

/** Chains whose addresses are 20-byte hex accounts, as on Ethereum. */
export const EVM_CHAINS: ReadonlySet<string> = new Set([
  'ethereum', 'bsc', 'polygon', 'arbitrum', 'optimism', 'base', 'avalanche', 'fantom', 'gnosis', 'linea',
  'zksync', 'scroll', 'ethereum-classic', 'celo', 'cronos',
]);

/** Chain of an asset's native coin when a withdrawal names no chain (tokens live on several chains: no guess). */
export const NATIVE_CHAIN_OF_ASSET: Readonly<Record<string, string>> = {
  BTC: 'bitcoin', XBT: 'bitcoin', ETH: 'ethereum', TRX: 'tron', BNB: 'bsc', MATIC: 'polygon', POL: 'polygon',
  AVAX: 'avalanche', ETC: 'ethereum-classic',
};

export type AddressCheck = { ok: true } | { ok: false; reason: string };

const OK: AddressCheck = { ok: true };
const fail = (reason: string): AddressCheck => ({ ok: false, reason });

function decodeBase58check(address: string): Uint8Array | undefined {
  try {
    return base58check.decode(address);
  } catch {
    return undefined;
  }
}

/** EIP-55: a mixed-case address must carry the checksum casing; all-lower or all-upper carries none. */
export function checkEvmAddress(address: string): AddressCheck {
  if (!/^0x[0-9a-fA-F]{40}$/.test(address)) return fail('expected 0x followed by 40 hex digits');
  const hex = address.slice(2);
  if (hex === hex.toLowerCase() || hex === hex.toUpperCase()) return OK;
  return toChecksumAddress(hex) === address ? OK : fail('mixed-case address with a wrong EIP-55 checksum');
}

/** The EIP-55 checksummed form of a 40-digit hex account (with or without `0x`). */
export function toChecksumAddress(hex: string): string {
  const lower = hex.replace(/^0x/, '').toLowerCase();
  const hash = keccak_256(new TextEncoder().encode(lower));
  let out = '0x';
  for (let i = 0; i < 40; i++) {
    const nibble = ((hash[i >> 1] ?? 0) >> (i % 2 === 0 ? 4 : 0)) & 0xf;
    const c = lower[i] as string;
    out += nibble >= 8 ? c.toUpperCase() : c;
  }
  return out;
}

/** Mainnet Bitcoin: base58check P2PKH (version 0) / P2SH (version 5), or segwit bech32 (v0) / bech32m (v1+). */
export function checkBitcoinAddress(address: string): AddressCheck {
  if (/^bc1/i.test(address)) {
    if (address !== address.toLowerCase() && address !== address.toUpperCase()) return fail('mixed-case bech32 address');
    const lower = address.toLowerCase();
    let decoded: { prefix: string; words: number[] } | undefined;
    let variant: 'bech32' | 'bech32m' | undefined;
    try {
      decoded = bech32.decode(lower as `${string}1${string}`, 90);
      variant = 'bech32';
    } catch {
      try {
        decoded = bech32m.decode(lower as `${string}1${string}`, 90);
        variant = 'bech32m';
      } catch {
        return fail('invalid bech32 checksum or characters');
      }
    }
    // The human-readable part is everything before the last "1", so `bc1x1…` has the part `bc1x`. Mainnet only, as
    // for base58.
    if (decoded.prefix !== 'bc') return fail(`human-readable part '${decoded.prefix}' is not mainnet 'bc'`);
    const [version, ...data] = decoded.words;
    if (version === undefined || version > 16) return fail('invalid segwit version');
    if ((version === 0) !== (variant === 'bech32')) return fail(version === 0 ? 'segwit v0 must use bech32' : 'segwit v1+ must use bech32m');
    let program: Uint8Array;
    try {
      program = bech32.fromWords(data);
    } catch {
      return fail('invalid segwit program padding');
    }
    if (program.length < 2 || program.length > 40) return fail('segwit program must be 2 to 40 bytes');
    if (version === 0 && program.length !== 20 && program.length !== 32) return fail('segwit v0 program must be 20 or 32 bytes');
    return OK;
  }
  if (!/^[13][1-9A-HJ-NP-Za-km-z]{25,34}$/.test(address)) return fail('expected a base58 address starting with 1 or 3, or a bech32 address starting with bc1');
  const payload = decodeBase58check(address);
  if (!payload) return fail('invalid base58check checksum');
  if (payload.length !== 21 || (payload[0] !== 0x00 && payload[0] !== 0x05)) return fail('not a mainnet P2PKH or P2SH address');
  return OK;
}

/** Tron: base58check of 21 bytes with version byte 0x41 (addresses start with T). */
export function checkTronAddress(address: string): AddressCheck {
  if (!/^T[1-9A-HJ-NP-Za-km-z]{33}$/.test(address)) return fail('expected a 34-character base58 address starting with T');
  const payload = decodeBase58check(address);
  if (!payload) return fail('invalid base58check checksum');
  if (payload.length !== 21 || payload[0] !== 0x41) return fail('not a Tron address (version byte 0x41)');
  return OK;
}

/**
 * Recent verdicts: checksums cost microseconds (SHA-256 twice, or Keccak) and the same destination addresses recur
 * across withdrawals, so a bounded cache makes replays of millions of events much cheaper.
 */
const verdicts = new Map<string, AddressCheck>();
const MAX_CACHED_VERDICTS = 50_000;

/** Validates `address` for `chain` (lower-case name); unknown chains accept any non-empty string without spaces. */
export function checkAddress(chain: string, address: string): AddressCheck {
  const key = `${chain}\u0000${address}`;
  let verdict = verdicts.get(key);
  if (verdict === undefined) {
    verdict = checkUncached(chain, address);
    if (verdicts.size >= MAX_CACHED_VERDICTS) verdicts.clear();
    verdicts.set(key, verdict);
  }
  return verdict;
}

function checkUncached(chain: string, address: string): AddressCheck {
  if (address.length === 0) return fail('empty address');
  if (EVM_CHAINS.has(chain)) return checkEvmAddress(address);
  if (chain === 'bitcoin') return checkBitcoinAddress(address);
  if (chain === 'tron') return checkTronAddress(address);
  return /\s/.test(address) ? fail('address contains whitespace') : OK;
}

/**
 * The canonical form used as a key: EVM addresses and bech32 addresses are case-insensitive, so they are
 * lower-cased; base58 addresses are case-sensitive and kept as they are.
 */
export function normalizeAddress(chain: string | undefined, address: string): string {
  const trimmed = address.trim();
  if (/^0x[0-9a-fA-F]{40}$/.test(trimmed)) return trimmed.toLowerCase();
  if (chain === 'bitcoin' && /^bc1/i.test(trimmed)) return trimmed.toLowerCase();
  return trimmed;
}

/** The chain a withdrawal's address lives on: its `chain` field, or its asset's native chain. */
export function chainOf(chain: string | undefined, asset: string): string | undefined {
  return chain ?? NATIVE_CHAIN_OF_ASSET[asset.toUpperCase()];
}
