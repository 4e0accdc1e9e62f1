import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { createJsonlWriter, readJsonlBatches } from '../../../data/io/jsonl';
import type { RawRecord } from '../../../data/io/raw-record';
import { makeTempDir, VALID_EVENTS } from './fixtures';

const tmp = makeTempDir();
afterAll(tmp.cleanup);

async function readAll(path: string): Promise<RawRecord[]> {
  const out: RawRecord[] = [];
  for await (const batch of readJsonlBatches(path)) out.push(...batch);
  return out;
}

async function writeAll(path: string, records: readonly unknown[]): Promise<void> {
  const writer = createJsonlWriter(path);
  for (const record of records) await writer.write(record);
  await writer.close();
}

describe('JSONL', () => {
  it.each(['events.jsonl', 'events.jsonl.gz'])('round-trips records through %s', async (name) => {
    const path = tmp.file(name);
    await writeAll(path, VALID_EVENTS);
    const back = await readAll(path);
    expect(back).toEqual(VALID_EVENTS.map((value, i) => ({ lineNo: i + 1, ok: true, value })));
  });

  it('writes gzip when the path ends in .gz', async () => {
    const path = tmp.file('gz-check.jsonl.gz');
    await writeAll(path, [{ a: 1 }, { b: 'two' }]);
    expect(gunzipSync(readFileSync(path)).toString('utf8')).toBe('{"a":1}\n{"b":"two"}\n');
  });

  it('reports a line that is not JSON as a record error at its line number and reads on', async () => {
    const path = tmp.file('bad-json.jsonl');
    writeFileSync(path, '{"a":1}\n\n{"a":2,}\n{"a":3}\n');
    const back = await readAll(path);
    expect(back.map((r) => [r.lineNo, r.ok])).toEqual([
      [1, true],
      [3, false],
      [4, true],
    ]);
    const bad = back[1];
    expect(bad?.ok === false && bad.issues[0]?.message).toMatch(/^invalid JSON: /);
  });

  it('respects backpressure and has everything on disk when close() resolves', async () => {
    // ~40 MB: far more than the stream buffers, so writes must wait for drain along the way.
    const path = tmp.file('many.jsonl.gz');
    const n = 200_000;
    const payload = 'x'.repeat(180);
    const writer = createJsonlWriter(path);
    let waits = 0;
    for (let i = 0; i < n; i++) {
      let settled = false;
      const written = writer.write({ i, payload }).then(() => {
        settled = true;
      });
      await Promise.resolve(); // an already resolved write settles within this tick; one waiting for drain does not
      if (!settled) waits++;
      await written;
    }
    await writer.close();
    expect(waits).toBeGreaterThan(0);
    const lines = gunzipSync(readFileSync(path)).toString('utf8').split('\n');
    expect(lines).toHaveLength(n + 1); // the file ends with a line break
    expect(lines[n - 1]).toBe(JSON.stringify({ i: n - 1, payload }));
    expect(lines[n]).toBe('');
  });

  it('replaces the target only on close, and abort leaves it untouched', async () => {
    const path = tmp.file('atomic.jsonl');
    writeFileSync(path, '{"old":true}\n');
    const writer = createJsonlWriter(path);
    await writer.write({ new: true });
    expect(readFileSync(path, 'utf8')).toBe('{"old":true}\n');
    await writer.abort();
    expect(readFileSync(path, 'utf8')).toBe('{"old":true}\n');
    expect(readdirSync(tmp.dir).filter((f) => f.includes('.partial-'))).toEqual([]);

    await writeAll(path, [{ new: true }]);
    expect(readFileSync(path, 'utf8')).toBe('{"new":true}\n');
  });

  it('creates missing directories and refuses values JSON cannot represent', async () => {
    const path = tmp.file('nested/dir/out.jsonl');
    const writer = createJsonlWriter(path);
    expect(() => writer.write(undefined)).toThrow(TypeError);
    await writer.write({ ok: 1 });
    await writer.close();
    expect(existsSync(path)).toBe(true);
    expect(() => writer.write({ late: true })).toThrow(/write after close/);
  });
});
