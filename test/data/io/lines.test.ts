import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { NotFoundError, ValidationError } from '../../../core/errors';
import { readLines, type Line } from '../../../data/io/lines';
import { makeTempDir } from './fixtures';

const tmp = makeTempDir();
afterAll(tmp.cleanup);

async function collect(path: string): Promise<Line[]> {
  const out: Line[] = [];
  for await (const line of readLines(path)) out.push(line);
  return out;
}

describe('readLines', () => {
  it('skips blank and whitespace-only lines but keeps counting them', async () => {
    const path = tmp.file('blank.txt');
    writeFileSync(path, 'a\n\n   \n\t\nb\n\n');
    expect(await collect(path)).toEqual([
      { lineNo: 1, text: 'a' },
      { lineNo: 5, text: 'b' },
    ]);
  });

  it('strips CRLF line ends and a leading byte-order mark, and reads a last line without a line break', async () => {
    const path = tmp.file('crlf.txt');
    writeFileSync(path, '\uFEFFfirst\r\nsecond\r\n\r\nlast');
    expect(await collect(path)).toEqual([
      { lineNo: 1, text: 'first' },
      { lineNo: 2, text: 'second' },
      { lineNo: 4, text: 'last' },
    ]);
  });

  it('gunzips .gz files', async () => {
    const path = tmp.file('lines.txt.gz');
    writeFileSync(path, gzipSync('x\n\ny\n'));
    expect(await collect(path)).toEqual([
      { lineNo: 1, text: 'x' },
      { lineNo: 3, text: 'y' },
    ]);
  });

  it('keeps line numbers and multi-byte characters intact across read chunks', async () => {
    // About 3 MB: many 64 KiB read chunks, with lines and 3-byte characters straddling their boundaries.
    const texts = Array.from({ length: 60_000 }, (_, i) => `${i}:${'€'.repeat(i % 31)}`);
    const path = tmp.file('big.txt');
    writeFileSync(path, texts.map((t, i) => (i % 7 === 3 ? `${t}\n\n` : `${t}\n`)).join(''));
    let lineNo = 0;
    const expected = texts.map((text, i) => {
      lineNo += 1;
      const line = { lineNo, text };
      if (i % 7 === 3) lineNo += 1; // the blank line after it
      return line;
    });
    const lines = await collect(path);
    expect(lines.length).toBe(expected.length);
    expect(lines.filter((line, i) => line.lineNo !== expected[i]?.lineNo || line.text !== expected[i]?.text)).toEqual([]);
  });

  it('names the file when it does not exist or is not gzip', async () => {
    await expect(collect(tmp.file('missing.txt'))).rejects.toThrow(NotFoundError);
    await expect(collect(tmp.file('missing.txt'))).rejects.toThrow(/missing\.txt: no such file/);
    const bad = tmp.file('bad.txt.gz');
    writeFileSync(bad, 'plain text, not gzip');
    await expect(collect(bad)).rejects.toThrow(ValidationError);
    await expect(collect(bad)).rejects.toThrow(/bad\.txt\.gz: not valid gzip data/);
    // A truncated download must fail, not pass for a shorter file.
    const truncated = tmp.file('truncated.txt.gz');
    const whole = gzipSync('line\n'.repeat(10_000));
    writeFileSync(truncated, whole.subarray(0, whole.length - 20));
    await expect(collect(truncated)).rejects.toThrow(/truncated\.txt\.gz: not valid gzip data \(unexpected end of file\)/);
  });

  it('stops reading when the consumer breaks early', async () => {
    const path = tmp.file('early.txt');
    writeFileSync(path, 'a\nb\nc\n');
    const it = readLines(path);
    expect((await it.next()).value).toEqual({ lineNo: 1, text: 'a' });
    await it.return?.();
    expect(await it.next()).toEqual({ value: undefined, done: true });
  });
});
