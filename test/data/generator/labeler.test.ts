import { DAY, HOUR, type Incident, type EventMeta } from '../../../data/generator/events';
import { Labeler } from '../../../data/generator/labels';
import { Rng } from '../../../data/generator/prng';

const T0 = Date.parse('2026-01-10T00:00:00Z');

const NONE = { success: undefined, scenario: undefined, incident: undefined, unusual: undefined };

function withdrawal(ms: number, extra: Partial<EventMeta> = {}): EventMeta {
  return { ms, type: 'withdrawal', ...NONE, ...extra };
}

describe('Labeler', () => {
  it('labels reported fraud at report time, wrongly clears a few, and skips unreported incidents', () => {
    const labeler = new Labeler(new Rng(1, 4));
    const reported: Incident = { reported: true, reportMs: T0 + 2 * DAY, source: 'user_report' };
    const hidden: Incident = { reported: false, reportMs: T0 + DAY, source: 'analyst' };
    for (let i = 0; i < 2000; i++) labeler.observe(`f${i}`, withdrawal(T0, { scenario: 'sim_swap', incident: reported }));
    for (let i = 0; i < 100; i++) labeler.observe(`h${i}`, withdrawal(T0, { scenario: 'sim_swap', incident: hidden }));
    const fraud = labeler.records.filter((r) => r.label === 'fraud');
    const cleared = labeler.records.filter((r) => r.label === 'legit');
    expect(labeler.records.every((r) => r.eventId.startsWith('f'))).toBe(true);
    expect(fraud.every((r) => r.source === 'user_report' && r.ms >= reported.reportMs && r.ms <= reported.reportMs + HOUR)).toBe(true);
    // About 3% of reported fraud is wrongly cleared by an analyst.
    expect(cleared.length).toBeGreaterThan(2000 * 0.015);
    expect(cleared.length).toBeLessThan(2000 * 0.05);
    expect(cleared.every((r) => r.source === 'analyst')).toBe(true);
    expect(labeler.counts).toEqual({ fraud: fraud.length, legit: cleared.length, wrong: cleared.length, unlabelledFraud: 100 });
  });

  it('reviews unusual legit withdrawals more often, and some are disputed as fraud', () => {
    const labeler = new Labeler(new Rng(2, 4));
    const n = 20000;
    for (let i = 0; i < n; i++) labeler.observe(`o${i}`, withdrawal(T0));
    for (let i = 0; i < n; i++) labeler.observe(`u${i}`, withdrawal(T0, { unusual: true }));
    const of = (prefix: string, label: string) => labeler.records.filter((r) => r.eventId.startsWith(prefix) && r.label === label).length;
    expect(of('u', 'legit')).toBeGreaterThan(5 * of('o', 'legit'));
    expect(of('o', 'legit')).toBeGreaterThan(0);
    expect(of('u', 'fraud')).toBeGreaterThan(of('o', 'fraud'));
    expect(of('o', 'fraud')).toBeGreaterThan(0);
    expect(labeler.counts.wrong).toBe(of('o', 'fraud') + of('u', 'fraud'));
    expect(labeler.records.every((r) => r.ms > T0)).toBe(true);
  });

  it('never labels logins, account changes or stuffing failures without an incident', () => {
    const labeler = new Labeler(new Rng(3, 4));
    for (let i = 0; i < 5000; i++) {
      labeler.observe(`l${i}`, { ...NONE, ms: T0, type: 'login', success: true });
      labeler.observe(`s${i}`, { ...NONE, ms: T0, type: 'login', success: false, scenario: 'credential_stuffing' });
      labeler.observe(`c${i}`, { ...NONE, ms: T0, type: 'account_change' });
    }
    expect(labeler.records).toEqual([]);
  });

  it('writes its labels sorted by the time they became known', () => {
    const labeler = new Labeler(new Rng(4, 4));
    const late: Incident = { reported: true, reportMs: T0 + 9 * DAY, source: 'chargeback' };
    const early: Incident = { reported: true, reportMs: T0 + DAY, source: 'user_report' };
    labeler.observe('e1', withdrawal(T0, { scenario: 'slow_compromise', incident: late }));
    labeler.observe('e2', withdrawal(T0, { scenario: 'phishing_drain', incident: early }));
    const lines = labeler.lines().map((l) => JSON.parse(l) as { eventId: string; ts: string });
    expect(lines.map((l) => l.eventId)).toEqual(['e2', 'e1']);
    expect(Object.keys(lines[0] as object)).toEqual(['eventId', 'label', 'ts', 'source']);
  });
});
