import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resultOf, runVigil } from './vigil-process';

/** A generated data set in a temporary directory: `events` and `labels` are its files; `remove` deletes it. */
export interface TestDataset {
  dir: string;
  events: string;
  labels: string;
  remove(): void;
}

/**
 * Generates about 1,900 events and 60 labels (200 users over 10 days; fraud 30 times the usual rate, so that there
 * are labels to apply) with `vigil generate`.
 */
export async function generateTestDataset(): Promise<TestDataset> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-ingest-'));
  const args = ['generate', '--out', dir, '--users', '200', '--days', '10', '--seed', '7', '--fraud-scale', '30'];
  resultOf(await runVigil(args, { ...process.env, VIGIL_LOG_LEVEL: 'warn' }));
  return { dir, events: join(dir, 'events.jsonl'), labels: join(dir, 'labels.jsonl'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}
