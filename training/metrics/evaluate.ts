import { averagePrecision } from './average-precision';
import { brierScore, logLoss } from './probability-scores';
import { cardPrecisionAtK, type CardPrecisionInput } from './card-precision';
import { recallAtFpr } from './recall-at-fpr';
import { rocAuc } from './roc-auc';

/** The false-positive budgets `recallAtFpr` is reported at: 0.1 % and 1 % of legit events flagged. */
export const REPORTED_FPRS = [0.001, 0.01] as const;

/**
 * The metrics contract (`metrics.json`, DESIGN.md "Metrics") of one labelled test period. A metric that is
 * undefined on the data (e.g. AUC with no fraud in the period) is `null`, which is what JSON can carry.
 */
export interface EvaluationMetrics {
  rocAuc: number | null;
  averagePrecision: number | null;
  /** Card precision top-100 (Fraud-Detection-Handbook), see `cardPrecisionAtK`. */
  cardPrecisionAt100: number | null;
  /** Recall at a false-positive rate of at most 0.1 % and 1 %, keyed "0.001" and "0.01". */
  recallAtFpr: Record<string, number | null>;
  /** Brier score and log-loss of the scores read as probabilities. */
  brier: number | null;
  logLoss: number | null;
  /** Events and, of them, frauds. */
  n: number;
  positives: number;
}

/**
 * Computes every contract metric from calibrated fraud probabilities (`input.scores` in [0, 1]) with labels, user
 * ids and UTC day keys per event.
 */
export function evaluate(input: CardPrecisionInput): EvaluationMetrics {
  const { scores, labels } = input;
  let positives = 0;
  for (let i = 0; i < labels.length; i++) positives += labels[i] === 1 ? 1 : 0;
  const recall: Record<string, number | null> = {};
  for (const fpr of REPORTED_FPRS) recall[String(fpr)] = orNull(recallAtFpr(scores, labels, fpr));
  return {
    rocAuc: orNull(rocAuc(scores, labels)),
    averagePrecision: orNull(averagePrecision(scores, labels)),
    cardPrecisionAt100: orNull(cardPrecisionAtK(input, 100)),
    recallAtFpr: recall,
    brier: orNull(brierScore(scores, labels)),
    logLoss: orNull(logLoss(scores, labels)),
    n: scores.length,
    positives,
  };
}

const orNull = (x: number): number | null => (Number.isNaN(x) ? null : x);
