import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { InvalidRecordError, type RawRecord } from '../../../data/io/raw-record';
import { createCsvWriter, eventCell, readCsvBatches, textCell, type CellConverter } from '../../../data/io/csv';
import { EVENT_COLUMNS, makeTempDir, VALID_EVENTS } from './fixtures';

const tmp = makeTempDir();
afterAll(tmp.cleanup);

async function readAll(path: string, convert: CellConverter = textCell): Promise<RawRecord[]> {
  const out: RawRecord[] = [];
  for await (const batch of readCsvBatches(path, convert)) out.push(...batch);
  return out;
}

const values = (records: RawRecord[]): unknown[] => records.map((r) => (r.ok ? r.value : r.issues));

describe('CSV reader', () => {
  it('reads quoted commas, quotes and line breaks, numbering records by the line they start on', async () => {
    const path = tmp.file('quoted.csv');
    writeFileSync(path, 'id,note\n1,"a, b"\n2,"say ""hi"""\n\n3,"two\nlines"\n4,plain\n');
    const records = await readAll(path);
    expect(records).toEqual([
      { lineNo: 2, ok: true, value: { id: '1', note: 'a, b' } },
      { lineNo: 3, ok: true, value: { id: '2', note: 'say "hi"' } },
      { lineNo: 5, ok: true, value: { id: '3', note: 'two\nlines' } },
      { lineNo: 7, ok: true, value: { id: '4', note: 'plain' } },
    ]);
  });

  it('numbers records by their line in a CRLF file whose quoted cells hold line breaks', async () => {
    const path = tmp.file('quoted-crlf.csv');
    writeFileSync(path, 'id,note\r\n1,"two\r\nlines"\r\n2,"three\r\nmore\r\nlines"\r\n\r\n3,plain\r\n4,"x"\r\n');
    const records = await readAll(path);
    expect(records.map((r) => r.lineNo)).toEqual([2, 4, 8, 9]);
  });

  it('leaves empty cells out and handles CRLF, a byte-order mark and gzip', async () => {
    const path = tmp.file('crlf.csv.gz');
    writeFileSync(path, gzipSync('\uFEFFid,a,b\r\n1,,x\r\n\r\n2,y,\r\n'));
    expect(await readAll(path)).toEqual([
      { lineNo: 2, ok: true, value: { id: '1', b: 'x' } },
      { lineNo: 4, ok: true, value: { id: '2', a: 'y' } },
    ]);
  });

  it('reports a row with the wrong number of cells as a record error and reads on', async () => {
    const path = tmp.file('width.csv');
    writeFileSync(path, 'a,b\n1,2\n1,2,3\n4,5\n');
    const records = await readAll(path);
    expect(records.map((r) => [r.lineNo, r.ok])).toEqual([
      [2, true],
      [3, false],
      [4, true],
    ]);
    expect(values(records)[1]).toEqual([{ path: [], message: 'expected 2 cells as in the header, got 3' }]);
  });

  it('fails on malformed CSV and on a bad header, naming file and line', async () => {
    const unclosed = tmp.file('unclosed.csv');
    writeFileSync(unclosed, 'a,b\n1,2\n3,"open\nmore\nlines\n');
    await expect(readAll(unclosed)).rejects.toThrow(InvalidRecordError);
    await expect(readAll(unclosed)).rejects.toThrow(/unclosed\.csv:3: malformed CSV: a quoted cell in this row is never closed/);

    const stray = tmp.file('stray.csv');
    writeFileSync(stray, 'a,b\n1,2\n3,"x"y\n');
    await expect(readAll(stray)).rejects.toThrow(/stray\.csv:3: malformed CSV: Invalid Closing Quote/);

    const duplicate = tmp.file('dup.csv');
    writeFileSync(duplicate, '\n a,b,a\n1,2,3\n');
    await expect(readAll(duplicate)).rejects.toThrow(/dup\.csv:2: header: column "a" appears twice/);
  });

  it('converts event cells: numbers, booleans, absent fields, and leaves unconvertible cells as strings', () => {
    expect(eventCell('amount', '12.5')).toBe(12.5);
    expect(eventCell('amountUsd', '-3e2')).toBe(-300);
    expect(eventCell('lat', '.5')).toBe(0.5);
    expect(eventCell('amount', '0x10')).toBe('0x10');
    expect(eventCell('amount', 'Infinity')).toBe('Infinity');
    expect(eventCell('success', 'true')).toBe(true);
    expect(eventCell('success', 'FALSE')).toBe(false);
    expect(eventCell('mfa', '1')).toBe(true);
    expect(eventCell('mfa', '0')).toBe(false);
    expect(eventCell('success', 'yes')).toBe('yes');
    expect(eventCell('userId', '42')).toBe('42');
    expect(eventCell('city', '')).toBeUndefined();
  });
});

describe('CSV writer', () => {
  it.each(['events.csv', 'events.csv.gz'])('round-trips events through %s', async (name) => {
    const path = tmp.file(name);
    const writer = createCsvWriter(path, EVENT_COLUMNS);
    for (const event of VALID_EVENTS) await writer.writeRecord(event);
    await writer.close();
    const back = await readAll(path, eventCell);
    expect(back).toEqual(VALID_EVENTS.map((value, i) => ({ lineNo: i + 2, ok: true, value })));
  });

  it('writes numbers as-is, NaN, null and undefined as empty cells, and quotes only where needed', async () => {
    const path = tmp.file('rows.csv.gz');
    const writer = createCsvWriter(path, ['n', 'x', 'y', 's', 'b']);
    await writer.writeRow([0.1 + 0.2, NaN, null, 'a,"b"\nc', true]);
    await writer.writeRow(new Float64Array([1e-7, -0, 12345678901234, 2.5, -1]));
    await writer.writeRow([undefined, -Infinity, 3, 'plain', false]);
    await writer.close();
    expect(gunzipSync(readFileSync(path)).toString('utf8')).toBe(
      'n,x,y,s,b\n' + '0.30000000000000004,,,"a,""b""\nc",true\n' + '1e-7,0,12345678901234,2.5,-1\n' + ',-Infinity,3,plain,false\n',
    );
  });

  it('round-trips a numeric table exactly', async () => {
    const path = tmp.file('features.csv');
    const columns = Array.from({ length: 8 }, (_, i) => `f${i}`);
    const rows = Array.from({ length: 1000 }, (_, r) => columns.map((_, c) => (r * 31 + c * 7) / 13 - 20));
    const writer = createCsvWriter(path, columns);
    for (const row of rows) await writer.writeRow(row);
    await writer.close();
    const back = await readAll(path);
    expect(back.map((r) => (r.ok ? columns.map((c) => Number((r.value as Record<string, string>)[c])) : null))).toEqual(rows);
  });

  it('refuses rows of the wrong width, unwritable values and bad headers', async () => {
    expect(() => createCsvWriter(tmp.file('dup-cols.csv'), ['a', 'a'])).toThrow(/duplicate column/);
    const writer = createCsvWriter(tmp.file('width-out.csv'), ['a', 'b']);
    expect(() => writer.writeRow([1])).toThrow(/a row has 1 values, the header 2 columns/);
    expect(() => writer.writeRecord({ a: 1, b: { nested: true } })).toThrow(TypeError);
    await writer.abort();
  });
});
