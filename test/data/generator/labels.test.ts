import { generateInTmp, ms, type Dataset, type EventRow } from './dataset';

const HOUR = 3_600_000;

describe('generated labels', () => {
  let data: Dataset;
  let byId: Map<string, EventRow>;
  /** Fraud events that should get a label: the attacker's successful logins and every fraudulent withdrawal. */
  let labelable: EventRow[];

  beforeAll(() => {
    data = generateInTmp({ users: 400, days: 20, seed: 31, fraudScale: 15 });
    byId = new Map(data.events.map((e) => [e.eventId, e]));
    labelable = data.events.filter(
      (e) =>
        data.truth.has(e.eventId) &&
        data.truth.get(e.eventId) !== 'credential_stuffing' &&
        (e.type === 'withdrawal' || (e.type === 'login' && e.success === true)),
    );
  });
  afterAll(() => data?.cleanup());

  it('labels existing events, each once, always after the event', () => {
    expect(data.labels.length).toBeGreaterThan(50);
    expect(new Set(data.labels.map((l) => l.eventId)).size).toBe(data.labels.length);
    for (const label of data.labels) {
      const event = byId.get(label.eventId);
      expect(event).toBeDefined();
      expect(ms(label)).toBeGreaterThan(ms(event as EventRow));
    }
  });

  it('writes labels in the order they became known', () => {
    const times = data.labels.map(ms);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('labels most fraud late, and leaves some never labelled', () => {
    const labelled = new Map(data.labels.map((l) => [l.eventId, l]));
    const got = labelable.filter((e) => labelled.has(e.eventId));
    const share = got.length / labelable.length;
    expect(share).toBeGreaterThan(0.7);
    expect(share).toBeLessThan(0.95);
    expect(data.summary.labels.unlabelledFraud).toBe(labelable.length - got.length);
    const delays = got.map((e) => (ms(labelled.get(e.eventId) as { ts: string }) - ms(e)) / HOUR).sort((a, b) => a - b);
    expect(delays[0]).toBeGreaterThan(0.9);
    // Heavy-tailed: hours for some, more than a week for others.
    expect(delays.filter((h) => h < 24).length).toBeGreaterThan(0);
    expect(delays.filter((h) => h > 7 * 24).length).toBeGreaterThan(0);
  });

  it('labels only the attacker logins and withdrawals among fraud events', () => {
    for (const label of data.labels) {
      const event = byId.get(label.eventId) as EventRow;
      const scenario = data.truth.get(label.eventId);
      expect(event.type).not.toBe('account_change');
      if (scenario) {
        expect(scenario).not.toBe('credential_stuffing');
        if (event.type === 'login') expect(event.success).toBe(true);
      } else {
        expect(event.type).toBe('withdrawal');
      }
    }
  });

  it('includes a few wrong labels, reviewed legit withdrawals, and several sources', () => {
    const fraudOnLegit = data.labels.filter((l) => l.label === 'fraud' && !data.truth.has(l.eventId));
    const legitOnFraud = data.labels.filter((l) => l.label === 'legit' && data.truth.has(l.eventId));
    const reviewedLegit = data.labels.filter((l) => l.label === 'legit' && !data.truth.has(l.eventId));
    expect(fraudOnLegit.length + legitOnFraud.length).toBe(data.summary.labels.wrong);
    expect(fraudOnLegit.length + legitOnFraud.length).toBeGreaterThan(0);
    expect(data.summary.labels.wrong).toBeLessThan(0.15 * data.labels.length);
    expect(reviewedLegit.length).toBeGreaterThan(10);
    expect(new Set(data.labels.map((l) => l.source))).toEqual(new Set(['user_report', 'analyst', 'chargeback']));
  });
});
