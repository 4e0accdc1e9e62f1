import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { toChecksumAddress } from '../../data/addresses';
import { parseEvent } from '../../data/schemas';
import { DenyLists, type DenyListContent } from '../../features/deny-lists';
import { parseListFile } from '../../features/deny-lists/parse-list';
import { FeaturePipeline, type PipelineItem } from '../../features/pipeline';
import { replay } from '../../features/replay';
import { MemoryFeatureStore } from '../../features/store/memory-feature-store';
import { HOUR } from '../../features/transforms/time';
import { collectRows, featureOf, type RowBytes } from './compare';
import { denyListsOf, generatedDataset, type GeneratedDataset } from './generated-dataset';

/**
 * The generator's fraud scenarios (truth.jsonl) must move the features meant to catch them. Each expectation is
 * stated against the benign events of the same data set, not as a fixed number, so it survives a retuned generator.
 */

const OFAC_ETH = resolve(__dirname, '../../../shared/data/addresses/ofac/ETH.txt');

let data: GeneratedDataset;
let rows: RowBytes[];
let success: Map<string, boolean>;

beforeAll(async () => {
  data = await generatedDataset({ users: 1000, days: 14, seed: 20260303, fraudScale: 10 });
  rows = await collectRows(replay(data.items, { denyLists: denyListsOf(data.scamLists) }));
  success = new Map(data.items.flatMap((i) => (i.kind === 'event' && i.event.type === 'login' ? [[i.event.eventId, i.event.success]] : [])));
});
afterAll(() => data?.cleanup());

const scenarioOf = (r: RowBytes) => data.truth.get(r.eventId) ?? 'benign';
/** Rows of a scenario ('benign' = not in truth.jsonl) and type; logins optionally by outcome. */
function rowsOf(scenario: string, type: 'login' | 'withdrawal', succeeded?: boolean): RowBytes[] {
  const out = rows.filter((r) => r.type === type && scenarioOf(r) === scenario && (succeeded === undefined || success.get(r.eventId) === succeeded));
  if (out.length < 5) throw new Error(`only ${out.length} ${scenario} ${type} rows: too few to judge`);
  return out;
}
const values = (rs: RowBytes[], name: string) => rs.map((r) => featureOf(r, name)).filter((v) => !Number.isNaN(v));
const share = (rs: RowBytes[], name: string, test: (v: number) => boolean) => values(rs, name).filter(test).length / values(rs, name).length;
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

describe('account takeover', () => {
  it('logs in from a device and a country the user never used far more often than benign logins', () => {
    const takeover = rowsOf('account_takeover', 'login', true);
    const benign = rowsOf('benign', 'login', true);
    for (const name of ['device_known', 'country_known']) {
      const unknown = (rs: RowBytes[]) => share(rs, name, (v) => v === 0);
      expect(unknown(takeover)).toBeGreaterThan(3 * unknown(benign));
      expect(unknown(takeover)).toBeGreaterThan(0.5);
    }
  });
});

describe('impossible travel', () => {
  it('gives logins implying travel above 1000 km/h, where the benign median is walking pace', () => {
    const travel = values(rowsOf('impossible_travel', 'login'), 'geo_speed_kmh');
    const benignMedian = median(values(rowsOf('benign', 'login', true), 'geo_speed_kmh'));
    expect(travel.length).toBeGreaterThan(5);
    expect(Math.min(...travel)).toBeGreaterThan(1000);
    expect(Math.min(...travel)).toBeGreaterThan(100 * benignMedian);
  });
});

