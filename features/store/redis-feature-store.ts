import { commandsWritten, guardRedis } from '../../core/redis';
import type { EventRef } from '../records';
import type { EntityKind } from '../state/entity-kind';
import { ENTITY_KINDS, kindOf, type EntityName, type EntityStates } from '../state/entity-kinds';
import { DAY } from '../transforms/time';
import calculateSlot = require('cluster-key-slot');
import type { EntityUpdate, FeatureStore, StepStates, StoreStep } from './feature-store';
import { APPEND, APPEND_MANY, appendCall, SET_MANY, setManyCall, type FeatureStoreCommands } from './redis-scripts';

export interface RedisFeatureStoreOptions {
  /** Prefix of every key. @defaultValue `vigil:` */
  keyPrefix?: string;
  /** A tail this long is folded into the snapshot: shorter tails make reads cheaper, longer ones make compactions rarer. @defaultValue 16 */
  compactAt?: number;
  /**
   * The same for bulk ingestion (steps without reads), where a compaction must read the entity back first: a longer
   * tail spreads that read, decode and encode over more records, and the first scoring read folds it and compacts
   * it from the state it has at hand. @defaultValue 4 × compactAt
   */
  bulkCompactAt?: number;
  /** How long an event stays reachable by labels, ms. @defaultValue 180 days */
  eventRefTtlMs?: number;
  /**
   * Whether the server is a cluster: bulk appends are then grouped per hash slot (a script's keys must share one),
   * else sent in large groups. @defaultValue false
   */
  cluster?: boolean;
  /** Told about a background compaction that failed (it only leaves a longer tail). @defaultValue ignore */
  onCompactionError?: (err: Error) => void;
}

/** Records per bulk append call: large enough to amortise the round trip, small enough not to stall Redis. */
const APPEND_MANY_CHUNK = 256;

/** One entity's records in a bulk append call. */
interface AppendPiece {
  entity: EntityName;
  key: string;
  snap: string;
  tail: string;
  records: string[];
}

/** Each entity kind's TTL as a script argument. */
const TTL_ARGUMENT = Object.fromEntries(Object.entries(ENTITY_KINDS).map(([name, kind]) => [name, String(kind.ttlMs)])) as Record<EntityName, string>;
/** Event references per MGET or bulk write. */
const REF_CHUNK = 1000;

/**
 * Entity state in Redis as an event-sourced log: a snapshot (the encoded state) plus a tail of records appended
 * since. Scoring an event is one script call per entity: return the snapshot and tail, append the event's record
 * (see redis-scripts.ts). The state before the event is the snapshot with the tail folded in by the same `apply` the
 * memory store uses, so both backends agree by construction. Long tails are compacted into the snapshot in the
 * background (a compare-and-set script, so a compaction racing appends or another compaction is safe).
 *
 * Keys (documented in docs/redis-keys.md): `<prefix>{<kind>:<key>}:s` snapshot, `<prefix>{<kind>:<key>}:t` tail,
 * `<prefix>ev:<eventId>` label reference.
 */
export class RedisFeatureStore implements FeatureStore {
  private readonly prefix: string;
  private readonly compactAt: number;
  private readonly bulkCompactAt: number;
  private readonly refTtlMs: number;
  private readonly cluster: boolean;
  private readonly onCompactionError: (err: Error) => void;
  /** Compactions under way, by snapshot key: at most one per entity. */
  private readonly compactions = new Map<string, Promise<void>>();

  constructor(
    private readonly redis: FeatureStoreCommands,
    options: RedisFeatureStoreOptions = {},
  ) {
    this.prefix = options.keyPrefix ?? 'vigil:';
    this.compactAt = options.compactAt ?? 16;
    this.bulkCompactAt = options.bulkCompactAt ?? 4 * this.compactAt;
    this.refTtlMs = options.eventRefTtlMs ?? 180 * DAY;
    this.cluster = options.cluster ?? false;
    this.onCompactionError = options.onCompactionError ?? (() => {});
  }

