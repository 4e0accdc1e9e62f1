import type { Label, VigilEvent } from '../../data/schemas';
import { featureNames } from '../../features/definitions';
import { FeaturePipeline, type ItemResult, type PipelineItem } from '../../features/pipeline';
import { MemoryFeatureStore } from '../../features/store/memory-feature-store';
import { HOUR } from '../../features/transforms/time';

/** Labels reach the device an event came from: the next account that device works on shows it. */

const T0 = Date.UTC(2026, 2, 1);
const at = (tsMs: number) => new Date(tsMs).toISOString();
const loginItem = (eventId: string, userId: string, deviceId: string, tsMs: number): PipelineItem => ({
  kind: 'event',
  event: { type: 'login', eventId, userId, ts: at(tsMs), ip: '198.51.100.7', deviceId, success: true } as VigilEvent,
  tsMs,
});
const withdrawalItem = (eventId: string, userId: string, deviceId: string, tsMs: number): PipelineItem => ({
  kind: 'event',
  event: { type: 'withdrawal', eventId, userId, ts: at(tsMs), asset: 'BTC', amount: 0.1, amountUsd: 6000, address: 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq', deviceId } as VigilEvent,
  tsMs,
});
const fraudLabel = (eventId: string, tsMs: number): PipelineItem => ({ kind: 'label', label: { eventId, label: 'fraud', ts: at(tsMs) } as Label, tsMs });

const deviceLabels = (result: ItemResult | undefined, type: 'login' | 'withdrawal') => {
  if (result?.kind !== 'features') throw new Error(`expected features, got ${result?.kind}`);
  return result.features[featureNames(type).indexOf('device_fraud_labels_30d')];
};

/** The attacker's device works through three accounts; the first takeover is labelled after the second login. */
const timeline: PipelineItem[] = [
  loginItem('l1', 'victim-1', 'attacker-device', T0),
  withdrawalItem('w1', 'victim-1', 'attacker-device', T0 + HOUR),
  loginItem('l2', 'victim-2', 'attacker-device', T0 + 2 * HOUR),
  fraudLabel('l1', T0 + 3 * HOUR),
  fraudLabel('w1', T0 + 3 * HOUR + 1),
  loginItem('l3', 'victim-3', 'attacker-device', T0 + 4 * HOUR),
  loginItem('l4', 'someone', 'own-phone', T0 + 4 * HOUR),
  withdrawalItem('w3', 'victim-3', 'attacker-device', T0 + 5 * HOUR),
];

describe('labels reach the device an event came from', () => {
  it.each([
    ['the labels in the batch of their events', [timeline]],
    ['each item in a batch of its own (labels find their event in the store)', timeline.map((i) => [i])],
  ])('with %s', async (_how, batches) => {
    const pipeline = new FeaturePipeline({ store: new MemoryFeatureStore() });
    const results: ItemResult[] = [];
    for (const batch of batches) results.push(...(await pipeline.process(batch)));
    expect(deviceLabels(results[0], 'login')).toBe(0);
    expect(deviceLabels(results[2], 'login')).toBe(0); // the takeover of victim-1 is not known yet
    expect(results[3]).toEqual({ kind: 'label_applied' });
    expect(deviceLabels(results[5], 'login')).toBe(2); // the login and the withdrawal of victim-1
    expect(deviceLabels(results[6], 'login')).toBe(0); // another device
    expect(deviceLabels(results[7], 'withdrawal')).toBe(2);
  });
});
