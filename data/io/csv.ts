import { pipeline } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import { inputError, openInput, readBatches } from './file-input';
import { InvalidRecordError, type RawRecord } from './raw-record';
import { openTextSink } from './text-sink';

/** Turns one CSV cell into a field value; `undefined` leaves the field out of the record. */
export type CellConverter = (column: string, cell: string) => unknown;

/** Plain text cells: every non-empty cell is a string, an empty cell is an absent field. */
export const textCell: CellConverter = (_column, cell) => (cell === '' ? undefined : cell);

const EVENT_NUMBER_FIELDS: ReadonlySet<string> = new Set(['amount', 'amountUsd', 'lat', 'lon']);
const EVENT_BOOLEAN_FIELDS: ReadonlySet<string> = new Set(['success', 'mfa']);
const BOOLEAN_CELLS: Readonly<Record<string, boolean>> = { true: true, false: false, '1': true, '0': false };
/** Plain decimal numbers only: `Number()` would also accept `0x1f`, `Infinity` and whitespace. */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Event cells: empty = absent; `amount`, `amountUsd`, `lat`, `lon` are numbers; `success` and `mfa` are booleans
 * (`true`/`false`/`1`/`0`, any case); everything else is a string. A cell that does not convert stays a string, so
 * the schema reports it as a wrong type with its field name.
 */
export const eventCell: CellConverter = (column, cell) => {
  if (cell === '') return undefined;
  if (EVENT_NUMBER_FIELDS.has(column)) return DECIMAL.test(cell) ? Number(cell) : cell;
  if (EVENT_BOOLEAN_FIELDS.has(column)) return BOOLEAN_CELLS[cell.toLowerCase()] ?? cell;
  return cell;
};

interface ParsedRow {
  record: string[];
  info: { lines: number };
}

function isBlankRow(record: readonly string[]): boolean {
  return record.every((cell) => cell.trim() === '');
}

/**
 * Line breaks inside a row's quoted cells as csv-parse counts them (every `\r` and every `\n`, so a `\r\n` twice),
 * and how many of them were one `\r\n` (counted twice for one line).
 */
function quotedBreaks(row: ParsedRow): { counted: number; doubled: number } {
  let counted = 0;
  let doubled = 0;
  for (const cell of row.record) {
    for (let i = 0; i < cell.length; i++) {
      const c = cell.charCodeAt(i);
      if (c === 10 || c === 13) counted++;
      if (c === 13 && cell.charCodeAt(i + 1) === 10) doubled++;
    }
  }
  return { counted, doubled };
}

/** Header names are trimmed: ` amount` silently matching no field would drop every amount. */
function checkHeader(path: string, line: number, cells: readonly string[]): string[] {
  const header = cells.map((cell) => cell.trim());
  const seen = new Set<string>();
  for (const [i, name] of header.entries()) {
    if (name === '') throw new InvalidRecordError(path, line, [{ path: [], message: `header: column ${i + 1} has no name` }]);
    if (seen.has(name)) throw new InvalidRecordError(path, line, [{ path: [], message: `header: column "${name}" appears twice` }]);
    seen.add(name);
  }
  return header;
}

function toRawRecord(lineNo: number, header: readonly string[], cells: readonly string[], convert: CellConverter): RawRecord {
  if (cells.length !== header.length) {
    return { lineNo, ok: false, issues: [{ path: [], message: `expected ${header.length} cells as in the header, got ${cells.length}` }] };
  }
  const value: Record<string, unknown> = {};
  for (let i = 0; i < header.length; i++) {
    const field = convert(header[i] as string, cells[i] as string);
    if (field !== undefined) value[header[i] as string] = field;
  }
  return { lineNo, ok: true, value };
}

/**
 * Reads a CSV file with a header row (gunzipped when the path ends in `.gz`) as batches of raw records, one object
 * per row keyed by the header. Quoted cells may hold commas, quotes and line breaks; blank lines are skipped. A row
 * with the wrong number of cells is a record error; malformed CSV (an unclosed quote) ends the read with an
 * {@link InvalidRecordError}, since nothing after it can be trusted.
 */
