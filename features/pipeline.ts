import { isIPv6 } from 'node:net';
import { chainOf, normalizeAddress } from '../data/addresses';
import type { Label, VigilEvent } from '../data/schemas';
import { computeFeatures, featureCount, newFeatureCache, type FeatureInput } from './definitions';
import { clearLocations, openLocated, type LocationCipher } from './location-cipher';
import { identityPseudonymizer, type Pseudonymizer } from './pseudonymizer';
import type { EventRef } from './records';
import type { AddressState } from './state/address-state';
import type { DeviceState } from './state/device-state';
import type { IpState } from './state/ip-state';
import type { UserState } from './state/user-state';
import type { EntityUpdate, FeatureStore, StepStates, StoreStep } from './store/feature-store';
import { localHour } from './transforms/geo';
import { networkOf } from './transforms/network';

/** An event or a label, in the order they happened (replay) or arrived (online). */
export type PipelineItem = { kind: 'event'; event: VigilEvent; tsMs: number } | { kind: 'label'; label: Label; tsMs: number };

/** Answers which deny list, if any, holds a destination address (see deny-lists.ts). */
export type DenyListLookup = (chain: string | undefined, address: string) => string | undefined;

export interface FeaturePipelineOptions {
  store: FeatureStore;
  /** @defaultValue no deny lists */
  denyLists?: DenyListLookup;
  /** @defaultValue identity (offline replay); the Redis store gets a keyed hash */
  pseudonymize?: Pseudonymizer;
  /** @defaultValue locations in clear (offline replay); the Redis store gets them sealed */
  locations?: LocationCipher;
}

/** What processing gave for one item. */
export type ItemResult =
  /** A login or withdrawal: its feature vector from the state before it, the deny list and normalised destination. */
  | { kind: 'features'; features: Float64Array; denyList: string | undefined; address: string | undefined }
  /**
   * An event id met before: nothing changed. With features, as the user's state says; without, as the store's event
   * references say (also within one call).
   */
  | { kind: 'duplicate' }
  /** An account change, or an event processed without features. */
  | { kind: 'applied' }
  /**
   * A label for an event Vigil has not seen before the label (or no longer remembers), or one timed after the label:
   * nothing changed.
   */
  | { kind: 'unknown_event' }
  | { kind: 'label_applied' };

/** Items made ready for the store by {@link FeaturePipeline.prepare}. */
export interface PreparedItems {
  readonly items: readonly PipelineItem[];
  /** Per item: the prepared event, or undefined for a label. */
  readonly events: readonly (Prepared | undefined)[];
}

interface Prepared {
  step: StoreStep;
  /** The feature input, completed with the entity states when the store hands them over. */
  input: FeatureInput | undefined;
  eventId: string | undefined;
}

/** Entity states are filled in by {@link FeaturePipeline.featuresOf}, just before features are computed. */
const NO_STATE = undefined as unknown as UserState;

/**
 * The one path from events to feature state and vectors, shared by offline replay, bulk ingestion, the queue worker
 * and online scoring. It turns each item into entity records (the user; across users, the IP, the device and the
 * destination address), lets the store apply them atomically per entity, and computes each event's features from the
 * states just before it.
 */
export class FeaturePipeline {
  private readonly store: FeatureStore;
  private readonly denyLists: DenyListLookup;
  private readonly pseudonymize: Pseudonymizer;
  private readonly locations: LocationCipher;

  constructor(options: FeaturePipelineOptions) {
    this.store = options.store;
    this.denyLists = options.denyLists ?? (() => undefined);
    this.pseudonymize = options.pseudonymize ?? identityPseudonymizer;
    this.locations = options.locations ?? clearLocations;
  }

  /**
   * Applies items in order. With `features` false (plain ingestion) no state is read back, which is what makes bulk
   * ingestion fast. A failure to prepare an item rejects, as a store failure does.
   */
  async process(items: readonly PipelineItem[], options: { features: boolean } = { features: true }): Promise<ItemResult[]> {
    return this.processPrepared(this.prepare(items, options));
  }

  /**
   * The first, CPU-only half of {@link process}: pseudonyms, entity records and feature inputs, without touching the
   * store. Bulk ingestion prepares a batch while the store applies the one before.
   */
  prepare(items: readonly PipelineItem[], options: { features: boolean } = { features: true }): PreparedItems {
    const events = new Array<Prepared | undefined>(items.length);
    for (let i = 0; i < items.length; i++) {
      const item = items[i] as PipelineItem;
      if (item.kind === 'event') events[i] = this.prepareEvent(item.event, item.tsMs, options.features);
    }
    return { items, events };
  }

