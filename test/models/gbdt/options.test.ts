import { ValidationError } from '../../../core/errors';
import { DEFAULT_GBDT_OPTIONS, resolveGbdtOptions } from '../../../models/gbdt/options';
import { fitGbdt } from '../../../models/gbdt/train';
import { logisticData } from './synthetic';

describe('GBDT options', () => {
  it('default to XGBoost values', () => {
    expect(resolveGbdtOptions()).toEqual(DEFAULT_GBDT_OPTIONS);
    expect(DEFAULT_GBDT_OPTIONS).toMatchObject({ learningRate: 0.3, maxDepth: 6, lambda: 1, minChildWeight: 1, maxBins: 255, subsample: 1, colsampleByTree: 1 });
    expect(resolveGbdtOptions({ maxDepth: 3, seed: undefined })).toMatchObject({ maxDepth: 3, seed: 0 });
  });

  it.each([
    [{ maxDepth: 2.5 }, /maxDepth: expected a whole number from 0 to 32, got 2.5/],
    [{ learningRate: 0 }, /learningRate: expected a number > 0 and <= 1, got 0/],
    [{ subsample: 1.5 }, /subsample: expected a number > 0 and <= 1, got 1.5/],
    [{ lambda: -1 }, /lambda: expected a number >= 0, got -1/],
    [{ maxBins: 256 }, /maxBins: expected a whole number from 2 to 255, got 256/],
    [{ growPolicy: 'leafwise' }, /growPolicy: expected one of depthwise, lossguide, got "leafwise"/],
    [{ evalMetric: 'error' }, /evalMetric: expected one of logloss, auc/],
    [{ nThreads: 0 }, /nThreads: expected a whole number from 1 to 64, got 0/],
    [{ eta: 0.1 }, /eta: unknown option/],
    [{ maxDepth: 0 }, /maxDepth: 0 \(no depth limit\) needs growPolicy 'lossguide' and a positive maxLeaves/],
  ])('reject %j', (options, message) => {
    expect(() => resolveGbdtOptions(options as never)).toThrow(ValidationError);
    expect(() => resolveGbdtOptions(options as never)).toThrow(message);
  });

  it('report every bad option at once', () => {
    try {
      resolveGbdtOptions({ maxDepth: -1, gamma: Number.NaN });
      throw new Error('expected a ValidationError');
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).issues.map((i) => i.path.join('.'))).toEqual(['options.maxDepth', 'options.gamma']);
    }
  });
});

describe('training data checks', () => {
  const good = logisticData(200, 81, 3);

  it.each([
    ['an infinite feature value', () => {
      const X = good.X.slice();
      X[3 * 17 + 2] = Infinity;
      return { ...good, X };
    }, /train\.X\[53\]: row 17, feature 2: expected a finite number or NaN, got Infinity/],
    ['a label other than 0 or 1', () => ({ ...good, y: Float32Array.from(good.y, (y, i) => (i === 9 ? 0.5 : y)) }), /train\.y\[9\]: expected 0 or 1, got 0\.5/],
    ['too few labels', () => ({ ...good, y: good.y.subarray(1) }), /train\.y: expected 200 labels \(one per row\), got 199/],
    ['a matrix that is not whole rows', () => ({ ...good, X: good.X.subarray(1) }), /train\.X: length 599 is not a multiple of nFeatures 3/],
    ['a negative weight', () => ({ ...good, weight: Float32Array.from(good.y, (_, i) => (i === 4 ? -1 : 1)) }), /train\.weight\[4\]: expected a finite number >= 0, got -1/],
    ['a single class', () => ({ ...good, y: new Uint8Array(200) }), /train\.y: both classes need a positive total weight/],
  ])('reject %s', async (_name, make, message) => {
    await expect(fitGbdt({ train: make(), options: { nRounds: 1 } })).rejects.toThrow(ValidationError);
    await expect(fitGbdt({ train: make(), options: { nRounds: 1 } })).rejects.toThrow(message);
  });

  it('rejects a validation set with other features and feature names of the wrong length', async () => {
    const validation = logisticData(50, 82, 4);
    await expect(fitGbdt({ train: good, validation })).rejects.toThrow(/validation\.nFeatures: expected 3 features like train, got 4/);
    await expect(fitGbdt({ train: good, featureNames: ['a'] })).rejects.toThrow(/featureNames: expected 3 names, got 1/);
  });

  it('checks prediction inputs', async () => {
    const { model } = await fitGbdt({ train: good, options: { nRounds: 1 } });
    expect(() => model.predictRaw(new Float32Array(5))).toThrow(/X: length 5 is not a multiple of nFeatures 3/);
    expect(() => model.contributions(new Float32Array(2))).toThrow(/row: expected 3 features, got 2/);
  });
});
