import { assertFiniteScores, assertSameLength, type Scores } from './binary-inputs';

/** Recall of one group of fraud events (one scenario) at a threshold. */
export interface GroupRecall {
  /** Events of the group. */
  n: number;
  /** Of them, flagged (score ≥ threshold). */
  caught: number;
  recall: number;
}

/**
 * Recall per fraud scenario: `groups[i]` names the scenario of event i, or is '' for an event outside every
 * scenario (legit traffic), which is left out — every event of a named scenario is fraud, so the share of them
 * flagged is that scenario's recall. Keys come out sorted.
 */
export function perGroupRecall(scores: Scores, groups: ArrayLike<string>, threshold: number): Record<string, GroupRecall> {
  assertFiniteScores(scores);
  assertSameLength('groups', groups, scores.length);
  const counts = new Map<string, { n: number; caught: number }>();
  for (let i = 0; i < scores.length; i++) {
    const group = groups[i]!;
    if (group === '') continue;
    let c = counts.get(group);
    if (!c) counts.set(group, (c = { n: 0, caught: 0 }));
    c.n++;
    if (scores[i]! >= threshold) c.caught++;
  }
  const result: Record<string, GroupRecall> = {};
  for (const group of [...counts.keys()].sort()) {
    const { n, caught } = counts.get(group)!;
    result[group] = { n, caught, recall: caught / n };
  }
  return result;
}