  /**
   * The second half of {@link process}, for items from {@link prepare}: looks up the labels' events, then lets the
   * store apply every step and computes features from the states it hands over.
   */
  async processPrepared({ items, events }: PreparedItems): Promise<ItemResult[]> {
    const results = new Array<ItemResult>(items.length);
    const labelRefs = await this.resolveLabelRefs(items, events);
    const prepared: Prepared[] = [];
    const steps: StoreStep[] = [];
    const index: number[] = [];
    for (let i = 0; i < items.length; i++) {
      const item = items[i] as PipelineItem;
      const p = events[i];
      if (p !== undefined) {
        prepared.push(p);
        steps.push(p.step);
        index.push(i);
        continue;
      }
      if (item.kind !== 'label') continue;
      const ref = labelRefs.get(i);
      if (!ref) {
        results[i] = UNKNOWN_EVENT;
        continue;
      }
      const record = { k: 'label' as const, id: item.label.eventId, ts: item.tsMs, fraud: item.label.label === 'fraud' };
      const updates: StoreStep['updates'] = [{ entity: 'user', key: ref.userId, record }];
      if (ref.address !== undefined) updates.push({ entity: 'address', key: ref.address, record });
      if (ref.device !== undefined) updates.push({ entity: 'device', key: ref.device, record });
      const step: StoreStep = { updates, read: false };
      prepared.push({ step, input: undefined, eventId: undefined });
      steps.push(step);
      index.push(i);
    }
    const vectors = new VectorSlab(prepared.length);
    // Events met before, as their stored references tell: what steps without features learn of duplicates (those with
    // features learn it from the user's state). Made only when there is one: scoring seldom meets any.
    let known: Set<number> | undefined;
    const computed = await this.store.apply(
      steps,
      (j, states) => this.featuresOf(prepared[j] as Prepared, states, vectors),
      (j) => (known ??= new Set()).add(j),
    );
    for (let j = 0; j < index.length; j++) {
      const i = index[j] as number;
      results[i] = computed[j] ?? ((items[i] as PipelineItem).kind === 'label' ? LABEL_APPLIED : known?.has(j) ? DUPLICATE : APPLIED);
    }
    return results;
  }

  /**
   * What each label applies to, by its position in `items`: the labelled event's reference as the store would hold it
   * had the items before the label been applied one by one (the event's last occurrence earlier in this batch, not yet
   * in the store, or else the store's), provided the event is not timed after the label. The offline replay orders
   * items by time, so it applies no other label; and since the rule looks only backwards, how items are cut into
   * batches, and ingesting them again, change nothing.
   */
  private async resolveLabelRefs(items: readonly PipelineItem[], events: PreparedItems['events']): Promise<Map<number, EventRef>> {
    const targets = new Map<number, EventRef>();
    // Scoring and most ingestion batches hold no label: nothing to resolve, no work per event. Others hold a few
    // labels among thousands of events: only the events they label get a reference.
    const labelled = new Set<string>();
    for (const item of items) if (item.kind === 'label') labelled.add(item.label.eventId);
    if (labelled.size === 0) return targets;
    const earlier = new Map<string, EventRef>();
    /** Labels whose event is not earlier in the batch, by position: their event id. */
    const missing = new Map<number, string>();
    items.forEach((item, i) => {
      if (item.kind === 'event') {
        const ref = events[i]?.step.ref;
        if (ref && labelled.has(ref.eventId)) earlier.set(ref.eventId, ref.ref);
        return;
      }
      const ref = earlier.get(item.label.eventId);
      if (ref === undefined) missing.set(i, item.label.eventId);
      else if (ref.ts <= item.tsMs) targets.set(i, ref);
    });
    if (missing.size) {
      const ids = [...new Set(missing.values())];
      const found = await this.store.getEventRefs(ids);
      const stored = new Map(ids.map((id, j) => [id, found[j]]));
      missing.forEach((id, i) => {
        const ref = stored.get(id);
        if (ref !== undefined && ref.ts <= (items[i] as PipelineItem).tsMs) targets.set(i, ref);
      });
    }
    return targets;
  }

