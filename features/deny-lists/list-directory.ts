import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { EVM_CHAINS, NATIVE_CHAIN_OF_ASSET } from '../../data/addresses';
import { NotFoundError, ValidationError } from '../../core/errors';
import { DenyLists, type DenyListContent } from '../deny-lists';
import { CHAIN_NAME, LIST_NAME, parseListFile, type ListLineError } from './parse-list';

/** What loading one file of a list directory gave. */
export interface ListFileReport {
  file: string;
  name: string;
  chain: string;
  loaded: number;
  invalid: number;
  errors: ListLineError[];
}

export interface ListDirectory {
  lists: DenyLists;
  files: ListFileReport[];
}

/** Chains whose names are known, longest first: a file name's chain is the longest known one it ends with. */
const KNOWN_CHAINS = [...new Set([...EVM_CHAINS, 'bitcoin', 'tron', ...Object.values(NATIVE_CHAIN_OF_ASSET)])].sort((a, b) => b.length - a.length);

/**
 * Splits `<name>-<chain>.txt` (or `.txt.gz`). Both parts may hold "-", so the chain is the longest known chain name
 * the stem ends with (`scam-ethereum-classic` is list `scam` on `ethereum-classic`), else the part after the last "-".
 * `undefined` for any other file.
 */
export function parseListFileName(fileName: string): { name: string; chain: string } | undefined {
  const stem = /^(.+)\.txt(\.gz)?$/.exec(fileName)?.[1];
  if (!stem) return undefined;
  const known = KNOWN_CHAINS.find((chain) => stem.endsWith(`-${chain}`));
  const cut = known ? stem.length - known.length - 1 : stem.lastIndexOf('-');
  const name = stem.slice(0, cut);
  const chain = stem.slice(cut + 1);
  return cut > 0 && LIST_NAME.test(name) && CHAIN_NAME.test(chain) ? { name, chain } : undefined;
}

/**
 * Loads every `<name>-<chain>.txt` file of a directory (the generator writes `DIR/lists/scam-<chain>.txt`; a
 * VIGIL_LIST_DIR of the file store has the same form) into one {@link DenyLists}. Invalid lines are reported per file
 * and skipped; a directory without list files, or a file with lines but no valid address (most likely the wrong
 * chain in its name), is an error.
 */
export async function loadListDirectory(dir: string): Promise<ListDirectory> {
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name).sort();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new NotFoundError(`${dir}: no such directory`);
    if (code === 'ENOTDIR') throw new ValidationError(`${dir}: not a directory`, [{ path: ['lists'], message: 'expected a directory of <name>-<chain>.txt files' }]);
    throw err;
  }
  const contents: DenyListContent[] = [];
  const files: ListFileReport[] = [];
  for (const fileName of names) {
    const parts = parseListFileName(fileName);
    if (!parts) continue;
    const file = join(dir, fileName);
    const parsed = await parseListFile(parts.chain, file);
    if (parsed.addresses.length === 0 && parsed.invalid > 0) {
      const first = parsed.errors[0];
      throw new ValidationError(`${file}: no valid ${parts.chain} address in ${parsed.invalid} lines (line ${first?.line}: ${first?.reason})`, [
        { path: ['lists', fileName], message: `no valid ${parts.chain} address` },
      ]);
    }
    contents.push({ ...parts, addresses: parsed.addresses });
    files.push({ file, ...parts, loaded: parsed.addresses.length, invalid: parsed.invalid, errors: parsed.errors });
  }
  if (files.length === 0) {
    throw new ValidationError(`${dir}: no list files (expected <name>-<chain>.txt, e.g. scam-bitcoin.txt)`, [{ path: ['lists'], message: 'no list files' }]);
  }
  return { lists: new DenyLists(contents), files };
}
