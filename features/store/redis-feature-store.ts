import { guardRedis } from '../../core/redis';
import type { EventRef } from '../records';
import { kindOf, type EntityName, type EntityStates } from '../state/entity-kinds';
import { DAY } from '../transforms/time';
import calculateSlot = require('cluster-key-slot');
import type { EntityUpdate, FeatureStore, StepStates, StoreStep } from './feature-store';
import type { FeatureStoreCommands } from './redis-scripts';

export interface RedisFeatureStoreOptions {
  /** Prefix of every key. @defaultValue `vigil:` */
  keyPrefix?: string;
  /** A tail this long is folded into the snapshot: shorter tails make reads cheaper, longer ones make compactions rarer. @defaultValue 16 */
  compactAt?: number;
  /** How long an event stays reachable by labels, ms. @defaultValue 180 days */
  eventRefTtlMs?: number;
  /**
   * Whether the server is a cluster: bulk appends are then grouped per hash slot (a script's keys must share one),
   * else sent in large groups. @defaultValue false
   */
  cluster?: boolean;
}

/** Entities per bulk append call: large enough to amortise the round trip, small enough not to stall Redis. */
const APPEND_MANY_CHUNK = 256;

/**
 * Entity state in Redis as an event-sourced log: a snapshot (the encoded state) plus a tail of records appended
 * since. Scoring an event is one script call per entity: return the snapshot and tail, append the event's record
 * (see redis-scripts.ts). The state before the event is the snapshot with the tail folded in by the same `apply` the
 * memory store uses, so both backends agree by construction. Long tails are compacted into the snapshot.
 *
 * Keys (documented in docs/redis-keys.md): `<prefix>{<kind>:<key>}:s` snapshot, `<prefix>{<kind>:<key>}:t` tail,
 * `<prefix>ev:<eventId>` label reference.
 */
export class RedisFeatureStore implements FeatureStore {
  private readonly prefix: string;
  private readonly compactAt: number;
  private readonly refTtlMs: number;
  private readonly cluster: boolean;

  constructor(
    private readonly redis: FeatureStoreCommands,
    options: RedisFeatureStoreOptions = {},
  ) {
    this.prefix = options.keyPrefix ?? 'vigil:';
    this.compactAt = options.compactAt ?? 16;
    this.refTtlMs = options.eventRefTtlMs ?? 180 * DAY;
    this.cluster = options.cluster ?? false;
  }

  private keys(entity: EntityName, key: string): [snap: string, tail: string] {
    // The hash tag keeps both keys of an entity in one cluster slot. A key holding "}" only shortens the tag, to
    // the same prefix for both keys, so they still share a slot.
    const base = `${this.prefix}{${kindOf(entity).name}:${key}}`;
    return [`${base}:s`, `${base}:t`];
  }

  private refKey(eventId: string): string {
    return `${this.prefix}ev:${eventId}`;
  }

  async apply<T>(steps: readonly StoreStep[], onStates: (index: number, states: StepStates) => T): Promise<(T | undefined)[]> {
    if (!steps.some((s) => s.read)) {
      await this.appendOnly(steps);
      return new Array<T | undefined>(steps.length);
    }
    const calls: Promise<unknown>[] = [];
    const replies: Promise<[number, string?, string[]?]>[][] = steps.map((step) => {
      if (step.ref) calls.push(this.redis.set(this.refKey(step.ref.eventId), JSON.stringify(step.ref.ref), { PX: this.refTtlMs }));
      return step.updates.map((u) => {
        const [snap, tail] = this.keys(u.entity, u.key);
        return this.redis.vigilAppend(snap, tail, JSON.stringify(u.record), kindOf(u.entity).ttlMs, step.read);
      });
    });
    const settled = await guard(Promise.all([Promise.all(replies.map((r) => Promise.all(r))), Promise.all(calls)]));
    const [results] = settled;
    const out = new Array<T | undefined>(steps.length);
    const longTails = new Map<string, { entity: EntityName; key: string }>();
    steps.forEach((step, i) => {
      const stepReplies = results[i] as [number, string?, string[]?][];
      if (step.read) {
        const states = step.updates.map((u, j) => {
          const [, snap, tail] = stepReplies[j] as [number, string, string[]];
          return this.fold(u.entity, snap, tail);
        });
        out[i] = onStates(i, states);
      }
      step.updates.forEach((u, j) => {
        if ((stepReplies[j] as [number])[0] >= this.compactAt) longTails.set(`${u.entity}\u0000${u.key}`, u);
      });
    });
    await guard(Promise.all([...longTails.values()].map((u) => this.compact(u.entity, u.key))));
    return out;
  }