  private prepareEvent(e: VigilEvent, ts: number, features: boolean): Prepared {
    const ref: { eventId: string; ref: EventRef } = { eventId: e.eventId, ref: { userId: e.userId, ts } };
    switch (e.type) {
      case 'login': {
        const ipv6 = isIPv6(e.ip);
        const ip = this.pseudonymize(e.ip);
        const dev = this.pseudonymize(e.deviceId);
        const net = this.pseudonymize(networkOf(e.ip, ipv6));
        ref.ref.device = dev;
        const step: StoreStep = {
          read: features,
          ref,
          updates: [
            {
              entity: 'user',
              key: e.userId,
              record: {
                k: 'login', id: e.eventId, ts, ok: e.success, dev, ip, net, ctry: e.country, hour: localHour(ts, e.lon),
                loc: e.lat !== undefined && e.lon !== undefined ? this.locations.seal(e.lat, e.lon) : undefined,
              },
            },
            { entity: 'ip', key: ip, record: { k: 'login', id: e.eventId, ts, user: e.userId, ok: e.success } },
            deviceUse(dev, e.eventId, ts, e.userId),
          ],
        };
        return {
          step,
          eventId: e.eventId,
          // Ingestion without features spares building what only features read.
          input: features
            ? {
                type: 'login', now: ts, userId: e.userId, dev, ip, net, ipv6, country: e.country, lat: e.lat, lon: e.lon,
                success: e.success, mfa: e.mfa, usd: undefined, address: undefined, denyList: undefined,
                user: NO_STATE, lastLocated: undefined, ipState: undefined, addressState: undefined, deviceState: undefined, cache: newFeatureCache(),
              }
            : undefined,
        };
      }
      case 'withdrawal': {
        const chain = chainOf(e.chain, e.asset);
        const address = normalizeAddress(chain, e.address);
        ref.ref.address = address;
        const ipv6 = e.ip === undefined ? undefined : isIPv6(e.ip);
        const dev = e.deviceId === undefined ? undefined : this.pseudonymize(e.deviceId);
        const step: StoreStep = {
          read: features,
          ref,
          updates: [
            { entity: 'user', key: e.userId, record: { k: 'wd', id: e.eventId, ts, usd: e.amountUsd, addr: address, hour: localHour(ts, e.lon) } },
            { entity: 'address', key: address, record: { k: 'wd', id: e.eventId, ts, user: e.userId, usd: e.amountUsd } },
          ],
        };
        if (dev !== undefined) {
          ref.ref.device = dev;
          step.updates.push(deviceUse(dev, e.eventId, ts, e.userId));
        }
        if (!features) return { step, eventId: e.eventId, input: undefined };
        return {
          step,
          eventId: e.eventId,
          input: {
            type: 'withdrawal',
            now: ts,
            userId: e.userId,
            dev,
            ip: e.ip === undefined ? undefined : this.pseudonymize(e.ip),
            net: e.ip === undefined ? undefined : this.pseudonymize(networkOf(e.ip, ipv6)),
            ipv6,
            country: e.country,
            lat: e.lat,
            lon: e.lon,
            success: undefined,
            mfa: undefined,
            usd: e.amountUsd,
            address,
            denyList: this.denyLists(chain, address),
            user: NO_STATE,
            lastLocated: undefined,
            ipState: undefined,
            addressState: undefined,
            deviceState: undefined,
            cache: newFeatureCache(),
          },
        };
      }
      case 'account_change':
        return {
          step: { read: false, ref, updates: [{ entity: 'user', key: e.userId, record: { k: 'change', id: e.eventId, ts, change: e.change } }] },
          input: undefined,
          eventId: undefined,
        };
    }
  }

  private featuresOf(p: Prepared, states: StepStates, vectors: VectorSlab): ItemResult | undefined {
    const input = p.input;
    if (!input) return undefined;
    const user = states[0] as UserState;
    if (user.seen.has(p.eventId as string)) return DUPLICATE;
    input.user = user;
    // Opened only when a distance can be measured: a decryption per located event, none otherwise.
    if (user.lastLocated && input.lat !== undefined && input.lon !== undefined) input.lastLocated = openLocated(this.locations, user.lastLocated);
    if (input.type === 'login') input.ipState = states[1] as IpState;
    else input.addressState = states[1] as AddressState;
    // The device's update comes third, when the event names a device (see prepareEvent).
    if (input.dev !== undefined) input.deviceState = states[2] as DeviceState;
    const features = computeFeatures(input, vectors.next(featureCount(input.type)));
    return { kind: 'features', features, denyList: input.denyList, address: input.address };
  }
}

const deviceUse = (dev: string, id: string, ts: number, user: string): EntityUpdate => ({ entity: 'device', key: dev, record: { k: 'use', id, ts, user } });

// Results without data are shared (callers only read them).
const DUPLICATE: ItemResult = { kind: 'duplicate' };
const APPLIED: ItemResult = { kind: 'applied' };
const LABEL_APPLIED: ItemResult = { kind: 'label_applied' };
const UNKNOWN_EVENT: ItemResult = { kind: 'unknown_event' };

/**
 * Feature vectors of one batch as views of a few shared buffers: a small Float64Array of its own each would cost an
 * off-heap allocation per event, a view costs a small object.
 */
class VectorSlab {
  private static readonly MAX_SIZE = 16_384;
  private buffer = new Float64Array(0);
  private used = 0;

  /** `vectors`: how many vectors the batch may need at most (a single scored event gets a buffer of its size). */
  constructor(private readonly vectors: number) {}

  next(length: number): Float64Array {
    if (this.used + length > this.buffer.length) {
      this.buffer = new Float64Array(Math.max(length, Math.min(VectorSlab.MAX_SIZE, this.vectors * length)));
      this.used = 0;
    }
    const view = this.buffer.subarray(this.used, this.used + length);
    this.used += length;
    return view;
  }
}
