import { connectRedis } from '../../../core/redis';
import type { PipelineItem } from '../../../features/pipeline';
import { sealedLocations } from '../../../features/location-cipher';
import { hmacPseudonymizer } from '../../../features/pseudonymizer';
import { emptyReplayStats, replay, type ReplayStats } from '../../../features/replay';
import { kindOf, type EntityName } from '../../../features/state/entity-kinds';
import type { FeatureStore, StepStates, StoreStep } from '../../../features/store/feature-store';
import { MemoryFeatureStore } from '../../../features/store/memory-feature-store';
import { RedisFeatureStore, type RedisFeatureStoreOptions } from '../../../features/store/redis-feature-store';
import { FEATURE_STORE_SCRIPTS, type FeatureStoreCommands } from '../../../features/store/redis-scripts';
import { startRedisCluster, type RedisTestCluster } from '../../harness/redis-server';
import { connectTestRedis, deleteKeysWithPrefix, testRedisUrl, uniqueKeyPrefix, type TestRedisClient } from '../../harness/redis';
import { entitiesOf } from '../ingest/canonical-state';
import { canonical, collectRows, featureOf, firstDifference, type RowBytes } from '../compare';
import { denyListsOf, generatedDataset, type GeneratedDataset } from '../generated-dataset';

/**
 * Invariant 1 of DESIGN.md: one feature definition, whatever the store. The same generated data set is replayed
 * through every backend, and every feature vector must come out identical bit for bit (NaN included), as must the
 * entity states left behind.
 */

const PII_KEY = Buffer.alloc(32, 7);

interface Backend {
  name: string;
  /** Items per store call: varied, so labels resolve both within a batch and from the store. */
  batchSize: number;
  open: () => Promise<FeatureStore>;
}

let data: GeneratedDataset;
/** The data set's events and labels, with some delivered twice. */
let items: PipelineItem[];
let cluster: RedisTestCluster;
let cleanupClient: TestRedisClient;
const prefix = uniqueKeyPrefix();

async function redisStore(urls: string[], options: RedisFeatureStoreOptions): Promise<FeatureStore> {
  const redis = await connectRedis(urls, { scripts: FEATURE_STORE_SCRIPTS });
  return new RedisFeatureStore(redis as unknown as FeatureStoreCommands, options);
}

/**
 * Two stores on one Redis taking turns, a store call each, as two scoring processes would: each folds the other's
 * records, and their compactions race.
 */
class TakingTurns implements FeatureStore {
  private turn = 0;
  constructor(private readonly stores: [FeatureStore, FeatureStore]) {}
  apply<T>(steps: readonly StoreStep[], onStates: (index: number, states: StepStates) => T): Promise<(T | undefined)[]> {
    this.turn ^= 1;
    return (this.stores[this.turn] as FeatureStore).apply(steps, onStates);
  }
  getEventRefs(eventIds: readonly string[]) {
    return (this.stores[this.turn] as FeatureStore).getEventRefs(eventIds);
  }
  readState<N extends EntityName>(entity: N, key: string) {
    return this.stores[0].readState(entity, key);
  }
  async close(): Promise<void> {
    await Promise.all(this.stores.map((s) => s.close()));
  }
}

const BACKENDS: Backend[] = [
  { name: 'memory', batchSize: 2000, open: async () => new MemoryFeatureStore() },
  { name: 'redis, compactAt 5', batchSize: 97, open: () => redisStore([testRedisUrl()], { keyPrefix: `${prefix}c5:`, compactAt: 5 }) },
  { name: 'redis, default compaction', batchSize: 2000, open: () => redisStore([testRedisUrl()], { keyPrefix: `${prefix}default:` }) },
  { name: 'redis cluster of 3 masters, compactAt 5', batchSize: 500, open: () => redisStore(cluster.urls, { keyPrefix: prefix, compactAt: 5, cluster: true }) },
  {
    name: 'redis, two stores taking turns, compactAt 3',
    batchSize: 7,
    open: async () =>
      new TakingTurns([
        await redisStore([testRedisUrl()], { keyPrefix: `${prefix}turns:`, compactAt: 3 }),
        await redisStore([testRedisUrl()], { keyPrefix: `${prefix}turns:`, compactAt: 3 }),
      ]),
  },
];

interface Outcome {
  rows: RowBytes[];
  stats: ReplayStats;
  /** Canonical encodings of the states of every entity the data set touched, by `entity key`. */
  states: Map<string, string>;
}
const outcomes = new Map<string, Outcome>();

/** Events this many apart are in different store calls for every batch size used here. */
const FAR = 2500;
const REDELIVERED = 6;

/**
 * Copies of a few logins and withdrawals, right after the original (a client retry, in the same store call) or
 * {@link FAR} items later (a queue redelivery, in a later call), plus a label delivered twice: exactly once must
 * hold on every backend.
 */