export async function* readCsvBatches(path: string, convert: CellConverter = textCell): AsyncGenerator<RawRecord[]> {
  const parser = parse({ bom: true, info: true, relax_column_count: true, skip_empty_lines: true });
  pipeline(openInput(path), parser, () => {});
  let header: string[] | undefined;
  let lastLine = 0; // the line the last complete row ended on
  // csv-parse reports the line a row ends on, counting a quoted `\r\n` as two lines: the excess so far is taken off.
  let excess = 0;
  try {
    for await (const rows of readBatches<ParsedRow>(parser)) {
      const out: RawRecord[] = [];
      for (const row of rows) {
        const breaks = quotedBreaks(row);
        const lineNo = row.info.lines - excess - breaks.counted;
        excess += breaks.doubled;
        lastLine = row.info.lines - excess;
        if (isBlankRow(row.record)) continue;
        if (header === undefined) header = checkHeader(path, lineNo, row.record);
        else out.push(toRawRecord(lineNo, header, row.record, convert));
      }
      if (out.length > 0) yield out;
    }
  } catch (err) {
    if (err instanceof CsvError && err.code === 'CSV_QUOTE_NOT_CLOSED') {
      // csv-parse names the last line of the file; the row that opened the quote is the one after the last good row.
      throw new InvalidRecordError(path, lastLine + 1, [{ path: [], message: 'malformed CSV: a quoted cell in this row is never closed' }]);
    }
    if (err instanceof CsvError) {
      const line = typeof err.lines === 'number' ? err.lines - excess : lastLine + 1;
      throw new InvalidRecordError(path, line, [{ path: [], message: `malformed CSV: ${err.message}` }]);
    }
    throw inputError(path, err);
  }
}

/** A value of a CSV cell: `null`, `undefined` and `NaN` are written as an empty cell. */
export type CsvValue = string | number | boolean | bigint | null | undefined;

/** RFC 4180 quoting: only cells holding a comma, a quote or a line break are quoted. */
const NEEDS_QUOTES = /[",\r\n]/;

function formatCell(value: unknown): string {
  if (typeof value === 'number') return value === value ? String(value) : ''; // NaN !== NaN
  if (typeof value === 'string') return NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  throw new TypeError(`cannot write ${Object.prototype.toString.call(value)} to a CSV cell`);
}

/** Writes rows under a fixed header. */
export interface CsvWriter {
  readonly columns: readonly string[];
  /** Writes one row given in column order (e.g. a feature vector); await it to respect backpressure. */
  writeRow(values: ArrayLike<CsvValue>): Promise<void>;
  /** Writes one row from an object's fields named like the columns; missing fields are empty cells. */
  writeRecord(record: Readonly<Record<string, unknown>>): Promise<void>;
  /** Flushes everything and moves the finished file into place. */
  close(): Promise<void>;
  /** Drops the output: the target file is left as it was. */
  abort(): Promise<void>;
}

/**
 * Creates a CSV writer with a header row (gzip when the path ends in `.gz`; `\n` line ends). Numbers are written
 * as JavaScript prints them, so they read back exactly. Like the JSONL writer it writes to a temporary file that
 * replaces `path` only on `close()`.
 */
export function createCsvWriter(path: string, columns: readonly string[]): CsvWriter {
  if (columns.length === 0) throw new TypeError(`${path}: a CSV file needs at least one column`);
  if (new Set(columns).size !== columns.length) throw new TypeError(`${path}: duplicate column names in ${columns.join(',')}`);
  const sink = openTextSink(path);
  const width = columns.length;
  void sink.write(`${columns.map(formatCell).join(',')}\n`);

  const writeRow = (values: ArrayLike<unknown>): Promise<void> => {
    if (values.length !== width) throw new RangeError(`${path}: a row has ${values.length} values, the header ${width} columns`);
    let line = formatCell(values[0]);
    for (let i = 1; i < width; i++) line += `,${formatCell(values[i])}`;
    return sink.write(`${line}\n`);
  };
  return {
    columns,
    writeRow,
    writeRecord: (record) => writeRow(columns.map((c) => record[c])),
    close: () => sink.close(),
    abort: () => sink.abort(),
  };
}
