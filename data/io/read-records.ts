import { ValidationError, type FieldIssue } from '../../core/errors';
import { safeParseEvent, safeParseLabel, type Label, type Parsed, type VigilEvent } from '../schemas';
import { flattenBatches } from './batches';
import { eventCell, readCsvBatches, textCell, type CellConverter } from './csv';
import { readJsonlBatches } from './jsonl';
import { InvalidRecordError, type RawRecord } from './raw-record';

/** `strict`: the first bad record throws. `skip-invalid`: bad records are counted, reported and skipped. */
export type ReadMode = 'strict' | 'skip-invalid';

export interface ReadRecordsOptions {
  /** @defaultValue `'strict'` */
  mode?: ReadMode;
  /** How many record errors the report keeps (the counts include all of them). @defaultValue 20 */
  maxErrors?: number;
}

/** One bad record: where it is and every field at fault. */
export interface RecordError {
  line: number;
  issues: FieldIssue[];
}

/** What a read found so far; final once iteration has ended. */
export interface ReadReport {
  file: string;
  /** Records that passed validation and were handed out. */
  valid: number;
  /** Records rejected (undecodable or failing the schema). */
  invalid: number;
  /** The first `maxErrors` rejections, in file order. */
  errors: RecordError[];
  /** Whether the whole file has been read. */
  complete: boolean;
}

type FileFormat = 'jsonl' | 'csv';

/** The format of a records file from its extension: `.jsonl`, `.ndjson`, `.json` or `.csv`, each optionally `.gz`. */
export function recordFormatOf(path: string): FileFormat {
  const ext = /\.(jsonl|ndjson|json|csv)(\.gz)?$/i.exec(path)?.[1]?.toLowerCase();
  if (ext === undefined) {
    throw new ValidationError(`${path}: unsupported file type; expected .jsonl, .ndjson, .json or .csv, optionally gzipped (.gz)`, []);
  }
  return ext === 'csv' ? 'csv' : 'jsonl';
}

/**
 * A validated, streaming read of one records file. Iterate it with `for await` for one record at a time, or
 * over {@link RecordReader.batches} for arrays of records (faster for bulk work); either way the file is read
 * once, in order, without holding it in memory. {@link RecordReader.report} gives the counts and first errors.
 *
 * @example
 * const events = readEvents('events.jsonl', { mode: 'skip-invalid' });
 * for await (const event of events) handle(event);
 * console.log(events.report); // { file, valid, invalid, errors: [{ line, issues }], complete: true }
 */
export class RecordReader<T> implements AsyncIterable<T> {
  private valid = 0;
  private invalid = 0;
  private readonly errors: RecordError[] = [];
  private started = false;
  private complete = false;
  private readonly mode: ReadMode;
  private readonly maxErrors: number;

  constructor(
    readonly file: string,
    private readonly source: () => AsyncIterable<RawRecord[]>,
    private readonly parse: (value: unknown) => Parsed<T>,
    options: ReadRecordsOptions = {},
  ) {
    this.mode = options.mode ?? 'strict';
    this.maxErrors = options.maxErrors ?? 20;
  }

  /** A snapshot of the counts and kept errors. */
  get report(): ReadReport {
    return { file: this.file, valid: this.valid, invalid: this.invalid, errors: [...this.errors], complete: this.complete };
  }

  /**
   * The valid records in file order, in batches. In strict mode the first bad record throws an
   * {@link InvalidRecordError} (`file:line: field: reason`) once every valid record before it has been handed
   * out; a caller that must change nothing on bad input validates the file first (`vigil validate`).
   */
  async *batches(): AsyncGenerator<T[]> {
    if (this.started) throw new Error(`${this.file}: a RecordReader can be iterated only once`);
    this.started = true;
    for await (const raws of this.source()) {
      const records: T[] = [];
      for (const raw of raws) {
        const parsed = raw.ok ? this.parse(raw.value) : raw;
        if (parsed.ok) {
          records.push(parsed.value);
          continue;
        }
        this.invalid++;
        if (this.errors.length < this.maxErrors) this.errors.push({ line: raw.lineNo, issues: parsed.issues });
        if (this.mode === 'strict') {
          // Hand out the valid records before the bad line first, so what a caller sees does not depend on where
          // the read chunks happened to end.
          this.valid += records.length;
          if (records.length > 0) yield records;
          throw new InvalidRecordError(this.file, raw.lineNo, parsed.issues);
        }
      }
      this.valid += records.length;
      if (records.length > 0) yield records;
    }
    this.complete = true;
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return flattenBatches(this.batches());
  }
}

function openRecords(path: string, csvCell: CellConverter): () => AsyncIterable<RawRecord[]> {
  const format = recordFormatOf(path); // checked now, so a bad extension fails before anything is read
  return format === 'csv' ? () => readCsvBatches(path, csvCell) : () => readJsonlBatches(path);
}

/**
 * Reads and validates events from a JSONL or CSV file (see {@link recordFormatOf}) against the event schema.
 * Throws at once for an unsupported extension; the file itself is opened when iteration starts.
 */
export function readEvents(path: string, options?: ReadRecordsOptions): RecordReader<VigilEvent> {
  return new RecordReader(path, openRecords(path, eventCell), safeParseEvent, options);
}

/** Reads and validates labels from a JSONL or CSV file, like {@link readEvents}. */
export function readLabels(path: string, options?: ReadRecordsOptions): RecordReader<Label> {
  return new RecordReader(path, openRecords(path, textCell), safeParseLabel, options);
}
