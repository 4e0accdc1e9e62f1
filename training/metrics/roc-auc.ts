import { sortByClass, type Labels, type Scores } from './binary-inputs';

/**
 * Area under the ROC curve as the Mann–Whitney statistic: the probability that a random fraud scores above a random
 * legit event, a tie counting one half. This equals the rank-sum form (R₊ − n₊(n₊ + 1)/2) / (n₊ n₋) with tied
 * scores given their average rank, and the trapezoidal area under the ROC curve. NaN when either class is absent.
 */
export function rocAuc(scores: Scores, labels: Labels): number {
  const { positives, negatives } = sortByClass(scores, labels);
  if (positives.length === 0 || negatives.length === 0) return Number.NaN;
  // For each positive (ascending), count the negatives strictly below it and those equal to it.
  let below = 0;
  let belowOrEqual = 0;
  let u = 0;
  for (let i = 0; i < positives.length; i++) {
    const s = positives[i]!;
    while (below < negatives.length && negatives[below]! < s) below++;
    if (belowOrEqual < below) belowOrEqual = below;
    while (belowOrEqual < negatives.length && negatives[belowOrEqual] === s) belowOrEqual++;
    u += below + (belowOrEqual - below) / 2;
  }
  return u / (positives.length * negatives.length);
}