  /**
   * What an entity's keys start with. The hash tag keeps both keys of an entity in one cluster slot. A key holding "}"
   * only shortens the tag, to the same prefix for both keys, so they still share a slot.
   */
  private base(entity: EntityName, key: string): string {
    return `${this.prefix}{${kindOf(entity).name}:${key}}`;
  }

  private keys(entity: EntityName, key: string): [snap: string, tail: string] {
    const base = this.base(entity, key);
    return [`${base}:s`, `${base}:t`];
  }

  private refKey(eventId: string): string {
    return `${this.prefix}ev:${eventId}`;
  }

  async apply<T>(steps: readonly StoreStep[], onStates: (index: number, states: StepStates) => T, onKnownEvent?: (index: number) => void): Promise<(T | undefined)[]> {
    if (!steps.some((s) => s.read)) {
      await this.appendOnly(steps, onKnownEvent);
      return new Array<T | undefined>(steps.length);
    }
    const refsWritten = this.writeRefs(steps, onKnownEvent);
    // EVAL, so that the steps of one entity run in the order sent (see redis-scripts.ts).
    const replies = steps.map((step) =>
      step.updates.map((u) => {
        const [snap, tail] = this.keys(u.entity, u.key);
        const call = appendCall(snap, tail, JSON.stringify(u.record), kindOf(u.entity).ttlMs, step.read);
        return this.redis.eval(APPEND, call) as Promise<[number, string?, string[]?]>;
      }),
    );
    const [results] = await guard(Promise.all([Promise.all(replies.map((r) => Promise.all(r))), refsWritten]));
    const out = new Array<T | undefined>(steps.length);
    steps.forEach((step, i) => {
      const stepReplies = results[i] as [number, string?, string[]?][];
      if (!step.read) {
        step.updates.forEach((u, j) => {
          if ((stepReplies[j] as [number])[0] >= this.compactAt) this.compactLater(u.entity, u.key);
        });
        return;
      }
      const states = step.updates.map((u, j) => {
        const [, snap, tail] = stepReplies[j] as [number, string, string[]];
        return this.fold(u.entity, snap, tail);
      });
      out[i] = onStates(i, states);
      // The state after this step is at hand (the caller is done with it, as with the memory store): a long tail is
      // compacted from it without reading it again.
      step.updates.forEach((u, j) => {
        const [n, snap, tail] = stepReplies[j] as [number, string, string[]];
        if (n >= this.compactAt) this.compactFrom(u, states[j] as EntityStates[EntityName], snap, tail);
      });
    });
    return out;
  }

  /**
   * Ingestion without reads: many entities' appends per script call. Each entity's records of the batch go out
   * together, in step order, so that one RPUSH and one TTL refresh serve them all; across entities order does not
   * matter.
   */
  private async appendOnly(steps: readonly StoreStep[], onKnownEvent: ((index: number) => void) | undefined): Promise<void> {
    const pieces = this.appendPieces(steps);
    // Every call is awaited together at the end; one that fails while later chunks are still being encoded is
    // reported there, not as an unhandled rejection.
    const calls: Promise<unknown>[] = [];
    const send = (call: Promise<unknown>) => {
      call.catch(() => undefined);
      calls.push(call);
    };
    send(this.writeRefs(steps, onKnownEvent));
    // An entity's pieces are in one slot, so they go out in order in that slot's chunks, on one connection, and as
    // EVAL, so they run in that order (see redis-scripts.ts).
    const chunks = this.slotChunks(
      pieces.map((p) => p.snap),
      APPEND_MANY_CHUNK,
      pieces.map((p) => p.records.length),
    );
    for (let c = 0; c < chunks.length; c++) {
      const chunk = chunks[c] as number[];
      const keys: string[] = [];
      const args: string[] = [];
      for (const i of chunk) {
        const piece = pieces[i] as AppendPiece;
        keys.push(piece.snap, piece.tail);
        args.push(TTL_ARGUMENT[piece.entity], String(piece.records.length), ...piece.records);
      }
      send(
        this.redis.eval(APPEND_MANY, { keys, arguments: args }).then((lengths) => {
          (lengths as number[]).forEach((n, j) => {
            const piece = pieces[chunk[j] as number] as AppendPiece;
            if (n >= this.bulkCompactAt) this.compactLater(piece.entity, piece.key);
          });
        }),
      );
      // Each chunk goes out as soon as it is encoded, so that Redis runs it while the next one is encoded instead of
      // waiting for the whole batch.
      if (c + 1 < chunks.length) await commandsWritten();
    }
    await guard(Promise.all(calls));
  }

