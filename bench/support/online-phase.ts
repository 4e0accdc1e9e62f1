import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { disablePretenuring } from '../../core/pretenuring';
import { connectRedis } from '../../core/redis';
import { sealedLocations } from '../../features/location-cipher';
import { FeaturePipeline, type PipelineItem } from '../../features/pipeline';
import { hmacPseudonymizer } from '../../features/pseudonymizer';
import { RedisFeatureStore } from '../../features/store/redis-feature-store';
import { FEATURE_STORE_SCRIPTS, type FeatureStoreCommands } from '../../features/store/redis-scripts';

/**
 * The online phase of bench/features.ts, in a process of its own holding only what a scorer holds, with pretenuring off
 * as in `vigil serve`. The benchmark's own process carries the parsed data set and the garbage of its earlier phases,
 * which a scoring server never has: there, GETs one at a time with a step's work between them had p99 1.2–1.4 ms, in a
 * process of their own 0.56–0.75 ms (2026-11-22).
 *
 * Feeds events one at a time through FeaturePipeline with features against the Redis store that bench/features.ts
 * ingested the earlier events into (same key prefix and keys), and prints one JSON line: p50/p99/max ms of the events
 * after the first `warmup` (not measured: a scoring server runs warm), the same of those first events, and two
 * yardsticks on the same connection, one GET at a time: back to back, and with a median step's work (as busy CPU)
 * between two GETs.
 * Run: `online-phase REDIS_URL EVENTS_JSON WARMUP PII_KEY_HEX`, EVENTS_JSON a JSON array of pipeline items.
 */

const [REDIS_URL, EVENTS_FILE, WARMUP, PII_KEY_HEX] = process.argv.slice(2) as [string, string, string, string];

const quantile = (sorted: Float64Array, q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** Latencies of `count` calls of `get`, one at a time, sorted, ms; after each, `busyMs` of busy CPU. */
async function timedGets(get: () => Promise<unknown>, count: number, busyMs: number): Promise<Float64Array> {
  const latencies = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await get();
    const end = performance.now();
    latencies[i] = end - start;
    while (performance.now() - end < busyMs);
  }
  return latencies.sort();
}

async function main(): Promise<void> {
  disablePretenuring();
  const held = JSON.parse(readFileSync(EVENTS_FILE, 'utf8')) as PipelineItem[];
  const warmupCount = Number(WARMUP);
  const key = Buffer.from(PII_KEY_HEX, 'hex');
  const redis = await connectRedis([REDIS_URL], { scripts: FEATURE_STORE_SCRIPTS });
  const store = new RedisFeatureStore(redis as unknown as FeatureStoreCommands, { keyPrefix: 'bench:' });
  const pipeline = new FeaturePipeline({ store, pseudonymize: hmacPseudonymizer(key), locations: sealedLocations(key) });
  const all = new Float64Array(held.length);
  for (let i = 0; i < held.length; i++) {
    const start = performance.now();
    await pipeline.process([held[i] as PipelineItem], { features: true });
    all[i] = performance.now() - start;
  }
  const warmup = all.slice(0, warmupCount).sort();
  const latencies = all.slice(warmupCount).sort();
  // The round trip every online step pays before any work of its own.
  const roundTrips = await timedGets(() => redis.get('bench:round-trip'), latencies.length, 0);
  // The same with a median step's own work between two GETs, so that each GET finds the machine as a step finds it:
  // the server idle for that long, the client just done computing. The busy loop allocates nothing, so no collection
  // of this process lands in these figures: a floor for the steps' percentiles, not a model of them.
  const stepWorkMs = Math.max(0, quantile(latencies, 0.5) - quantile(roundTrips, 0.5));
  const paced = await timedGets(() => redis.get('bench:round-trip'), latencies.length, stepWorkMs);
  await store.close();
  console.log(
    JSON.stringify({
      onlineEvents: latencies.length,
      onlineP50Ms: round3(quantile(latencies, 0.5)),
      onlineP99Ms: round3(quantile(latencies, 0.99)),
      onlineMaxMs: round3(latencies[latencies.length - 1] ?? Number.NaN),
      onlineGetP50Ms: round3(quantile(roundTrips, 0.5)),
      onlineGetP99Ms: round3(quantile(roundTrips, 0.99)),
      onlineStepWorkMs: round3(stepWorkMs),
      onlinePacedGetP50Ms: round3(quantile(paced, 0.5)),
      onlinePacedGetP99Ms: round3(quantile(paced, 0.99)),
      onlineWarmupEvents: warmup.length,
      onlineWarmupP50Ms: round3(quantile(warmup, 0.5)),
      onlineWarmupP99Ms: round3(quantile(warmup, 0.99)),
    }),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
