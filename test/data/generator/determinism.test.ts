import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { generateInTmp, type Dataset } from './dataset';

const FILES = ['events.jsonl', 'labels.jsonl', 'truth.jsonl'];

function filesOf(data: Dataset): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const f of FILES) out.set(f, readFileSync(join(data.dir, f)));
  for (const f of readdirSync(join(data.dir, 'lists'))) out.set(`lists/${f}`, readFileSync(join(data.dir, 'lists', f)));
  return out;
}

describe('generator determinism', () => {
  const options = { users: 300, days: 20, seed: 7, fraudScale: 10 };
  let a: Dataset;
  let b: Dataset;
  let c: Dataset;

  beforeAll(() => {
    a = generateInTmp(options);
    b = generateInTmp(options);
    c = generateInTmp({ ...options, seed: 8 });
  });
  afterAll(() => [a, b, c].forEach((d) => d?.cleanup()));

  it('writes byte-identical files for the same seed', () => {
    const fa = filesOf(a);
    const fb = filesOf(b);
    expect([...fb.keys()].sort()).toEqual([...fa.keys()].sort());
    expect(fa.size).toBeGreaterThan(FILES.length);
    for (const [name, bytes] of fa) expect(fb.get(name)?.equals(bytes)).toBe(true);
    expect(a.eventLines.length).toBeGreaterThan(1000);
  });

  it('writes different data for another seed', () => {
    const fa = filesOf(a);
    const fc = filesOf(c);
    for (const name of FILES) expect(fc.get(name)?.equals(fa.get(name) as Buffer)).toBe(false);
    expect(fc.get('lists/scam-bitcoin.txt')?.equals(fa.get('lists/scam-bitcoin.txt') as Buffer)).toBe(false);
  });

  it('starts on the given day, and on 2026-01-01 by default', () => {
    expect(a.events[0]?.ts.startsWith('2026-01-01T')).toBe(true);
    const moved = generateInTmp({ users: 20, days: 2, seed: 7, start: '2025-06-30' });
    try {
      expect(moved.events[0]?.ts.startsWith('2025-06-30T')).toBe(true);
      expect(moved.events.at(-1)?.ts.slice(0, 10)).toMatch(/^2025-0(6-30|7-01)$/);
    } finally {
      moved.cleanup();
    }
  });
});
