import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTrainingData, labelsKnownBefore } from '../../training/training-set';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-training-set-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const jsonl = (name: string, records: object[]): string => {
  const path = join(dir, name);
  writeFileSync(path, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  return path;
};

const login = (eventId: string, userId: string, ts: string) => ({ type: 'login', eventId, userId, ts, ip: '192.0.2.1', deviceId: 'dv-1', success: true });

describe('labelsKnownBefore', () => {
  // Training may use the labels known when the test period starts.
  const cutoff = Date.parse('2026-01-10T00:00:00Z');
  const events = [
    login('e1', 'u1', '2026-01-01T10:00:00Z'),
    login('e2', 'u1', '2026-01-02T10:00:00Z'),
    login('e3', 'u2', '2026-01-03T10:00:00Z'),
    login('e4', 'u2', '2026-01-04T10:00:00Z'),
  ];
  const labels = [
    { eventId: 'e1', label: 'fraud', ts: '2026-01-05T00:00:00Z' },
    { eventId: 'e2', label: 'legit', ts: '2026-01-05T00:00:00Z' },
    // Known only after the cutoff.
    { eventId: 'e3', label: 'fraud', ts: '2026-01-12T00:00:00Z' },
    // Called fraud, then corrected before the cutoff.
    { eventId: 'e4', label: 'fraud', ts: '2026-01-06T00:00:00Z' },
    { eventId: 'e4', label: 'legit', ts: '2026-01-08T00:00:00Z' },
  ];

  async function knownFraud(labelRecords: object[], name: string) {
    const data = await buildTrainingData({ events: jsonl('events.jsonl', events), labels: jsonl(name, labelRecords) });
    const table = data.tables.login;
    return { eventIds: table.eventIds, final: Array.from(table.label), known: Array.from(labelsKnownBefore(table, cutoff)) };
  }

  it('counts a label from the time it became known, the latest known before the cutoff winning', async () => {
    expect(await knownFraud(labels, 'labels.jsonl')).toEqual({ eventIds: ['e1', 'e2', 'e3', 'e4'], final: [1, 0, 1, 0], known: [1, 0, 0, 0] });
  });

  it('keeps a fraud known before the cutoff when it is confirmed again later (a chargeback)', async () => {
    const confirmed = [...labels, { eventId: 'e1', label: 'fraud', ts: '2026-01-20T00:00:00Z', source: 'chargeback' }];
    expect(await knownFraud(confirmed, 'labels-chargeback.jsonl')).toEqual(await knownFraud(labels, 'labels.jsonl'));
  });

  it('keeps what was known at the cutoff when a label is changed after it', async () => {
    const changed = [...labels, { eventId: 'e1', label: 'legit', ts: '2026-01-20T00:00:00Z' }, { eventId: 'e2', label: 'fraud', ts: '2026-01-20T00:00:00Z' }];
    expect(await knownFraud(changed, 'labels-changed.jsonl')).toEqual({ eventIds: ['e1', 'e2', 'e3', 'e4'], final: [0, 1, 1, 0], known: [1, 0, 0, 0] });
  });
});
