import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Label } from '../../data/schemas';

/** Where analysts' labels are kept for the next training set. */
export interface LabelLog {
  append(label: Label): Promise<void>;
}

/** Name of the analysts' labels file inside the labels directory. */
export const ANALYST_LABELS_FILE = 'labels-analyst.jsonl';

/**
 * Analysts' labels as a labels file of the data contract (`{eventId, label, ts, source}` per line), so it goes
 * straight into `vigil train --labels` or `vigil features build --labels`. A correction is a new line with a later
 * `ts`: replaying the file applies the lines in time order, and the later label wins, as it did online.
 *
 * One file per directory (VIGIL_LABELS_DIR); each instance of the service appends to its own directory's file.
 * Appends from this process are chained, so lines never interleave.
 */
export class JsonlLabelLog implements LabelLog {
  readonly file: string;
  private chain: Promise<void> = Promise.resolve();

  constructor(readonly dir: string) {
    this.file = join(dir, ANALYST_LABELS_FILE);
  }

  /**
   * Checks at start-up that the labels file can be written, so that a service that could not keep analysts' labels
   * does not start. Throws an error naming the directory and VIGIL_LABELS_DIR.
   */
  async checkWritable(): Promise<void> {
    try {
      await mkdir(this.dir, { recursive: true });
      await appendFile(this.file, '', 'utf8');
    } catch (err) {
      throw new Error(`VIGIL_LABELS_DIR: cannot write the analysts' labels file ${this.file}: ${(err as Error).message}`);
    }
  }

  append(label: Label): Promise<void> {
    const line = `${JSON.stringify({ eventId: label.eventId, label: label.label, ts: label.ts, ...(label.source ? { source: label.source } : {}) })}\n`;
    const write = this.chain.then(async () => {
      // Labels come at an analyst's pace: checking the directory every time costs nothing and survives its removal.
      await mkdir(this.dir, { recursive: true });
      await appendFile(this.file, line, 'utf8');
    });
    // A failed append fails its own caller only; the next one starts afresh.
    this.chain = write.catch(() => {});
    return write;
  }
}
