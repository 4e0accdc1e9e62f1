import { applyCalibrator, calibrateScores, fitCalibrator, type Calibrator } from '../../../training/calibration/calibrator';
import { chooseCalibrator } from '../../../training/calibration/choose-calibrator';
import { sigmoid } from '../../../training/calibration/platt';
import { seededRandom } from './seeded-random';

/** Scores in [−3, 3) with fraud drawn from `probability(score)`. */
function draw(seed: number, n: number, probability: (s: number) => number): { scores: Float64Array; labels: Uint8Array } {
  const rng = seededRandom(seed);
  const scores = new Float64Array(n);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    scores[i] = -3 + 6 * rng.float();
    labels[i] = rng.float() < probability(scores[i]!) ? 1 : 0;
  }
  return { scores, labels };
}

describe('applyCalibrator', () => {
  it('applies Platt scaling and isotonic knots', () => {
    const platt: Calibrator = { kind: 'platt', a: 2, b: -1 };
    expect(applyCalibrator(platt, 0.5)).toBe(0.5); // σ(2·0.5 − 1) = σ(0)
    expect(applyCalibrator(platt, 1)).toBeCloseTo(1 / (1 + Math.exp(-1)), 12);
    const isotonic: Calibrator = { kind: 'isotonic', x: [0, 1], y: [0.1, 0.3] };
    expect(applyCalibrator(isotonic, 0.25)).toBeCloseTo(0.1 + 0.25 * (0.3 - 0.1), 12);
    expect(Array.from(calibrateScores(isotonic, [-1, 0.5, 2]))).toEqual([0.1, 0.1 + 0.5 * (0.3 - 0.1), 0.3]);
  });

  it('survives a JSON round trip unchanged', () => {
    const { scores, labels } = draw(5, 500, (s) => sigmoid(s));
    for (const kind of ['platt', 'isotonic'] as const) {
      const c = fitCalibrator(kind, scores, labels);
      const copy = JSON.parse(JSON.stringify(c)) as Calibrator;
      expect(copy).toEqual(c);
      expect(applyCalibrator(copy, 0.3)).toBe(applyCalibrator(c, 0.3));
    }
  });
});

describe('fitCalibrator', () => {
  it('fits the requested kind', () => {
    const { scores, labels } = draw(6, 2000, (s) => sigmoid(2 * s - 1));
    const platt = fitCalibrator('platt', scores, labels);
    expect(platt.kind).toBe('platt');
    if (platt.kind === 'platt') expect(Math.abs(platt.a - 2)).toBeLessThan(0.4);
    const isotonic = fitCalibrator('isotonic', scores, labels);
    expect(isotonic.kind).toBe('isotonic');
    if (isotonic.kind === 'isotonic') expect(isotonic.x.length).toBe(isotonic.y.length);
  });

  it('refuses an unknown kind', () => {
    expect(() => fitCalibrator('beta' as never, [0.1], [1])).toThrow(/unknown calibrator kind 'beta'/);
  });
});

describe('chooseCalibrator', () => {
  it('uses Platt scaling below 50 frauds without trying isotonic', () => {
    const { scores, labels } = draw(8, 400, (s) => (s > 2 ? 0.3 : 0.01));
    const positives = labels.reduce((sum, y) => sum + y, 0);
    expect(positives).toBeLessThan(50);
    const choice = chooseCalibrator(scores, labels);
    expect(choice.calibrator.kind).toBe('platt');
    expect(choice.logLoss.isotonic).toBeNull();
    expect(choice.reason).toContain(`${positives} frauds, isotonic needs at least 50`);
  });

  it('picks isotonic when the score-to-fraud relation is a step no logistic curve follows', () => {
    // 5 % fraud below score 1, 60 % above: Platt has to smear the jump, isotonic can place it.
    const { scores, labels } = draw(9, 5000, (s) => (s < 1 ? 0.05 : 0.6));
    const choice = chooseCalibrator(scores, labels);
    expect(choice.calibrator.kind).toBe('isotonic');
    expect(choice.logLoss.isotonic!).toBeLessThan(choice.logLoss.platt);
  });

  it('picks Platt when the data really is logistic', () => {
    const { scores, labels } = draw(10, 5000, (s) => sigmoid(1.2 * s - 1));
    const choice = chooseCalibrator(scores, labels);
    expect(choice.calibrator.kind).toBe('platt');
    expect(choice.logLoss.platt).toBeLessThan(choice.logLoss.isotonic!);
  });

  it('refuses fewer events than folds', () => {
    expect(() => chooseCalibrator([0.1, 0.2], [0, 1])).toThrow(/2 events cannot fill 5 folds/);
  });
});