  /**
   * Ingestion without reads: many entities' appends per script call. Appends to one entity keep their order (they
   * stay in one group, in step order); across entities order does not matter.
   */
  private async appendOnly(steps: readonly StoreStep[]): Promise<void> {
    const groups = new Map<number, { keys: string[]; args: string[]; updates: EntityUpdate[] }>();
    const calls: Promise<unknown>[] = [];
    for (const step of steps) {
      if (step.ref) calls.push(this.redis.set(this.refKey(step.ref.eventId), JSON.stringify(step.ref.ref), { PX: this.refTtlMs }));
      for (const u of step.updates) {
        const [snap, tail] = this.keys(u.entity, u.key);
        const slot = this.cluster ? calculateSlot(snap) : 0;
        let group = groups.get(slot);
        if (!group) groups.set(slot, (group = { keys: [], args: [], updates: [] }));
        group.keys.push(snap, tail);
        group.args.push(String(kindOf(u.entity).ttlMs), JSON.stringify(u.record));
        group.updates.push(u);
      }
    }
    const longTails = new Map<string, EntityUpdate>();
    for (const group of groups.values()) {
      for (let start = 0; start < group.updates.length; start += APPEND_MANY_CHUNK) {
        const end = Math.min(group.updates.length, start + APPEND_MANY_CHUNK);
        calls.push(
          this.redis.vigilAppendMany(group.keys.slice(2 * start, 2 * end), group.args.slice(2 * start, 2 * end)).then((lengths) => {
            lengths.forEach((n, i) => {
              const u = group.updates[start + i] as EntityUpdate;
              if (n >= this.compactAt) longTails.set(`${u.entity}\u0000${u.key}`, u);
            });
          }),
        );
      }
    }
    await guard(Promise.all(calls));
    await guard(Promise.all([...longTails.values()].map((u) => this.compact(u.entity, u.key))));
  }

  private fold<N extends EntityName>(entity: N, snap: string, tail: readonly string[]): EntityStates[N] {
    const kind = kindOf(entity);
    const state = snap ? kind.decode(snap) : kind.init();
    for (const record of tail) kind.apply(state, JSON.parse(record));
    return state;
  }

  /** Folds the tail into the snapshot. Losing a race to another compaction is fine: the winner did the same work. */
  private async compact(entity: EntityName, key: string): Promise<void> {
    const [snapKey, tailKey] = this.keys(entity, key);
    const [snap, tail] = await this.redis.vigilRead(snapKey, tailKey);
    const kind = kindOf(entity);
    const state = this.fold(entity, snap, tail);
    await this.redis.vigilCompact(snapKey, tailKey, snap, (kind.encode as (s: unknown) => string)(state), tail.length, kind.ttlMs);
  }

  async getEventRefs(eventIds: readonly string[]): Promise<(EventRef | undefined)[]> {
    const values = await guard(Promise.all(eventIds.map((id) => this.redis.get(this.refKey(id)))));
    return values.map((v) => (v === null ? undefined : (JSON.parse(v) as EventRef)));
  }

  async readState<N extends EntityName>(entity: N, key: string): Promise<EntityStates[N] | undefined> {
    const [snapKey, tailKey] = this.keys(entity, key);
    const [snap, tail] = await guard(this.redis.vigilRead(snapKey, tailKey));
    return snap === '' && tail.length === 0 ? undefined : this.fold(entity, snap, tail);
  }

  async close(): Promise<void> {
    await this.redis.close();
  }
}

const guard = <T>(p: Promise<T>): Promise<T> => guardRedis(p, 'feature_store_unavailable');