  /**
   * The steps' records grouped by entity, in step order, in pieces of at most {@link APPEND_MANY_CHUNK} records (a
   * flood on one entity spans several calls). Entities come in the order first met.
   */
  private appendPieces(steps: readonly StoreStep[]): AppendPiece[] {
    const open = new Map<string, AppendPiece>();
    const pieces: AppendPiece[] = [];
    for (const step of steps) {
      for (const u of step.updates) {
        const base = this.base(u.entity, u.key);
        let piece = open.get(base);
        if (!piece || piece.records.length === APPEND_MANY_CHUNK) {
          piece = { entity: u.entity, key: u.key, snap: `${base}:s`, tail: `${base}:t`, records: [] };
          open.set(base, piece);
          pieces.push(piece);
        }
        piece.records.push(JSON.stringify(u.record));
      }
    }
    return pieces;
  }

  /**
   * Writes the steps' event references: one call per cluster slot and {@link REF_CHUNK} references, as EVAL, so that
   * an event id met twice keeps the reference written last, as in the memory store. Tells `onKnownEvent` of the steps
   * whose reference was there already.
   */
  private writeRefs(steps: readonly StoreStep[], onKnownEvent: ((index: number) => void) | undefined): Promise<unknown> {
    const keys: string[] = [];
    const values: string[] = [];
    const stepOf: number[] = [];
    steps.forEach((step, i) => {
      if (!step.ref) return;
      keys.push(this.refKey(step.ref.eventId));
      values.push(JSON.stringify(step.ref.ref));
      stepOf.push(i);
    });
    return Promise.all(
      this.slotChunks(keys, REF_CHUNK).map(async (chunk) => {
        const call = setManyCall(
          chunk.map((i) => keys[i] as string),
          this.refTtlMs,
          chunk.map((i) => values[i] as string),
        );
        const known = (await this.redis.eval(SET_MANY, call)) as number[];
        if (onKnownEvent) for (const position of known) onKnownEvent(stepOf[chunk[position - 1] as number] as number);
      }),
    );
  }

  /**
   * Positions of `keys` split into groups that one multi-key command may take: keys weighing at most `size` in all
   * (each weighs 1 unless `weights` says otherwise, and none more than `size`), and on a cluster only keys of one hash
   * slot. Positions stay ascending within a slot, and a slot's chunks come in that order.
   */
  private slotChunks(keys: readonly string[], size: number, weights?: readonly number[]): number[][] {
    const groups = new Map<number, { positions: number[]; weight: number }>();
    const chunks: number[][] = [];
    for (let i = 0; i < keys.length; i++) {
      const slot = this.cluster ? calculateSlot(keys[i] as string) : 0;
      const weight = weights ? (weights[i] as number) : 1;
      let group = groups.get(slot);
      if (group && group.weight + weight > size) {
        chunks.push(group.positions);
        group = undefined;
      }
      if (!group) groups.set(slot, (group = { positions: [], weight: 0 }));
      group.positions.push(i);
      group.weight += weight;
    }
    for (const group of groups.values()) chunks.push(group.positions);
    return chunks;
  }

  private fold<N extends EntityName>(entity: N, snap: string, tail: readonly string[]): EntityStates[N] {
    const kind = kindOf(entity);
    const state = snap ? kind.decode(snap) : kind.init();
    for (const record of tail) kind.apply(state, JSON.parse(record));
    return state;
  }

