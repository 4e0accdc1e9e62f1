import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { disablePretenuring } from '../core/pretenuring';
import { connectRedis } from '../core/redis';
import { PROJECT_ROOT } from '../core/runtime';
import { ingestItems } from '../features/ingest/bulk-ingest';
import { FeaturePipeline, type PipelineItem } from '../features/pipeline';
import { sealedLocations } from '../features/location-cipher';
import { hmacPseudonymizer } from '../features/pseudonymizer';
import { emptyReplayStats, replayBatches } from '../features/replay';
import { MemoryFeatureStore } from '../features/store/memory-feature-store';
import { RedisFeatureStore } from '../features/store/redis-feature-store';
import { FEATURE_STORE_SCRIPTS, type FeatureStoreCommands } from '../features/store/redis-scripts';
import { readTimeline } from '../features/timeline';
import { startRedis } from './support/processes';

/**
 * Feature-store throughput and latency. Prints one JSON line:
 * - memory replay (features computed, as `vigil features build` does) and memory ingest (no features), events per
 *   second of wall time and per second of CPU time;
 * - Redis bulk ingest (`vigil ingest`'s path, features off), events/s, on a redis-server of its own, with the CPU
 *   microseconds per event spent by this process and by the server;
 * - online read+update: one event at a time through FeaturePipeline with features against Redis, p50/p99 ms, after
 *   {@link ONLINE_WARMUP} events that are not measured (a scoring server runs warm: the first events of a process pay
 *   for compiling the read path), and the same figures for those first events; V8's allocation-site pretenuring is
 *   off from this phase on, as in `vigil serve`; and the p50/p99 of a plain GET on the same connection, one at a time:
 *   the round trip every online step pays;
 * - redis-benchmark SET/GET (pipelined 16) on the same server, ops/s, as a yardstick for the machine, and the p50/p99
 *   latency of GETs one at a time on one connection: the round trip no online step can do without.
 * Run: `npx tsx bench/features.ts [users] [days] [onlineEvents]` (defaults 2000, 60, 3000).
 */

const USERS = Number(process.argv[2] ?? 2000);
const DAYS = Number(process.argv[3] ?? 60);
const ONLINE_EVENTS = Number(process.argv[4] ?? 3000);
/** Online events processed before the measured ones. */
const ONLINE_WARMUP = 1000;
const PII_KEY = Buffer.alloc(32, 7);
const VIGIL = join(PROJECT_ROOT, 'bin', 'vigil.js');

const perSecond = (n: number, ms: number) => Math.round((n * 1000) / ms);

/**
 * Wall time and this process's CPU time of `run`, ms. On a shared machine the wall time depends on the neighbours;
 * the CPU time says what the work itself costs.
 */
async function timed(run: () => Promise<unknown>): Promise<{ wallMs: number; cpuMs: number }> {
  const cpu = process.cpuUsage();
  const began = performance.now();
  await run();
  const used = process.cpuUsage(cpu);
  return { wallMs: performance.now() - began, cpuMs: (used.user + used.system) / 1000 };
}

