import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, watch, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { featureNames } from '../../features/definitions';
import { ALL_FEATURE_NAMES, replay } from '../../features/replay';
import { readTimeline } from '../../features/timeline';
import { collectRows } from './compare';
import { generatedDataset, type GeneratedDataset } from './generated-dataset';

/** `vigil features build`, run as users run it: the real command line in a child process. */

const ROOT = resolve(__dirname, '../..');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function vigil(args: string[]): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/vigil.js'), ...args], {
      cwd: ROOT,
      env: { ...process.env, REDIS_URL: '', VIGIL_LOG_LEVEL: 'info' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

/** Events whose `ts` is written in other valid forms: the output must echo each one as written. */
const ODD_TIMESTAMPS = [
  { type: 'login', eventId: 'odd-offset', userId: 'odd-user', ts: '2026-01-10T14:00:00+02:00', ip: '2001:db8::7', deviceId: 'odd-dev', success: true },
  { type: 'login', eventId: 'odd-no-millis', userId: 'odd-user', ts: '2026-01-10T12:30:00Z', ip: '2001:db8::7', deviceId: 'odd-dev', success: false },
  {
    type: 'withdrawal',
    eventId: 'odd-fraction',
    userId: 'odd-user',
    ts: '2026-01-10T12:45:00.5Z',
    asset: 'BTC',
    amount: 0.01,
    address: 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq',
  },
];

let data: GeneratedDataset;
let events: string;

beforeAll(async () => {
  data = await generatedDataset({ users: 300, days: 14, seed: 20260304, fraudScale: 5 });
  events = join(data.dir, 'events-odd.jsonl');
  writeFileSync(events, readFileSync(data.events));
  appendFileSync(events, ODD_TIMESTAMPS.map((e) => JSON.stringify(e)).join('\n') + '\n');
});
afterAll(() => data?.cleanup());

describe('vigil features build', () => {
  it('writes one point-in-time row per login and withdrawal, ts as written, and a JSON result line', async () => {
    const out = join(data.dir, 'features.csv');
    const run = await vigil(['features', 'build', '--events', events, '--labels', data.labels, '--out', out]);
    expect(run.stderr).not.toMatch(/^vigil: /m);
    expect(run.code).toBe(0);

    const lines = run.stdout.trim().split('\n');
    const result = JSON.parse(lines[lines.length - 1] as string) as { rows: number; out: string; labels: number };
    const table = parse(readFileSync(out), { relaxColumnCount: false }) as string[][];
    const [header, ...body] = table as [string[], ...string[][]];
    expect(header).toEqual(['eventId', 'userId', 'ts', 'type', ...ALL_FEATURE_NAMES]);

    const written = readFileSync(events, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { eventId: string; userId: string; ts: string; type: string });
    const scored = written.filter((e) => e.type === 'login' || e.type === 'withdrawal');
    expect(written.length - scored.length).toBeGreaterThan(0); // account changes exist and get no row
    expect(body).toHaveLength(scored.length);
    expect(result.rows).toBe(scored.length);
    expect(result.out).toBe(out);
    const byId = new Map(body.map((cells) => [cells[0] as string, cells]));
    expect(byId.size).toBe(scored.length);
    for (const e of scored) {
      const cells = byId.get(e.eventId) as string[];
      expect(cells.slice(0, 4)).toEqual([e.eventId, e.userId, e.ts, e.type]);
    }
    expect(byId.get('odd-offset')?.[2]).toBe('2026-01-10T14:00:00+02:00');

    // The cells are the replay's vectors: same numbers, empty for unknown and for the other type's features.
    const { items } = await readTimeline({ events, labels: data.labels });
    const expected = await collectRows(replay(items));
    const column = new Map(header.map((name, i) => [name, i]));
    const mismatches: string[] = [];
    let checked = 0;
    for (const row of expected) {
      const cells = byId.get(row.eventId) as string[];
      const own = featureNames(row.type);
      for (const name of ALL_FEATURE_NAMES) {
        const cell = cells[column.get(name) as number] as string;
        const i = own.indexOf(name);
        const value = i < 0 ? Number.NaN : (row.features[i] as number);
        const ok = Number.isNaN(value) ? cell === '' : cell !== '' && Number(cell) === value;
        if (!ok) mismatches.push(`${row.eventId} ${name}: ${cell} written, ${value} replayed`);
        checked++;
      }
    }
    expect(mismatches.slice(0, 10)).toEqual([]);
    expect(checked).toBeGreaterThan(100_000);
  });

  it('leaves no temporary file behind when interrupted (Ctrl-C) while writing', async () => {
    const dir = mkdtempSync(join(data.dir, 'interrupted-'));
    const child = spawn(process.execPath, [join(ROOT, 'bin/vigil.js'), 'features', 'build', '--events', events, '--out', join(dir, 'features.csv')], {
      cwd: ROOT,
      env: { ...process.env, REDIS_URL: '', VIGIL_LOG_LEVEL: 'warn' },
      stdio: 'ignore',
    });
    // Interrupted the moment its temporary output file appears, well before the replay can have finished.
    const watcher = watch(dir, (_event, name) => {
      if (String(name).includes('.partial')) child.kill('SIGINT');
    });
    const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
    watcher.close();
    expect({ code, signal }).toEqual({ code: null, signal: 'SIGINT' });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('stops at a bad line in strict mode, naming the line and the field, and writes no output file', async () => {
    const bad = join(data.dir, 'bad.jsonl');
    const good = ODD_TIMESTAMPS.map((e) => JSON.stringify(e));
    writeFileSync(bad, [good[0], good[1], JSON.stringify({ ...ODD_TIMESTAMPS[0], eventId: 'bad', success: 'yes' }), good[2]].join('\n') + '\n');
    const out = join(data.dir, 'bad-features.csv');
    const run = await vigil(['features', 'build', '--events', bad, '--out', out, '--strict']);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/^vigil: .*bad\.jsonl:3: success: /m);
    expect(run.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(data.dir).filter((f) => f.startsWith('bad-features'))).toEqual([]);
  });
});
