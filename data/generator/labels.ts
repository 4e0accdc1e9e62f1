import { HOUR, MINUTE, isoTimestamp, type EventMeta } from './events';
import type { Rng } from './prng';

/**
 * Labels as an exchange gets them: late, incomplete and sometimes wrong. Fraud is labelled when its incident is
 * reported (hours to weeks after; some incidents never are); an analyst occasionally clears real fraud; users dispute
 * some of their own withdrawals; analysts review and clear a few ordinary ones, unusual ones more often.
 */

export interface LabelRecord {
  /** When the label became known, epoch ms (always after the event). */
  ms: number;
  eventId: string;
  label: 'fraud' | 'legit';
  source: string;
}

export interface LabelCounts {
  /** Labels saying fraud (including wrong ones on legit withdrawals). */
  fraud: number;
  /** Labels saying legit (including wrong ones on fraud). */
  legit: number;
  /** Labels that contradict the truth. */
  wrong: number;
  /** Fraud events that should be labelled but never are. */
  unlabelledFraud: number;
}

/** Share of labelled fraud events an analyst wrongly clears. */
const FRAUD_CLEARED = 0.03;
/** Chance that a legit withdrawal is disputed (labelled fraud), for ordinary and unusual ones. */
const DISPUTED = { ordinary: 0.0004, unusual: 0.006 };
/** Chance that a legit withdrawal is reviewed and labelled legit. */
const REVIEWED = { ordinary: 0.004, unusual: 0.06 };

export class Labeler {
  readonly records: LabelRecord[] = [];
  readonly counts: LabelCounts = { fraud: 0, legit: 0, wrong: 0, unlabelledFraud: 0 };

  constructor(private readonly rng: Rng) {}

  /** Decides the label (if any) of one event, in file order once its id is known. */
  observe(eventId: string, pending: EventMeta): void {
    const rng = this.rng;
    const incident = pending.incident;
    if (incident) {
      if (!incident.reported) {
        this.counts.unlabelledFraud++;
        return;
      }
      // Analysts work through a reported case within the next half hour.
      const ms = incident.reportMs + rng.intBetween(MINUTE, 30 * MINUTE);
      if (rng.chance(FRAUD_CLEARED)) this.add({ ms, eventId, label: 'legit', source: 'analyst' }, true);
      else this.add({ ms, eventId, label: 'fraud', source: incident.source }, false);
      return;
    }
    if (pending.type !== 'withdrawal' || pending.scenario) return;
    const unusual = pending.unusual === true;
    const r = rng.float();
    if (r < (unusual ? DISPUTED.unusual : DISPUTED.ordinary)) {
      const ms = pending.ms + Math.round(Math.max(HOUR, rng.logNormal(Math.log(72 * HOUR), 1)));
      this.add({ ms, eventId, label: 'fraud', source: rng.chance(0.6) ? 'user_report' : 'chargeback' }, true);
    } else if (r < (unusual ? DISPUTED.unusual + REVIEWED.unusual : DISPUTED.ordinary + REVIEWED.ordinary)) {
      const ms = pending.ms + Math.round(Math.max(10 * MINUTE, rng.logNormal(Math.log(6 * HOUR), 1)));
      this.add({ ms, eventId, label: 'legit', source: 'analyst' }, false);
    }
  }

  private add(record: LabelRecord, wrong: boolean): void {
    this.records.push(record);
    this.counts[record.label]++;
    if (wrong) this.counts.wrong++;
  }

  /** The labels as JSONL lines, in the order they became known. */
  lines(): string[] {
    return [...this.records]
      .sort((a, b) => a.ms - b.ms)
      .map((r) => JSON.stringify({ eventId: r.eventId, label: r.label, ts: isoTimestamp(r.ms), source: r.source }));
  }
}
