import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { connectRedis } from '../core/redis';
import { PROJECT_ROOT, programArgs } from '../core/runtime';
import { ingestItems } from '../features/ingest/bulk-ingest';
import type { PipelineItem } from '../features/pipeline';
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
 *   {@link ONLINE_WARMUP} events that are not measured, and the same figures for those first events. A scoring server
 *   runs warm: V8 went on compiling the read path (in a thread of its own, taking the core Redis needed) for about
 *   six thousand events, at 105, 59, 33, 11, 9, 12 and then 4 or fewer compilations per thousand. The phase runs in a
 *   process of its own that holds only what a scorer holds (bench/support/online-phase.ts), which also reports the
 *   p50/p99 of a plain GET on its connection, one at a time (the round trip every step pays), and of GETs with a
 *   median step's work between them;
 * - redis-benchmark SET/GET (pipelined 16) on the same server, ops/s, as a yardstick for the machine, and the p50/p99
 *   latency of GETs one at a time on one connection: the round trip no online step can do without.
 * Run: `npx tsx bench/features.ts [users] [days] [onlineEvents]` (defaults 2000, 60, 5000).
 */

const USERS = Number(process.argv[2] ?? 2000);
const DAYS = Number(process.argv[3] ?? 60);
const ONLINE_EVENTS = Number(process.argv[4] ?? 5000);
/** Online events processed before the measured ones. */
const ONLINE_WARMUP = 6000;
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

    await store.close();
    // Online: the held events one at a time against the same Redis, in a process of its own.
    const heldFile = join(dir, 'online-events.json');
    writeFileSync(heldFile, JSON.stringify(held));
    const onlineArgs = [...programArgs('bench/support/online-phase'), server.url, heldFile, String(ONLINE_WARMUP), PII_KEY.toString('hex')];
    const onlinePhase = JSON.parse(execFileSync(process.execPath, onlineArgs, { encoding: 'utf8' })) as Record<string, number>;

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

        ...onlinePhase,
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
