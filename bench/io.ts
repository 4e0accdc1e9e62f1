import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toChecksumAddress } from '../data/addresses';
import { createCsvWriter } from '../data/io/csv';
import { createJsonlWriter, readJsonlBatches } from '../data/io/jsonl';
import { readEvents } from '../data/io/read-records';

/**
 * Read+validate throughput of the event readers, and write throughput of the CSV writer on a wide numeric table
 * (the shape of a feature table). Prints one JSON line. Run: `npx tsx bench/io.ts [lines]`.
 */

const LINES = Number(process.argv[2] ?? 500_000);
const FEATURE_ROWS = 100_000;
const FEATURE_COLUMNS = 80;

/** A small deterministic generator (LCG) so that runs are comparable; the data's realism is not the point. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const ADDRESSES = [
  { asset: 'ETH', address: toChecksumAddress('0x5aeda56215b167893e80b4fe645ba6d5bab767de') }, // EIP-55: keccak per check
  { asset: 'ETH', address: '0xde0b295669a9fd93d5f28d9ec85e40f4cb697bae' },
  { asset: 'BTC', address: 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq' },
  { asset: 'BTC', address: '1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa' },
  { asset: 'TRX', address: 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t' },
];

/** 80% logins, 15% withdrawals, 5% account changes, with the optional fields a real feed carries. */
function syntheticEvent(i: number, rand: () => number): Record<string, unknown> {
  const userId = `u${Math.floor(rand() * 20_000)}`;
  const ts = new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();
  const r = rand();
  if (r < 0.8) {
    return {
      type: 'login', eventId: `e${i}`, userId, ts, ip: `198.51.${Math.floor(rand() * 256)}.${Math.floor(rand() * 256)}`,
      deviceId: `d${Math.floor(rand() * 40_000)}`, success: rand() > 0.05, country: 'DE', city: 'Berlin',
      lat: 52.52, lon: 13.405, userAgent: 'Mozilla/5.0 (X11; Linux x86_64)', mfa: rand() > 0.5, channel: 'web',
    };
  }
  if (r < 0.95) {
    const target = ADDRESSES[Math.floor(rand() * ADDRESSES.length)] ?? ADDRESSES[0]!;
    const amount = Math.round(rand() * 1e6) / 1e4;
    return { type: 'withdrawal', eventId: `e${i}`, userId, ts, asset: target.asset, amount, address: target.address, amountUsd: amount * 2500 };
  }
  return { type: 'account_change', eventId: `e${i}`, userId, ts, change: 'password_reset' };
}

/** Wall time and this process's CPU time: on a shared machine the CPU figure is the steadier one. */
async function timeIt<T>(run: () => Promise<T>): Promise<{ seconds: number; cpuSeconds: number; result: T }> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const result = await run();
  const used = process.cpuUsage(cpu);
  return { seconds: (performance.now() - started) / 1000, cpuSeconds: (used.user + used.system) / 1e6, result };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-io-'));
  try {
    const rand = lcg(42);
    const plain = join(dir, 'events.jsonl');
    const gz = join(dir, 'events.jsonl.gz');
    const writers = [createJsonlWriter(plain), createJsonlWriter(gz)];
    for (let i = 0; i < LINES; i++) {
      const event = syntheticEvent(i, rand);
      for (const writer of writers) await writer.write(event);
    }
    await Promise.all(writers.map((w) => w.close()));

    const countBatches = async (path: string): Promise<number> => {
      const reader = readEvents(path);
      for await (const batch of reader.batches()) void batch.length;
      return reader.report.valid;
    };
    const countOneByOne = async (path: string): Promise<number> => {
      let n = 0;
      for await (const event of readEvents(path)) if (event.eventId) n++;
      return n;
    };
    // Reading and JSON.parse alone, without the schema: the ceiling of this layer.
    const parseOnly = await timeIt(async () => {
      let n = 0;
      for await (const batch of readJsonlBatches(plain)) n += batch.length;
      return n;
    });
    const batches = await timeIt(() => countBatches(plain));
    const single = await timeIt(() => countOneByOne(plain));
    const gzipped = await timeIt(() => countBatches(gz));
    for (const run of [parseOnly, batches, single, gzipped]) if (run.result !== LINES) throw new Error(`read ${run.result} of ${LINES} events`);

    const features = join(dir, 'features.csv');
    const columns = Array.from({ length: FEATURE_COLUMNS }, (_, c) => `f${c}`);
    const row = new Float64Array(FEATURE_COLUMNS);
    const csvWrite = await timeIt(async () => {
      const writer = createCsvWriter(features, columns);
      for (let r = 0; r < FEATURE_ROWS; r++) {
        // A feature-table mix: counts (integers), ratios and amounts (fractions), some unknowns (NaN).
        for (let c = 0; c < FEATURE_COLUMNS; c++) row[c] = c % 3 === 0 ? (r + c) % 17 : c % 11 === 0 && r % 5 === 0 ? NaN : rand() * 1000;
        await writer.writeRow(row);
      }
      await writer.close();
    });

    const rate = (n: number, seconds: number): number => Math.round(n / seconds);
    console.log(
      JSON.stringify({
        bench: 'io',
        lines: LINES,
        jsonlBytes: statSync(plain).size,
        readParseOnlyLinesPerSec: rate(LINES, parseOnly.seconds),
        readValidateEventsPerSec: rate(LINES, batches.seconds),
        readValidateEventsPerCpuSec: rate(LINES, batches.cpuSeconds),
        readValidateEventsPerSecOneByOne: rate(LINES, single.seconds),
        readValidateGzipEventsPerSec: rate(LINES, gzipped.seconds),
        readValidateSeconds: Number(batches.seconds.toFixed(3)),
        csvWriteRowsPerSec: rate(FEATURE_ROWS, csvWrite.seconds),
        csvWriteColumns: FEATURE_COLUMNS,
        csvWriteMBPerSec: Number((statSync(features).size / 1e6 / csvWrite.seconds).toFixed(1)),
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
