import { featureNames, type ScoredEventType } from '../../features/definitions';
import type { FeatureRow } from '../../features/replay';
import type { EntityKind } from '../../features/state/entity-kind';

/** Bytes of a vector: equal bytes mean equal values, NaN included, and no -0/0 confusion. */
export const bytesOf = (v: Float64Array): Buffer => Buffer.from(v.buffer, v.byteOffset, v.byteLength);

/**
 * The encoded state with its top-level keys sorted: JSON drops undefined fields, so a state that had a field set
 * later lists it in another place. Map entries keep their order (eviction depends on it).
 */
export function canonical<S>(kind: EntityKind<S, unknown>, state: S): string {
  const o = JSON.parse(kind.encode(state)) as Record<string, unknown>;
  return JSON.stringify(Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]])));
}

/** A replayed row reduced to what comparisons need: the event id, its type and time, and its vector's bytes. */
export interface RowBytes {
  eventId: string;
  userId: string;
  type: ScoredEventType;
  ts: number;
  features: Float64Array;
  hex: string;
}

export async function collectRows(rows: AsyncIterable<FeatureRow>): Promise<RowBytes[]> {
  const out: RowBytes[] = [];
  for await (const r of rows) {
    out.push({ eventId: r.event.eventId, userId: r.event.userId, type: r.event.type, ts: Date.parse(r.event.ts), features: r.features, hex: bytesOf(r.features).toString('hex') });
  }
  return out;
}

/** Value of a named feature in a row. */
export function featureOf(row: Pick<RowBytes, 'type' | 'features'>, name: string): number {
  const i = featureNames(row.type).indexOf(name);
  if (i < 0) throw new Error(`${name} is not a ${row.type} feature`);
  return row.features[i] as number;
}

/**
 * Describes the first difference between two row lists (`undefined` when identical byte for byte): which row, and
 * which features differ, so a failing comparison says where to look.
 */
export function firstDifference(expected: readonly RowBytes[], actual: readonly RowBytes[]): string | undefined {
  const n = Math.max(expected.length, actual.length);
  for (let i = 0; i < n; i++) {
    const e = expected[i];
    const a = actual[i];
    if (!e || !a) return `row ${i}: ${e ? 'missing' : 'extra'} (${(e ?? a)?.eventId}); ${expected.length} rows expected, ${actual.length} found`;
    if (e.eventId !== a.eventId) return `row ${i}: event ${a.eventId} where ${e.eventId} was expected`;
    if (e.hex !== a.hex) {
      const names = featureNames(e.type);
      const diffs = names.flatMap((name, j) =>
        Object.is(e.features[j], a.features[j]) ? [] : [`${name}: ${e.features[j]} expected, ${a.features[j]} found`],
      );
      return `row ${i} (${e.eventId}, ${e.type}): ${diffs.join('; ')}`;
    }
  }
  return undefined;
}
