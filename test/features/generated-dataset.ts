import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDataset, type GenerateOptions } from '../../data/generator/generate';
import { DenyLists, type DenyListContent } from '../../features/deny-lists';
import { parseListFile } from '../../features/deny-lists/parse-list';
import type { PipelineItem } from '../../features/pipeline';
import { readTimeline } from '../../features/timeline';

/** A synthetic data set generated into a temporary directory, read back as the replay sees it. */
export interface GeneratedDataset {
  dir: string;
  events: string;
  labels: string;
  /** Events and labels in time order (features/timeline.ts). */
  items: PipelineItem[];
  /** Event id → fraud scenario, from truth.jsonl. */
  truth: Map<string, string>;
  /** The scam lists the generator wrote to `lists/`, loaded as the deny list `scam`. */
  scamLists: DenyListContent[];
  cleanup: () => void;
}

/** Generates a data set with the project's generator (`vigil generate`) and reads it back. */
export async function generatedDataset(options: Omit<GenerateOptions, 'out'>): Promise<GeneratedDataset> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-features-'));
  try {
    generateDataset({ ...options, out: dir });
    const events = join(dir, 'events.jsonl');
    const labels = join(dir, 'labels.jsonl');
    const { items } = await readTimeline({ events, labels });
    const truth = new Map<string, string>();
    for (const line of readFileSync(join(dir, 'truth.jsonl'), 'utf8').split('\n')) {
      if (!line) continue;
      const { eventId, scenario } = JSON.parse(line) as { eventId: string; scenario: string };
      truth.set(eventId, scenario);
    }
    const scamLists: DenyListContent[] = [];
    for (const file of readdirSync(join(dir, 'lists')).sort()) {
      const chain = /^scam-(.+)\.txt$/.exec(file)?.[1];
      if (chain === undefined) continue;
      const parsed = await parseListFile(chain, join(dir, 'lists', file));
      scamLists.push({ name: 'scam', chain, addresses: parsed.addresses });
    }
    return { dir, events, labels, items, truth, scamLists, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** Deny lists built from list contents (see features/deny-lists.ts). */
export const denyListsOf = (lists: readonly DenyListContent[]) => new DenyLists(lists).lookupFn;