/** CPU seconds the redis-server's main thread has used. */
async function serverCpuSeconds(redis: { info(section: string): Promise<string> }): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? Number.NaN);
  return field('used_cpu_user_main_thread') + field('used_cpu_sys_main_thread');
}
/** p50 and p99 latency, ms, of the one test in redis-benchmark's CSV output. */
function latencyPercentiles(csv: string): [number, number] {
  const [header, row] = csv.trim().split('\n').map((line) => line.split(',').map((cell) => cell.replace(/"/g, '')));
  const column = (name: string) => Number(row?.[header?.indexOf(name) ?? -1] ?? Number.NaN);
  return [column('p50_latency_ms'), column('p99_latency_ms')];
}
const quantile = (sorted: Float64Array, q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
const round3 = (x: number) => Math.round(x * 1000) / 1000;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-features-'));
  const server = await startRedis();
  const port = new URL(server.url).port;
  try {
    // In a process of its own: the generator's garbage would otherwise be collected during the measured phases, which
    // a `vigil features build` or `vigil ingest` reading the files in a fresh process never pays for.
    execFileSync(process.execPath, [VIGIL, 'generate', '--out', dir, '--users', String(USERS), '--days', String(DAYS), '--seed', '42'], { stdio: 'ignore' });
    const { items } = await readTimeline({ events: join(dir, 'events.jsonl'), labels: join(dir, 'labels.jsonl') });
    const events = items.filter((i) => i.kind === 'event').length;

    const memoryReplay = await timed(async () => {
      for await (const rows of replayBatches(items, {}, emptyReplayStats())) void rows;
    });
    const memoryIngest = await timed(() => ingestItems(items, { store: new MemoryFeatureStore(), pseudonymize: hmacPseudonymizer(PII_KEY), locations: sealedLocations(PII_KEY) }));

    // Redis: ingest all but the last events, then feed those one at a time as an online scorer would.
    const online = ONLINE_WARMUP + ONLINE_EVENTS;
    const held = items.slice(-online).filter((i): i is Extract<PipelineItem, { kind: 'event' }> => i.kind === 'event');
    const bulk = items.slice(0, items.length - online);
    const bulkEvents = bulk.filter((i) => i.kind === 'event').length;
    const redis = await connectRedis([server.url], { scripts: FEATURE_STORE_SCRIPTS });
    const store = new RedisFeatureStore(redis as unknown as FeatureStoreCommands, { keyPrefix: 'bench:' });
    const pseudonymize = hmacPseudonymizer(PII_KEY);
    const locations = sealedLocations(PII_KEY);
    const serverCpuBefore = await serverCpuSeconds(redis as unknown as { info(section: string): Promise<string> });
    const redisIngest = await timed(() => ingestItems(bulk, { store, pseudonymize, locations, batchSize: 5000 }));
    const serverCpuMs = ((await serverCpuSeconds(redis as unknown as { info(section: string): Promise<string> })) - serverCpuBefore) * 1000;

    // As in `vigil serve`, which the online phase stands for (see core/pretenuring.ts).
    disablePretenuring();
    const pipeline = new FeaturePipeline({ store, pseudonymize, locations });
    const all = new Float64Array(held.length);
    for (let i = 0; i < held.length; i++) {
      const start = performance.now();
      await pipeline.process([held[i] as PipelineItem], { features: true });
      all[i] = performance.now() - start;
    }
    const warmup = all.slice(0, ONLINE_WARMUP).sort();
    const latencies = all.slice(ONLINE_WARMUP).sort();
    // The same connection, one GET at a time: the round trip every online step pays before any work of its own.
    const roundTrips = new Float64Array(ONLINE_EVENTS);
    for (let i = 0; i < roundTrips.length; i++) {
      const start = performance.now();
      await redis.get('bench:round-trip');
      roundTrips[i] = performance.now() - start;
    }
    roundTrips.sort();
    await store.close();

    const reference = execFileSync('redis-benchmark', ['-q', '-n', '100000', '-t', 'set,get', '-P', '16', '-p', port], { encoding: 'utf8' });
    const opsOf = (cmd: string) => Number(new RegExp(`${cmd}: ([\\d.]+) requests per second`).exec(reference)?.[1] ?? Number.NaN);
    // One connection, one command at a time, from a C client: the round trip's floor on this machine, without
    // Node's or node-redis's own cost (onlineGet* above includes them).
    const oneByOne = execFileSync('redis-benchmark', ['--csv', '-n', '20000', '-c', '1', '-t', 'get', '-p', port], { encoding: 'utf8' });
    const [p50, p99] = latencyPercentiles(oneByOne);

    console.log(
      JSON.stringify({
        users: USERS,
        days: DAYS,
        events,
        labels: items.length - events,
        memoryReplayEventsPerSecond: perSecond(events, memoryReplay.wallMs),
        memoryReplayEventsPerCpuSecond: perSecond(events, memoryReplay.cpuMs),
        memoryIngestEventsPerSecond: perSecond(events, memoryIngest.wallMs),
        memoryIngestEventsPerCpuSecond: perSecond(events, memoryIngest.cpuMs),
        redisIngestEventsPerSecond: perSecond(bulkEvents, redisIngest.wallMs),
        redisIngestClientCpuUsPerEvent: round3((redisIngest.cpuMs * 1000) / bulkEvents),
        redisIngestServerCpuUsPerEvent: round3((serverCpuMs * 1000) / bulkEvents),

        onlineEvents: latencies.length,
        onlineP50Ms: round3(quantile(latencies, 0.5)),
        onlineP99Ms: round3(quantile(latencies, 0.99)),
        onlineMaxMs: round3(latencies[latencies.length - 1] ?? Number.NaN),
        onlineGetP50Ms: round3(quantile(roundTrips, 0.5)),
        onlineGetP99Ms: round3(quantile(roundTrips, 0.99)),
        onlineWarmupEvents: warmup.length,
        onlineWarmupP50Ms: round3(quantile(warmup, 0.5)),
        onlineWarmupP99Ms: round3(quantile(warmup, 0.99)),
        redisBenchmarkSetPerSecond: opsOf('SET'),
        redisBenchmarkGetPerSecond: opsOf('GET'),
        redisBenchmarkGetOneConnectionP50Ms: p50,
        redisBenchmarkGetOneConnectionP99Ms: p99,
        targets: { memoryReplayEventsPerSecond: 300_000, redisIngestEventsPerSecond: 30_000, onlineP99Ms: 1 },
      }),
    );
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