function withRedeliveries(original: readonly PipelineItem[]): PipelineItem[] {
  const items = [...original];
  const picks = items.filter((i) => i.kind === 'event' && i.event.type !== 'account_change').filter((_, n) => n % 700 === 3).slice(0, REDELIVERED);
  picks.forEach((item, n) => items.splice(items.indexOf(item) + (n % 2 === 0 ? 1 : FAR), 0, { ...item }));
  const label = items.find((i) => i.kind === 'label') as PipelineItem;
  items.splice(items.indexOf(label) + 1, 0, { ...label });
  return items;
}

beforeAll(async () => {
  [data, cluster, cleanupClient] = await Promise.all([
    generatedDataset({ users: 300, days: 14, seed: 20260301, fraudScale: 10 }),
    startRedisCluster({ masters: 3 }),
    connectTestRedis(testRedisUrl()),
  ]);
  items = withRedeliveries(data.items);
  const pseudonymize = hmacPseudonymizer(PII_KEY);
  // Sealed on every backend, memory included: the comparison then also shows that a location read back from Redis
  // opens to the one written.
  const locations = sealedLocations(PII_KEY);
  const denyLists = denyListsOf(data.scamLists);
  const entities = entitiesOf(data.items, pseudonymize);
  for (const backend of BACKENDS) {
    const store = await backend.open();
    try {
      const stats = emptyReplayStats();
      const rows = await collectRows(replay(items, { store, pseudonymize, locations, denyLists, batchSize: backend.batchSize }, stats));
      const read = await Promise.all(entities.map(([entity, key]) => store.readState(entity, key)));
      const states = new Map<string, string>();
      entities.forEach(([entity, key], i) => {
        const state = read[i];
        states.set(`${entity} ${key}`, state === undefined ? 'none' : canonical(kindOf(entity) as never, state));
      });
      outcomes.set(backend.name, { rows, stats, states });
    } finally {
      await store.close();
    }
  }
}, 120_000);

afterAll(async () => {
  await deleteKeysWithPrefix(cleanupClient, prefix);
  cleanupClient.destroy();
  await cluster?.stop();
  data?.cleanup();
});

const reference = () => outcomes.get('memory') as Outcome;

describe('the generated data set', () => {
  it('exercises what the comparison is about: logins, withdrawals, labels, cross-user entities', () => {
    const { rows, stats } = reference();
    expect(stats.labels).toBeGreaterThan(20);
    expect(stats.unknownLabels).toBe(0);
    expect(stats.duplicates).toBe(REDELIVERED);
    expect(rows.filter((r) => r.type === 'login').length).toBeGreaterThan(1000);
    expect(rows.filter((r) => r.type === 'withdrawal').length).toBeGreaterThan(50);
    expect(rows.length).toBe(stats.rows);
    // Labels reach later rows through the user and through the destination address (mules, scam collectors).
    const positive = (name: string) => rows.filter((r) => (r.type === 'withdrawal' || name === 'user_fraud_labels') && featureOf(r, name) > 0).length;
    expect(positive('user_fraud_labels')).toBeGreaterThan(20);
    expect(positive('addr_fraud_share_7d')).toBeGreaterThan(5);
    expect(positive('addr_distinct_users_7d')).toBeGreaterThan(20);
    expect(positive('addr_deny_listed')).toBeGreaterThan(0);
    // Distances are measured from sealed locations opened again: most located logins have one.
    expect(rows.filter((r) => r.type === 'login' && featureOf(r, 'geo_distance_km') >= 0).length).toBeGreaterThan(500);
  });
});

describe.each(BACKENDS.slice(1).map((b) => b.name))('%s', (name) => {
  it('gives every feature vector bit-identical to the memory store', () => {
    const { rows } = outcomes.get(name) as Outcome;
    expect(firstDifference(reference().rows, rows)).toBeUndefined();
    expect(rows).toHaveLength(reference().rows.length);
  });

  it('counts the same rows, duplicates and labels', () => {
    expect((outcomes.get(name) as Outcome).stats).toEqual(reference().stats);
  });

  it('holds the same state for every user, IP, destination address and device', () => {
    const { states } = outcomes.get(name) as Outcome;
    const expected = reference().states;
    expect(states.size).toBe(expected.size);
    const differing = [...expected].filter(([k, v]) => states.get(k) !== v).map(([k]) => k);
    expect(differing).toEqual([]);
    // The comparison covers real states of each kind, not "none" against "none".
    for (const entity of ['user', 'ip', 'address', 'device'] satisfies EntityName[]) {
      expect([...states].filter(([k, v]) => k.startsWith(`${entity} `) && v !== 'none').length).toBeGreaterThan(10);
    }
  });
});
