import { createRandom } from '../../../models/gbdt/random';
import { mlpPredictRaw } from '../../../models/mlp/mlp-model';
import { fitPreprocessing, preprocess, signedLog } from '../../../models/mlp/preprocess';
import { fitMlp } from '../../../models/mlp/train-mlp';
import { rocAuc } from '../../../training/metrics/roc-auc';

describe('MLP preprocessing', () => {
  it('takes the signed log, fills missing values with the mean, standardises, and adds missing indicators', () => {
    const X = Float32Array.from([0, 10, Number.NaN, 20, 3, -5]); // 3 rows × 2 features
    const p = fitPreprocessing(X, 2);
    const logs = [signedLog(0), signedLog(3)];
    const mean = (logs[0]! + logs[1]!) / 2;
    expect(p.fill[0]).toBeCloseTo(mean, 6);
    expect(p.missingColumns).toEqual([0]);
    const out = preprocess(p, X);
    // Width 3: two standardised features and one indicator; the missing cell sits exactly at the mean (0).
    expect(out).toHaveLength(9);
    expect(out[3]).toBeCloseTo(0, 6);
    expect(Array.from([out[2], out[5], out[8]])).toEqual([0, 1, 0]);
    expect(signedLog(-5)).toBeCloseTo(-Math.log(6), 12);
  });
});

describe('fitMlp', () => {
  it('learns a non-linear function and stops early on validation', async () => {
    const rand = createRandom(3);
    const make = (rows: number) => {
      const X = new Float32Array(rows * 3);
      const y = new Uint8Array(rows);
      for (let i = 0; i < rows; i++) {
        const a = rand() * 2 - 1;
        const b = rand() * 2 - 1;
        X.set([a, b, rand()], i * 3);
        y[i] = a * b > 0 ? 1 : 0; // XOR of signs: no linear model separates it
      }
      return { X, nFeatures: 3, y };
    };
    const train = make(4000);
    const validation = make(1000);
    const fit = await fitMlp(train, validation, { epochs: 40, hidden: [16, 8], learningRate: 0.01, patience: 3 });
    expect(rocAuc(mlpPredictRaw(fit.model, validation.X), validation.y)).toBeGreaterThan(0.9);
    expect(fit.history).toHaveLength(fit.epochs);
    expect(fit.bestEpoch).toBe(fit.history.indexOf(Math.min(...fit.history)));
  }, 60_000);
});
