import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../core/runtime';
import { toChecksumAddress } from '../data/addresses';
import { DenyLists, type DenyListContent } from '../features/deny-lists';
import { parseListFile } from '../features/deny-lists/parse-list';

/**
 * Deny list screening speed: builds DenyLists from the real OFAC and ScamSniffer lists (../shared/data/addresses) and
 * times lookups of listed and unlisted addresses, with and without a chain; then the same on a synthetic EVM list of
 * `size` addresses, to show that lookups do not slow down with list size. Prints one JSON line.
 * Run: `npx tsx bench/deny-lists.ts [size]`.
 */

const SYNTHETIC_SIZE = Number(process.argv[2] ?? 1_000_000);
/** A multiple of both query lists' lengths (10,000), so every cycle is complete. */
const LOOKUPS = 2_000_000;
const ADDRESSES = join(PROJECT_ROOT, '../shared/data/addresses');
/**
 * OFAC files per asset and the chains their addresses are on. USDT mixes Ethereum, Tron and Omni (Bitcoin) addresses:
 * it is loaded once per chain, each load keeping the addresses valid for it.
 */
const OFAC_FILES: [string, string][] = [
  ['XBT', 'bitcoin'], ['ETH', 'ethereum'], ['USDT', 'ethereum'], ['USDT', 'tron'], ['USDT', 'bitcoin'], ['USDC', 'ethereum'], ['TRX', 'tron'], ['BSC', 'bsc'],
  ['ARB', 'arbitrum'], ['ETC', 'ethereum-classic'], ['LTC', 'litecoin'], ['BCH', 'bitcoin-cash'], ['DASH', 'dash'],
  ['ZEC', 'zcash'], ['XMR', 'monero'], ['XRP', 'ripple'], ['BSV', 'bitcoin-sv'], ['BTG', 'bitcoin-gold'], ['XVG', 'verge'],
]; // prettier-ignore

type Query = [chain: string | undefined, address: string];

/**
 * Lookups per second (wall and this process's CPU time: on a shared machine the CPU figure is the steadier one) over
 * `queries`, cycled; `hitsPerCycle` guards against timing a broken lookup.
 */
function lookupsPerSecond(lists: DenyLists, queries: Query[], hitsPerCycle: number): { wall: number; cpu: number } {
  const cpu = process.cpuUsage();
  const started = performance.now();
  let hits = 0;
  for (let i = 0; i < LOOKUPS; i++) {
    const [chain, address] = queries[i % queries.length] as Query;
    if (lists.lookup(chain, address) !== undefined) hits++;
  }
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const expected = (hitsPerCycle * LOOKUPS) / queries.length;
  if (hits !== expected) throw new Error(`expected ${expected} hits, got ${hits}`);
  return { wall: Math.round(LOOKUPS / seconds), cpu: Math.round(LOOKUPS / ((used.user + used.system) / 1e6)) };
}

const randomEvmAddress = (): string => `0x${randomBytes(20).toString('hex')}`;

async function main(): Promise<void> {
  const contents: DenyListContent[] = [];
  for (const [asset, chain] of OFAC_FILES) {
    const parsed = await parseListFile(chain, join(ADDRESSES, 'ofac', `${asset}.txt`));
    contents.push({ name: 'ofac', chain, addresses: parsed.addresses });
  }
  const scam = await parseListFile('ethereum', join(ADDRESSES, 'scamsniffer/EVM.txt'));
  contents.push({ name: 'scam', chain: 'ethereum', addresses: scam.addresses });

  let started = performance.now();
  const real = new DenyLists(contents);
  const realBuildMs = performance.now() - started;

  const evmListed = [...(contents.find((c) => c.chain === 'ethereum' && c.name === 'ofac')?.addresses ?? []), ...scam.addresses];
  const btcListed = contents.find((c) => c.chain === 'bitcoin')?.addresses ?? [];
  const unlisted = Array.from({ length: 1000 }, randomEvmAddress);
  // A withdrawal mix: most destinations are not listed; EVM addresses arrive checksummed.
  const realQueries: Query[] = [];
  for (let i = 0; i < 1000; i++) {
    realQueries.push(['ethereum', toChecksumAddress(evmListed[i % evmListed.length] as string)]);
    realQueries.push(['bitcoin', btcListed[i % btcListed.length] as string]);
    realQueries.push([undefined, btcListed[(i * 7) % btcListed.length] as string]);
    for (let j = 0; j < 7; j++) realQueries.push([j % 2 ? 'ethereum' : undefined, unlisted[(i + j) % unlisted.length] as string]);
  }
  const realRate = lookupsPerSecond(real, realQueries, 3000);

  const synthetic = Array.from({ length: SYNTHETIC_SIZE }, randomEvmAddress);
  const heapBefore = process.memoryUsage().heapUsed;
  started = performance.now();
  const big = new DenyLists([{ name: 'big', chain: 'ethereum', addresses: synthetic }]);
  const bigBuildMs = performance.now() - started;
  const heapMB = (process.memoryUsage().heapUsed - heapBefore) / 1e6;
  const bigQueries: Query[] = Array.from({ length: 10_000 }, (_, i): Query => ['ethereum', i % 10 === 0 ? (synthetic[(i * 37) % SYNTHETIC_SIZE] as string) : randomEvmAddress()]);
  const bigRate = lookupsPerSecond(big, bigQueries, 1000);

  console.log(
    JSON.stringify({
      bench: 'deny-lists',
      realLists: real.lists.length,
      realAddresses: real.size,
      realBuildMs: Number(realBuildMs.toFixed(1)),
      realLookupsPerSec: realRate.wall,
      realLookupsPerCpuSec: realRate.cpu,
      syntheticAddresses: SYNTHETIC_SIZE,
      syntheticBuildMs: Math.round(bigBuildMs),
      syntheticIndexHeapMB: Math.round(heapMB),
      syntheticLookupsPerSec: bigRate.wall,
      syntheticLookupsPerCpuSec: bigRate.cpu,
    }),
  );
}

void main();
