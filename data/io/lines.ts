import { flattenBatches } from './batches';
import { inputError, openInput } from './file-input';

/** One non-blank line of a text file. */
export interface Line {
  /** 1-based line number in the file; blank lines are skipped but still counted. */
  lineNo: number;
  /** The line without its line break (`\n` or `\r\n`) and without a leading byte-order mark. */
  text: string;
}

/** Blank = empty or only whitespace; the regex runs only on lines that start with whitespace. */
function isBlank(text: string): boolean {
  return text.length === 0 || (text.charCodeAt(0) <= 32 && text.trim().length === 0);
}

/**
 * Reads a text file (gunzipped when the path ends in `.gz`) as batches of non-blank lines, one batch per read
 * chunk. Streaming: memory stays at about one chunk whatever the file size. Bulk readers use this; see
 * {@link readLines} for one line at a time.
 */
export async function* readLineBatches(path: string): AsyncGenerator<Line[]> {
  const input = openInput(path);
  input.setEncoding('utf8'); // decodes characters split across chunks correctly
  let carry = '';
  let lineNo = 0;
  let batch: Line[] = [];
  const take = (raw: string): void => {
    lineNo++;
    let text = raw.charCodeAt(raw.length - 1) === 13 ? raw.slice(0, -1) : raw;
    if (lineNo === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    if (!isBlank(text)) batch.push({ lineNo, text });
  };
  try {
    for await (const chunk of input as AsyncIterable<string>) {
      const text = carry.length > 0 ? carry + chunk : chunk;
      let start = 0;
      for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
        take(text.slice(start, nl));
        start = nl + 1;
      }
      carry = text.slice(start);
      if (batch.length > 0) {
        yield batch;
        batch = [];
      }
    }
  } catch (err) {
    throw inputError(path, err);
  }
  if (carry.length > 0) take(carry); // last line without a final line break
  if (batch.length > 0) yield batch;
}

/** Reads a text file (gunzipped when the path ends in `.gz`) line by line, skipping blank lines. */
export function readLines(path: string): AsyncIterableIterator<Line> {
  return flattenBatches(readLineBatches(path));
}
