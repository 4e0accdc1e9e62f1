import { assertBinaryInputs, assertSameLength, assertWholeNumber, type Labels, type Scores } from './binary-inputs';

/** Scored events with who and when: `userIds[i]` and `days[i]` belong to `scores[i]` and `labels[i]`. */
export interface CardPrecisionInput {
  scores: Scores;
  labels: Labels;
  userIds: ArrayLike<string>;
  /** UTC day of each event as a key that sorts chronologically, e.g. `2024-03-01`. */
  days: ArrayLike<string>;
}

/** One test day of card precision top-k. */
export interface DayCardPrecision {
  day: string;
  /** Fraudulent users among the day's top k, divided by k. */
  precision: number;
  /** Fraudulent users of the day's top k, best-ranked first; they leave the later days' rankings. */
  detected: string[];
  /** Fraudulent users still in the day's ranking (the most the top k could have caught). */
  fraudUsers: number;
}

interface UserDay {
  maxScore: number;
  fraud: boolean;
}

/**
 * Card precision top-k per day, after Le Borgne et al., "Reproducible Machine Learning for Credit Card Fraud
 * Detection – Practical Handbook", ch. 4 (`card_precision_top_k_day` / `card_precision_top_k`), with users in the
 * place of cards. Days are taken in ascending key order. On each day a user's score is the highest of their events
 * that day and the user is fraudulent if any of those events is; users are ranked by that score and the top k
 * taken. Fraudulent users in a day's top k are "detected" and removed from every later day's ranking, as an
 * investigated account would not be alerted on again (fraudulent users outside the top k stay in).
 *
 * Choices: the precision is always divided by k, even when fewer than k users remain that day (as the handbook
 * does), so a thin day cannot score 1 by flagging a handful of users. Users with equal scores are ordered by user
 * id, so the result never depends on the order of the rows.
 */
export function cardPrecisionByDay(input: CardPrecisionInput, k = 100): DayCardPrecision[] {
  const { scores, labels, userIds, days } = input;
  assertBinaryInputs(scores, labels);
  assertWholeNumber('k', k, 1);
  assertSameLength('userIds', userIds, scores.length);
  assertSameLength('days', days, scores.length);

  const byDay = new Map<string, Map<string, UserDay>>();
  for (let i = 0; i < scores.length; i++) {
    const day = days[i]!;
    let users = byDay.get(day);
    if (!users) byDay.set(day, (users = new Map()));
    const user = userIds[i]!;
    const score = scores[i]!;
    const fraud = labels[i] === 1;
    const seen = users.get(user);
    if (!seen) users.set(user, { maxScore: score, fraud });
    else {
      if (score > seen.maxScore) seen.maxScore = score;
      if (fraud) seen.fraud = true;
    }
  }

  const removed = new Set<string>();
  const result: DayCardPrecision[] = [];
  for (const day of [...byDay.keys()].sort()) {
    const ranking = [...byDay.get(day)!].filter(([user]) => !removed.has(user));
    ranking.sort(([ua, a], [ub, b]) => b.maxScore - a.maxScore || (ua < ub ? -1 : ua > ub ? 1 : 0));
    const detected = ranking.slice(0, k).filter(([, u]) => u.fraud).map(([user]) => user);
    for (const user of detected) removed.add(user);
    result.push({ day, precision: detected.length / k, detected, fraudUsers: ranking.filter(([, u]) => u.fraud).length });
  }
  return result;
}

/** Mean over test days of {@link cardPrecisionByDay}; NaN without any event. */
export function cardPrecisionAtK(input: CardPrecisionInput, k = 100): number {
  const perDay = cardPrecisionByDay(input, k);
  if (perDay.length === 0) return Number.NaN;
  return perDay.reduce((sum, d) => sum + d.precision, 0) / perDay.length;
}
