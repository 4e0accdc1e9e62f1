import type { Config } from '../../core/config';
import { ValidationError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import { checkAddress, normalizeAddress } from '../../data/addresses';
import { DenyLists } from '../deny-lists';
import { createDenyListStore } from './create-deny-list-store';
import type { DenyListStore } from './deny-list-store';
import { parseListFile } from './parse-list';

export interface LoadListOptions {
  name: string;
  chain: string;
  file: string;
  log: Logger;
}

/**
 * `vigil lists load`: parses the whole file first, so a missing file or one without a single valid address changes
 * nothing; then replaces the list on that chain in one step. Invalid lines are skipped and reported.
 */
export async function loadList(store: DenyListStore, options: LoadListOptions) {
  const { name, chain, file, log } = options;
  const parsed = await parseListFile(chain, file);
  if (parsed.addresses.length === 0) {
    const first = parsed.errors[0];
    const why = first ? `; line ${first.line}: ${first.reason}` : '';
    throw new ValidationError(`${file}: no valid ${chain} address in ${parsed.total} address lines, nothing loaded${why}`, [
      { path: ['FILE'], message: `no valid ${chain} address` },
    ]);
  }
  if (parsed.invalid > 0) log.warn({ file, invalid: parsed.invalid, first: parsed.errors[0] }, 'skipped invalid lines');
  const info = await store.replace({ name, chain, addresses: parsed.addresses });
  log.info({ name, chain, loaded: info.count, version: info.version }, 'deny list loaded');
  return {
    name,
    chain,
    loaded: info.count,
    invalid: parsed.invalid,
    duplicates: parsed.duplicates,
    errors: parsed.errors,
    total: parsed.total,
    version: info.version,
  };
}

/**
 * `vigil lists check`: whether an address is on any loaded list. With a chain, the address must be valid for it;
 * without, it is matched as DenyLists.lookup does for an unknown chain.
 */
export async function checkListed(store: DenyListStore, address: string, chain: string | undefined, log: Logger) {
  if (address.trim().length === 0) throw new ValidationError('ADDRESS: must not be empty', [{ path: ['ADDRESS'], message: 'must not be empty' }]);
  if (chain !== undefined) {
    const check = checkAddress(chain, address);
    if (!check.ok) throw new ValidationError(`ADDRESS: invalid ${chain} address "${address}": ${check.reason}`, [{ path: ['ADDRESS'], message: check.reason }]);
  }
  const snapshot = await store.snapshot();
  if (snapshot.lists.length === 0) log.warn('no deny list is loaded');
  const lists = new DenyLists(snapshot.lists).listsOf(chain, address);
  return { address, normalized: normalizeAddress(chain, address), listed: lists.length > 0, lists, version: snapshot.version };
}

/** Runs `work` with the configured deny list store (Redis or files) and closes it afterwards. */
export async function withDenyListStore<T>(config: Config, log: Logger, work: (store: DenyListStore) => Promise<T>): Promise<T> {
  const { store, kind, location } = await createDenyListStore(config, log);
  log.debug({ kind, location }, 'deny list store');
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}
