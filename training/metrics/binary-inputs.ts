import { ValidationError } from '../../core/errors';

/**
 * The inputs every metric takes: one score per event and one 0/1 label per event, in the same order. Typed arrays
 * are the usual carriers; plain number arrays work too.
 */
export type Scores = ArrayLike<number>;
/** 1 = fraud, 0 = legit. */
export type Labels = ArrayLike<number>;

/** A {@link ValidationError} about one field: `message` for people, `reason` attached to the field's path. */
export function invalidField(message: string, path: (string | number)[], reason: string): ValidationError {
  return new ValidationError(message, [{ path, message: reason }]);
}

/**
 * Checks that scores and labels line up, that every score is a finite number and every label 0 or 1. A NaN score
 * would sort arbitrarily and quietly change every ranking metric, so it is refused rather than skipped.
 */
export function assertBinaryInputs(scores: Scores, labels: Labels): void {
  assertSameLength('labels', labels, scores.length);
  assertFiniteScores(scores);
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (y !== 0 && y !== 1) throw invalidField(`label ${i} is ${y}, expected 0 or 1`, ['labels', i], `expected 0 or 1, got ${y}`);
  }
}

/** Checks that a per-event column (labels, user ids, weights…) has one entry per score. */
export function assertSameLength(name: string, column: ArrayLike<unknown>, nScores: number): void {
  if (column.length !== nScores) {
    throw invalidField(`${name} has ${column.length} entries for ${nScores} scores`, [name], `expected ${nScores} entries, got ${column.length}`);
  }
}

/** Checks that there is at least one score to fit or set a threshold from; `task` says what needed them. */
export function assertNotEmpty(scores: Scores, task: string): void {
  if (scores.length === 0) throw invalidField(`cannot ${task} from no scores`, ['scores'], 'expected at least one score');
}

/** Checks that every score is finite (no NaN, no ±Infinity). */
export function assertFiniteScores(scores: Scores): void {
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i]!;
    if (!Number.isFinite(s)) throw invalidField(`score ${i} is ${s}, expected a finite number`, ['scores', i], `expected a finite number, got ${s}`);
  }
}

/** Checks that every score is a probability in [0, 1] (for Brier score, log-loss and calibration curves). */
export function assertProbabilities(scores: Scores): void {
  for (let i = 0; i < scores.length; i++) {
    const p = scores[i]!;
    if (!(p >= 0 && p <= 1)) {
      throw invalidField(`score ${i} is ${p}, expected a probability in [0, 1]`, ['scores', i], `expected a probability in [0, 1], got ${p}`);
    }
  }
}

/** Checks a numeric parameter (a rate, a false-positive budget), naming it in the error. */
export function assertInRange(name: string, value: number, min: number, max: number): void {
  if (!(value >= min && value <= max)) {
    throw invalidField(`${name} must be in [${min}, ${max}], got ${value}`, [name], `expected a number in [${min}, ${max}], got ${value}`);
  }
}

/** Checks a count parameter (k, bins, folds): a whole number of at least `min`. */
export function assertWholeNumber(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw invalidField(`${name} must be a whole number ≥ ${min}, got ${value}`, [name], `expected a whole number ≥ ${min}, got ${value}`);
  }
}

/** Scores split by class, each sorted ascending. */
export interface ScoresByClass {
  positives: Float64Array;
  negatives: Float64Array;
}

/**
 * Splits scores by label and sorts each class ascending. Every ranking metric here works on these two sorted
 * arrays: a typed array's native numeric sort is several times faster than sorting an index array with a
 * comparator, which matters at millions of events.
 */
export function sortByClass(scores: Scores, labels: Labels): ScoresByClass {
  assertBinaryInputs(scores, labels);
  let nPos = 0;
  for (let i = 0; i < labels.length; i++) nPos += labels[i]!;
  const positives = new Float64Array(nPos);
  const negatives = new Float64Array(labels.length - nPos);
  let p = 0;
  let n = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === 1) positives[p++] = scores[i]!;
    else negatives[n++] = scores[i]!;
  }
  return { positives: positives.sort(), negatives: negatives.sort() };
}

/** How many values of an ascending array are ≥ `t` (binary search). */
export function countAtOrAbove(sortedAsc: Float64Array, t: number): number {
  let lo = 0;
  let hi = sortedAsc.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sortedAsc[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return sortedAsc.length - lo;
}
