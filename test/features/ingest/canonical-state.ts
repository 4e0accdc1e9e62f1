import { chainOf, normalizeAddress } from '../../../data/addresses';
import type { PipelineItem } from '../../../features/pipeline';
import type { Pseudonymizer } from '../../../features/pseudonymizer';
import type { EntityName } from '../../../features/state/entity-kinds';
import type { FeatureStore } from '../../../features/store/feature-store';

/**
 * Every entity a timeline touches: its users, the (pseudonymised) IPs of its logins, its withdrawal addresses and the
 * (pseudonymised) devices of its logins and withdrawals.
 */
export function entitiesOf(items: readonly PipelineItem[], pseudonymize: Pseudonymizer): [EntityName, string][] {
  const users = new Set<string>();
  const ips = new Set<string>();
  const addresses = new Set<string>();
  const devices = new Set<string>();
  for (const item of items) {
    if (item.kind !== 'event') continue;
    const e = item.event;
    users.add(e.userId);
    if (e.type === 'login') ips.add(pseudonymize(e.ip));
    if (e.type === 'withdrawal') addresses.add(normalizeAddress(chainOf(e.chain, e.asset), e.address));
    if ((e.type === 'login' || e.type === 'withdrawal') && e.deviceId !== undefined) devices.add(pseudonymize(e.deviceId));
  }
  return [
    ...[...users].map((k): [EntityName, string] => ['user', k]),
    ...[...ips].map((k): [EntityName, string] => ['ip', k]),
    ...[...addresses].map((k): [EntityName, string] => ['address', k]),
    ...[...devices].map((k): [EntityName, string] => ['device', k]),
  ];
}

/**
 * A state as comparable text: maps become key-sorted entry lists and object keys are sorted, so two states are equal
 * exactly when their contents are, whatever order their maps were filled in. NaN and infinities are spelled out, and
 * a property set to undefined counts as absent.
 */
export function canonical(value: unknown): string {
  return JSON.stringify(normalise(value));
}

function normalise(value: unknown): unknown {
  if (value instanceof Map) {
    return [...value.entries()].sort(([a], [b]) => (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0)).map(([k, v]) => [k, normalise(v)]);
  }
  if (Array.isArray(value)) return value.map(normalise);
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (value === undefined) return '(undefined)';
  if (typeof value === 'object' && value !== null) {
    // An absent property and one set to undefined are the same state (JSON, and so the Redis snapshot, drops the latter).
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, normalise(v)]));
  }
  return value;
}

/** The canonical state of each entity, keyed `<entity>:<key>` (`(undefined)` for an entity without state). */
export async function canonicalStates(store: FeatureStore, entities: readonly [EntityName, string][]): Promise<Map<string, string>> {
  const states = await Promise.all(entities.map(([entity, key]) => store.readState(entity, key)));
  return new Map(entities.map(([entity, key], i) => [`${entity}:${key}`, canonical(states[i])]));
}