describe('credential stuffing', () => {
  it('shows many failed logins from the same IP within the hour', () => {
    const stuffing = values(rowsOf('credential_stuffing', 'login', false), 'ip_failed_logins_1h');
    const benign = values(rowsOf('benign', 'login'), 'ip_failed_logins_1h');
    expect(median(stuffing)).toBeGreaterThanOrEqual(5 * (median(benign) + 1));
    expect(mean(stuffing)).toBeGreaterThan(10 * mean(benign));
  });

  it('shows the device of a bot that keeps its id used by other users that day, which benign devices seldom are', () => {
    const shared = (rs: RowBytes[]) => share(rs, 'device_other_users_1d', (v) => v >= 2);
    const stuffing = rowsOf('credential_stuffing', 'login', false);
    const benign = rowsOf('benign', 'login');
    expect(shared(stuffing)).toBeGreaterThan(0.1);
    expect(shared(stuffing)).toBeGreaterThan(20 * shared(benign));
  });
});

describe('mule addresses', () => {
  it('collect from many users: addr_distinct_users_7d well above that of benign withdrawals', () => {
    const mule = values(rowsOf('mule_address', 'withdrawal'), 'addr_distinct_users_7d');
    const benign = values(rowsOf('benign', 'withdrawal'), 'addr_distinct_users_7d');
    expect(median(mule)).toBeGreaterThanOrEqual(median(benign) + 1);
    expect(mean(mule)).toBeGreaterThan(3 * mean(benign));
  });
});

describe('phishing drains', () => {
  it('send to listed scam addresses: addr_deny_listed = 1 with the lists loaded, never for benign withdrawals', async () => {
    const phishing = rowsOf('phishing_drain', 'withdrawal');
    expect(phishing.every((r) => featureOf(r, 'addr_deny_listed') === 1)).toBe(true);
    expect(rowsOf('benign', 'withdrawal').every((r) => featureOf(r, 'addr_deny_listed') === 0)).toBe(true);
    // Without the lists the same withdrawals are not flagged: the lists are what catches them.
    const unlisted = await collectRows(replay(data.items));
    const ids = new Set(phishing.map((r) => r.eventId));
    expect(unlisted.filter((r) => ids.has(r.eventId)).every((r) => featureOf(r, 'addr_deny_listed') === 0)).toBe(true);
  });
});

describe('sanctioned addresses', () => {
  it('flag a withdrawal to an address of the OFAC Ethereum list, in its checksummed form too', async () => {
    const listed = readFileSync(OFAC_ETH, 'utf8').split('\n').map((l) => l.trim()).find((l) => /^0x[0-9a-f]{40}$/.test(l)) as string;
    const ofac: DenyListContent = { name: 'ofac', chain: 'ethereum', addresses: (await parseListFile('ethereum', OFAC_ETH)).addresses };
    expect(ofac.addresses).toContain(listed);
    const lists = new DenyLists([...data.scamLists, ofac]);
    const last = data.items[data.items.length - 1] as PipelineItem;
    const user = rows[rows.length - 1]?.userId as string;
    const tsMs = last.tsMs + HOUR;
    const withdrawal = (eventId: string, address: string): PipelineItem => ({
      kind: 'event',
      tsMs,
      event: parseEvent({ type: 'withdrawal', eventId, userId: user, ts: new Date(tsMs).toISOString(), asset: 'USDT', chain: 'ethereum', amount: 900, amountUsd: 900, address }),
    });

    const extra = [withdrawal('to-ofac', listed), withdrawal('to-ofac-checksummed', toChecksumAddress(listed))];
    const flagged = await collectRows(replay([...data.items, ...extra], { denyLists: lists.lookupFn }));
    expect(flagged.slice(-2).map((r) => [r.eventId, featureOf(r, 'addr_deny_listed')])).toEqual([
      ['to-ofac', 1],
      ['to-ofac-checksummed', 1],
    ]);
    const [result] = await new FeaturePipeline({ store: new MemoryFeatureStore(), denyLists: lists.lookupFn }).process([extra[1] as PipelineItem]);
    expect(result).toMatchObject({ kind: 'features', denyList: 'ofac' });
    const [scamOnly] = await new FeaturePipeline({ store: new MemoryFeatureStore(), denyLists: denyListsOf(data.scamLists) }).process([extra[0] as PipelineItem]);
    expect(scamOnly).toMatchObject({ kind: 'features', denyList: undefined });
  });
});
