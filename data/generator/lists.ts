import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeAddress } from './addresses';
import { CHAINS } from './assets';
import type { Rng } from './prng';

/**
 * Known scam and sanctioned addresses per chain, as a screening team would have them. Phishing scenarios send to
 * the `scam` part; the `decoys` are listed too but nothing in the data set ever uses them (a list is always larger
 * than what one exchange sees).
 */
export interface ScamList {
  scam: string[];
  decoys: string[];
}

export type ScamLists = Map<string, ScamList>;

const SCAM_PER_CHAIN = 24;
const DECOYS_PER_CHAIN = 16;

export function createScamLists(rng: Rng): ScamLists {
  const lists: ScamLists = new Map();
  for (const chain of CHAINS) {
    lists.set(chain, {
      scam: Array.from({ length: SCAM_PER_CHAIN }, () => makeAddress(rng, chain)),
      decoys: Array.from({ length: DECOYS_PER_CHAIN }, () => makeAddress(rng, chain)),
    });
  }
  return lists;
}

export function scamListOf(lists: ScamLists, chain: string): ScamList {
  const list = lists.get(chain);
  if (!list) throw new RangeError(`no scam list for chain "${chain}"`);
  return list;
}

/** Writes `dir/scam-<chain>.txt`, one address per line, sorted (scam and decoy addresses mixed, as in a real list). */
export function writeScamLists(dir: string, lists: ScamLists): string[] {
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  for (const [chain, list] of lists) {
    const file = join(dir, `scam-${chain}.txt`);
    writeFileSync(file, `${[...list.scam, ...list.decoys].sort().join('\n')}\n`);
    files.push(file);
  }
  return files;
}