  /**
   * Starts folding an entity's tail into its snapshot, unless a compaction of that entity is already under way.
   * Compactions run in the background: a step never waits for one, and one that fails (Redis gone, say) only
   * leaves a longer tail for the next step to fold and compact. {@link close} waits for those still running.
   */
  private compactLater(entity: EntityName, key: string, compaction?: () => Promise<unknown>): void {
    const [snapKey, tailKey] = this.keys(entity, key);
    if (this.compactions.has(snapKey)) return;
    const run = (compaction ?? (() => this.compact(entity, snapKey, tailKey)))()
      .then(
        () => undefined,
        (err: unknown) => this.onCompactionError(err instanceof Error ? err : new Error(String(err))),
      )
      .finally(() => this.compactions.delete(snapKey));
    this.compactions.set(snapKey, run);
  }

  /**
   * Compacts from a state a read step folded: `state` is the entity before the step's record, `snap` and `tail` what
   * it was folded from (the script read and appended atomically, so the tail and the record are the first records
   * now). The record is applied as the tail holds it (parsed back from JSON) so the snapshot is exactly the fold of
   * the tail.
   */
  private compactFrom(u: EntityUpdate, state: EntityStates[EntityName], snap: string, tail: readonly string[]): void {
    const kind = kindOf(u.entity) as EntityKind<EntityStates[EntityName], unknown>;
    // async, so that a throwing reducer or encoder ends up where compaction errors go rather than in the step.
    this.compactLater(u.entity, u.key, async () => {
      const record = JSON.stringify(u.record);
      kind.apply(state, JSON.parse(record));
      const [snapKey, tailKey] = this.keys(u.entity, u.key);
      await this.redis.vigilCompact(snapKey, tailKey, snap, kind.encode(state), [...tail, record], kind.ttlMs);
    });
  }

  /** Folds the tail into the snapshot. Losing a race to another compaction is fine: the winner did the same work. */
  private async compact(entity: EntityName, snapKey: string, tailKey: string): Promise<void> {
    const [snap, tail] = await this.redis.vigilRead(snapKey, tailKey);
    const kind = kindOf(entity);
    const state = this.fold(entity, snap, tail);
    await this.redis.vigilCompact(snapKey, tailKey, snap, (kind.encode as (s: unknown) => string)(state), tail, kind.ttlMs);
  }

  async getEventRefs(eventIds: readonly string[]): Promise<(EventRef | undefined)[]> {
    const keys = eventIds.map((id) => this.refKey(id));
    const refs = new Array<EventRef | undefined>(eventIds.length);
    await guard(
      Promise.all(
        this.slotChunks(keys, REF_CHUNK).map(async (chunk) => {
          const values = await this.redis.mGet(chunk.map((i) => keys[i] as string));
          chunk.forEach((i, j) => {
            const v = values[j];
            if (v !== null && v !== undefined) refs[i] = parseEventRef(v);
          });
        }),
      ),
    );
    return refs;
  }

  async readState<N extends EntityName>(entity: N, key: string): Promise<EntityStates[N] | undefined> {
    const [snapKey, tailKey] = this.keys(entity, key);
    const [snap, tail] = await guard(this.redis.vigilRead(snapKey, tailKey));
    return snap === '' && tail.length === 0 ? undefined : this.fold(entity, snap, tail);
  }

  async close(): Promise<void> {
    await Promise.all(this.compactions.values());
    await this.redis.close();
  }
}

const guard = <T>(p: Promise<T>): Promise<T> => guardRedis(p, 'feature_store_unavailable');

/**
 * An `ev:` value. References written before they held the event time have none: they are taken as timed before any
 * label (−∞), so their labels apply as they did then; the event was met before the label, or it would not be stored.
 */
function parseEventRef(text: string): EventRef {
  const ref = JSON.parse(text) as Omit<EventRef, 'ts'> & { ts?: number };
  return { ...ref, ts: ref.ts ?? -Infinity };
}
