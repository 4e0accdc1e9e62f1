import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { ValidationError } from '../../../core/errors';
import { createCsvWriter } from '../../../data/io/csv';
import { InvalidRecordError } from '../../../data/io/raw-record';
import { readEvents, readLabels, recordFormatOf, type RecordReader } from '../../../data/io/read-records';
import { ETH_ADDRESS, EVENT_COLUMNS, jsonl, makeTempDir, VALID_EVENTS, VALID_LABELS } from './fixtures';

const tmp = makeTempDir();
afterAll(tmp.cleanup);

async function drain<T>(reader: RecordReader<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const record of reader) out.push(record);
  return out;
}

const [login, , withdrawal, , change] = VALID_EVENTS;
/** The same address with one letter's case flipped: the EIP-55 checksum no longer matches. */
const BAD_CHECKSUM = `${ETH_ADDRESS.slice(0, 3)}${ETH_ADDRESS.charAt(3).toLowerCase()}${ETH_ADDRESS.slice(4)}`;
const { deviceId: _dropped, ...loginWithoutDevice } = login;

/** One bad record per kind of fault, with the field path and reason each must be reported with. */
const BAD_EVENTS = [
  { name: 'a line that is not JSON', line: '{"type":"login",', path: '', reason: /^invalid JSON: / },
  { name: 'a missing field', line: JSON.stringify(loginWithoutDevice), path: 'deviceId', reason: /expected string, received undefined/ },
  { name: 'a wrong type', line: JSON.stringify({ ...login, success: 'yes' }), path: 'success', reason: /expected boolean, received string/ },
  {
    name: 'an invalid address',
    line: JSON.stringify({ ...withdrawal, address: BAD_CHECKSUM }),
    path: 'address',
    reason: /^invalid ethereum address: mixed-case address with a wrong EIP-55 checksum$/,
  },
  { name: 'a negative amount', line: JSON.stringify({ ...withdrawal, amount: -5 }), path: 'amount', reason: /^must not be negative$/ },
];

