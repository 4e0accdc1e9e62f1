import { fitGbdt } from '../../../models/gbdt/train';
import { countPositives, logisticData } from './synthetic';

describe('class weighting', () => {
  const train = logisticData(4000, 31);
  const test = logisticData(2000, 32);
  const positives = countPositives(train.y);
  const negatives = train.y.length - positives;

  it('raises the positive-class probability with scalePosWeight, starting from the weighted prior', async () => {
    const plain = await fitGbdt({ train, options: { nRounds: 30, maxDepth: 3 } });
    const weighted = await fitGbdt({ train, options: { nRounds: 30, maxDepth: 3, scalePosWeight: 5 } });
    expect(weighted.model.baseScore).toBeCloseTo(Math.log((5 * positives) / negatives), 12);
    const mean = (p: Float64Array) => p.reduce((a, b) => a + b, 0) / p.length;
    const pPlain = plain.model.predictProba(test.X);
    const pWeighted = weighted.model.predictProba(test.X);
    expect(mean(pWeighted)).toBeGreaterThan(mean(pPlain) + 0.1);
    let higher = 0;
    for (let i = 0; i < pPlain.length; i++) if (pWeighted[i]! > pPlain[i]!) higher++;
    expect(higher / pPlain.length).toBeGreaterThan(0.95);
  });

  it('is the same as weighting positive rows by sample weight', async () => {
    const weight = Float32Array.from(train.y, (y) => (y === 1 ? 5 : 1));
    const bySample = await fitGbdt({ train: { ...train, weight }, options: { nRounds: 10 } });
    const byClass = await fitGbdt({ train, options: { nRounds: 10, scalePosWeight: 5 } });
    expect(bySample.model.toJSON()).toEqual(byClass.model.toJSON());
  });

  it('ignores rows of weight 0', async () => {
    // Doubling the data with zero-weight copies whose labels are flipped changes nothing.
    const n = train.y.length;
    const X = new Float32Array(2 * n * train.nFeatures);
    X.set(train.X);
    X.set(train.X, n * train.nFeatures);
    const y = new Uint8Array(2 * n);
    y.set(train.y);
    for (let i = 0; i < n; i++) y[n + i] = 1 - train.y[i]!;
    const weight = new Float32Array(2 * n).fill(1, 0, n);
    const padded = await fitGbdt({ train: { X, nFeatures: train.nFeatures, y, weight }, options: { nRounds: 5, maxDepth: 3 } });
    const original = await fitGbdt({ train, options: { nRounds: 5, maxDepth: 3 } });
    const a = padded.model.predictRaw(test.X);
    const b = original.model.predictRaw(test.X);
    for (let i = 0; i < a.length; i += 97) expect(a[i]).toBeCloseTo(b[i]!, 9);
  });
});
