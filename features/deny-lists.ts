import { EVM_CHAINS, normalizeAddress } from '../data/addresses';
import type { DenyListLookup } from './pipeline';

/**
 * One deny list on one chain: addresses validated for `chain` and normalised ({@link normalizeAddress}), as
 * deny-lists/parse-list.ts leaves them (not normalised again here: that would copy every string of a large list).
 */
export interface DenyListContent {
  /** List name, e.g. `ofac` or `scam` (`[a-z0-9_-]{1,64}`). */
  name: string;
  /** Lower-case chain name, e.g. `bitcoin`, `ethereum`, `tron`. */
  chain: string;
  addresses: readonly string[];
}

const EVM_ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/**
 * Deny lists held in memory for screening destination addresses, immutable once built: a refresh builds a new one
 * and swaps the reference (see deny-lists/refresher.ts), so a lookup never sees half a list.
 *
 * Matching: EVM chains share one address space, so an EVM address matches a list of any EVM chain, and also when the
 * chain is unknown. Other addresses match lists of their own chain; with the chain unknown they match a list of any
 * chain whose normal form of the address is the listed one (a lower-cased base58 address is another address, a
 * lower-cased bech32 address is the same). Every lookup is a few hash-map reads, whatever the lists' sizes.
 */
export class DenyLists {
  /**
   * Every set of list names that some address is on, each sorted. The maps below hold indices into it: one small
   * integer per address rather than one array per address, which matters for lists of millions.
   */
  private readonly nameSets: (readonly string[])[] = [];
  /** Name set index → appended name → index of the extended set (-1: the empty set). */
  private readonly extended = new Map<number, Map<string, number>>();
  /** EVM addresses (lower-case), any EVM chain. */
  private readonly evm = new Map<string, number>();
  /** Non-EVM addresses per chain, in their normal form. */
  private readonly byChain = new Map<string, Map<string, number>>();
  /** Non-EVM addresses of every chain, in their normal form: lookups without a chain. */
  private readonly anyChain = new Map<string, number>();
  /** The entries of {@link anyChain} whose chain ignores their case (bech32, hex), keyed lower-case. */
  private readonly anyChainCaseless = new Map<string, number>();
  /** What it holds, sorted by name then chain. */
  readonly lists: readonly { name: string; chain: string; count: number }[];

  /** Lists in any order; lookups report names in name order, so the first match does not depend on load order. */
  constructor(lists: readonly DenyListContent[] = []) {
    const sorted = [...lists].sort((a, b) => compare(a.name, b.name) || compare(a.chain, b.chain));
    this.lists = sorted.map((l) => ({ name: l.name, chain: l.chain, count: l.addresses.length }));
    for (const list of sorted) {
      const isEvm = EVM_CHAINS.has(list.chain);
      let chainMap = this.byChain.get(list.chain);
      if (!isEvm && !chainMap) this.byChain.set(list.chain, (chainMap = new Map()));
      for (const address of list.addresses) {
        if (isEvm) {
          this.add(this.evm, address, list.name);
          continue;
        }
        this.add(chainMap as Map<string, number>, address, list.name);
        this.add(this.anyChain, address, list.name);
        const lower = address.toLowerCase();
        if (normalizeAddress(list.chain, lower) === address && normalizeAddress(list.chain, address.toUpperCase()) === address) {
          this.add(this.anyChainCaseless, lower, list.name);
        }
      }
    }
  }

  /** Number of (list, chain, address) entries. */
  get size(): number {
    return this.lists.reduce((n, l) => n + l.count, 0);
  }

  /**
   * The first list (by name) holding `address` on `chain` (`undefined`: unknown chain), or `undefined`. The address
   * may be in any case form its chain allows; it is normalised here. Fits {@link DenyListLookup}.
   */
  lookup(chain: string | undefined, address: string): string | undefined {
    if (chain !== undefined) {
      const index = this.onChain(chain, address.trim());
      return index === undefined ? undefined : this.nameSets[index]?.[0];
    }
    let first: string | undefined;
    for (const index of this.onAnyChain(address.trim())) {
      const name = this.nameSets[index]?.[0] as string;
      if (first === undefined || compare(name, first) < 0) first = name;
    }
    return first;
  }

  /** Every list holding the address, sorted by name. */
  listsOf(chain: string | undefined, address: string): string[] {
    const trimmed = address.trim();
    const indices = chain === undefined ? this.onAnyChain(trimmed) : [this.onChain(chain, trimmed)];
    return [...new Set(indices.flatMap((i) => (i === undefined ? [] : (this.nameSets[i] as readonly string[]))))].sort(compare);
  }

  /** A {@link DenyListLookup} bound to these lists. */
  get lookupFn(): DenyListLookup {
    return (chain, address) => this.lookup(chain, address);
  }

  /** The name set index of an address on a known chain. */
  private onChain(chain: string, address: string): number | undefined {
    return EVM_CHAINS.has(chain) ? this.evm.get(address.toLowerCase()) : this.byChain.get(chain)?.get(normalizeAddress(chain, address));
  }

  /** The name set indices of an address whose chain is unknown: EVM, exact and case-insensitive entries. */
  private onAnyChain(address: string): number[] {
    const lower = address.toLowerCase();
    const found = [EVM_ADDRESS.test(address) ? this.evm.get(lower) : undefined, this.anyChain.get(normalizeAddress(undefined, address)), this.anyChainCaseless.get(lower)];
    return found.filter((i): i is number => i !== undefined);
  }

  /** Adds `name` to the name set of `address` in `map`. Lists arrive sorted by name, so appending keeps sets sorted. */
  private add(map: Map<string, number>, address: string, name: string): void {
    const current = map.get(address) ?? -1;
    const names = current === -1 ? [] : (this.nameSets[current] as readonly string[]);
    if (names[names.length - 1] === name) return; // the same list on another chain of the same map
    let next = this.extended.get(current);
    if (!next) this.extended.set(current, (next = new Map()));
    let index = next.get(name);
    if (index === undefined) {
      index = this.nameSets.push([...names, name]) - 1;
      next.set(name, index);
    }
    map.set(address, index);
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