describe('readEvents (JSONL), strict mode', () => {
  it.each(BAD_EVENTS)('throws at the line of $name, naming file, line, field and reason', async ({ line, path, reason }) => {
    const file = tmp.file('strict.jsonl');
    // Lines: 1 valid, 2 blank, 3 valid, 4 bad, 5 valid.
    writeFileSync(file, `${JSON.stringify(login)}\n\n${JSON.stringify(change)}\n${line}\n${JSON.stringify(withdrawal)}\n`);
    const reader = readEvents(file);
    const seen: string[] = [];
    const error = await (async () => {
      try {
        for await (const event of reader) seen.push(event.eventId);
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(InvalidRecordError);
    expect(error).toBeInstanceOf(ValidationError);
    const invalid = error as InvalidRecordError;
    expect(invalid.file).toBe(file);
    expect(invalid.line).toBe(4);
    expect(invalid.message.startsWith(`${file}:4: ${path ? `${path}: ` : ''}`)).toBe(true);
    expect(invalid.issues.some((i) => i.path.join('.') === path && reason.test(i.message))).toBe(true);
    // The records before the bad line came through; nothing after it did.
    expect(seen).toEqual([login.eventId, change.eventId]);
    expect(reader.report).toMatchObject({ valid: 2, invalid: 1, complete: false });
  });
});

describe('readEvents, skip-invalid mode', () => {
  it('counts and skips every bad record with its line and field, and lets all valid records through', async () => {
    const file = tmp.file('mixed.jsonl.gz');
    const lines = [JSON.stringify(login), '', ...BAD_EVENTS.map((b) => b.line), JSON.stringify(withdrawal), '   ', JSON.stringify(change)];
    writeFileSync(file, gzipSync(lines.join('\n')));
    const reader = readEvents(file, { mode: 'skip-invalid' });
    const events = await drain(reader);
    expect(events).toEqual([login, withdrawal, change]);
    const report = reader.report;
    expect(report).toMatchObject({ file, valid: 3, invalid: BAD_EVENTS.length, complete: true });
    expect(report.errors.map((e) => e.line)).toEqual([3, 4, 5, 6, 7]);
    report.errors.forEach((error, i) => {
      const expected = BAD_EVENTS[i];
      expect(error.issues.some((issue) => issue.path.join('.') === expected?.path && expected.reason.test(issue.message))).toBe(true);
    });
  });

  it('keeps only the first maxErrors errors but counts them all', async () => {
    const file = tmp.file('many-bad.ndjson');
    const bad = JSON.stringify({ ...withdrawal, amount: -1 });
    writeFileSync(file, `${Array.from({ length: 30 }, () => bad).join('\n')}\n${JSON.stringify(change)}\n`);
    const reader = readEvents(file, { mode: 'skip-invalid', maxErrors: 5 });
    expect(await drain(reader)).toEqual([change]);
    expect(reader.report.invalid).toBe(30);
    expect(reader.report.errors.map((e) => e.line)).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('readEvents (CSV)', () => {
  async function writeEventsCsv(file: string, records: readonly Record<string, unknown>[]): Promise<void> {
    const writer = createCsvWriter(file, EVENT_COLUMNS);
    for (const record of records) await writer.writeRecord(record);
    await writer.close();
  }

  const BAD_CSV = [
    { name: 'a missing field', record: loginWithoutDevice, path: 'deviceId' },
    { name: 'a wrong type', record: { ...login, success: 'yes' }, path: 'success' },
    { name: 'an invalid address', record: { ...withdrawal, address: BAD_CHECKSUM }, path: 'address' },
    { name: 'a negative amount', record: { ...withdrawal, amount: -5 }, path: 'amount' },
  ];

  it.each(BAD_CSV)('strict: throws at the line of $name with its field', async ({ record, path }) => {
    const file = tmp.file('strict.csv');
    await writeEventsCsv(file, [login, record, change]); // header on line 1, so the bad row is line 3
    const reader = readEvents(file);
    await expect(drain(reader)).rejects.toThrow(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3: ${path}: `));
  });

  it('skip-invalid: reports each bad row at its line (quoted line breaks included) and keeps the valid ones', async () => {
    const file = tmp.file('mixed.csv.gz');
    const multiLine = { ...login, eventId: 'e-multi', city: 'two\nlines' };
    await writeEventsCsv(file, [multiLine, ...BAD_CSV.map((b) => b.record), withdrawal]);
    const reader = readEvents(file, { mode: 'skip-invalid' });
    expect(await drain(reader)).toEqual([multiLine, withdrawal]);
    // Header line 1, the two-line record lines 2-3, then one line per row.
    expect(reader.report.errors.map((e) => [e.line, e.issues[0]?.path.join('.')])).toEqual(
      BAD_CSV.map((b, i) => [4 + i, b.path]),
    );
  });
});

describe('readLabels', () => {
  it('reads JSONL and CSV labels and reports a bad label value at its line', async () => {
    const file = tmp.file('labels.jsonl');
    writeFileSync(file, jsonl([...VALID_LABELS, { eventId: 'e9', label: 'maybe', ts: '2026-01-09T00:00:00Z' }]));
    await expect(drain(readLabels(file))).rejects.toThrow(/labels\.jsonl:3: label: /);
    const skipping = readLabels(file, { mode: 'skip-invalid' });
    expect(await drain(skipping)).toEqual(VALID_LABELS);
    expect(skipping.report).toMatchObject({ valid: 2, invalid: 1, errors: [{ line: 3, issues: [{ path: ['label'] }] }] });

    const csv = tmp.file('labels.csv');
    writeFileSync(csv, 'eventId,label,ts,source\ne3,fraud,2026-01-07T00:00:00Z,analyst\ne4,legit,2026-01-08T00:00:00Z,\n');
    expect(await drain(readLabels(csv))).toEqual(VALID_LABELS);
  });
});

describe('file handling', () => {
  it('picks the format from the extension and refuses others at once', () => {
    expect(recordFormatOf('a/events.jsonl')).toBe('jsonl');
    expect(recordFormatOf('events.NDJSON.gz')).toBe('jsonl');
    expect(recordFormatOf('events.json')).toBe('jsonl');
    expect(recordFormatOf('events.csv.gz')).toBe('csv');
    expect(() => readEvents('events.txt')).toThrow(ValidationError);
    expect(() => readEvents('events.csv.zip')).toThrow(/events\.csv\.zip: unsupported file type/);
  });

  it('reads once: a second iteration is refused', async () => {
    const file = tmp.file('once.jsonl');
    writeFileSync(file, jsonl([change]));
    const reader = readEvents(file);
    expect(await drain(reader)).toEqual([change]);
    await expect(drain(reader)).rejects.toThrow(/only once/);
  });

  it('hands out batches in file order for bulk readers', async () => {
    const file = tmp.file('batches.jsonl');
    const events = Array.from({ length: 5000 }, (_, i) => ({ ...change, eventId: `c${i}` }));
    writeFileSync(file, jsonl(events));
    const reader = readEvents(file);
    const ids: string[] = [];
    for await (const batch of reader.batches()) ids.push(...batch.map((e) => e.eventId));
    expect(ids).toEqual(events.map((e) => e.eventId));
    expect(reader.report).toEqual({ file, valid: 5000, invalid: 0, errors: [], complete: true });
  });
});
