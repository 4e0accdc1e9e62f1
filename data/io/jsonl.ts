import { readLineBatches, type Line } from './lines';
import type { RawRecord } from './raw-record';
import { openTextSink } from './text-sink';

function parseLine({ lineNo, text }: Line): RawRecord {
  try {
    return { lineNo, ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { lineNo, ok: false, issues: [{ path: [], message: `invalid JSON: ${(err as Error).message}` }] };
  }
}

/**
 * Reads a JSONL file (one JSON value per line, gunzipped when the path ends in `.gz`) as batches of raw records.
 * A line that is not valid JSON is a record error at its line number, not a failure of the whole read.
 */
export async function* readJsonlBatches(path: string): AsyncGenerator<RawRecord[]> {
  for await (const lines of readLineBatches(path)) yield lines.map(parseLine);
}

/** Writes records as JSON lines. */
export interface JsonlWriter<T> {
  /** Queues one record; await the promise to respect backpressure (it resolves at once unless the disk lags). */
  write(record: T): Promise<void>;
  /** Flushes everything and moves the finished file into place; resolves when it is on disk. */
  close(): Promise<void>;
  /** Drops the output: the target file is left as it was. */
  abort(): Promise<void>;
}

/**
 * Creates a JSONL writer (gzip when the path ends in `.gz`). Output goes to a temporary file next to `path` that
 * replaces `path` only on `close()`, so a failed run never leaves a truncated file behind.
 */
export function createJsonlWriter<T = unknown>(path: string): JsonlWriter<T> {
  const sink = openTextSink(path);
  return {
    write(record) {
      // JSON.stringify returns undefined for undefined, functions and symbols, whatever its declared type says.
      const json: string | undefined = JSON.stringify(record);
      if (json === undefined) throw new TypeError(`${path}: cannot write ${typeof record} as JSON`);
      return sink.write(`${json}\n`);
    },
    close: () => sink.close(),
    abort: () => sink.abort(),
  };
}
