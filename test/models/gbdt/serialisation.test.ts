import { ValidationError } from '../../../core/errors';
import { GbdtModel } from '../../../models/gbdt/model';
import { fitGbdt } from '../../../models/gbdt/train';
import { logisticData } from './synthetic';

describe('model serialisation', () => {
  it('round-trips through JSON text with identical predictions and explanations', async () => {
    const train = logisticData(3000, 51);
    // Some missing values, so default directions matter.
    for (let i = 0; i < train.X.length; i += 7) train.X[i] = NaN;
    const { model } = await fitGbdt({ train, options: { nRounds: 25, maxDepth: 4 }, featureNames: ['a', 'b', 'c', 'd', 'e'] });
    const restored = GbdtModel.fromJSON(JSON.parse(JSON.stringify(model)));
    const test = logisticData(1000, 52);
    for (let i = 0; i < test.X.length; i += 5) test.X[i] = NaN;
    expect(Array.from(restored.predictRaw(test.X))).toEqual(Array.from(model.predictRaw(test.X)));
    expect(Array.from(restored.predictProba(test.X))).toEqual(Array.from(model.predictProba(test.X)));
    const row = test.X.subarray(0, 5);
    expect(Array.from(restored.contributions(row))).toEqual(Array.from(model.contributions(row)));
    expect(restored.featureNames).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(Array.from(restored.featureImportance('gain'))).toEqual(Array.from(model.featureImportance('gain')));
  });

  describe('rejects broken models, naming the field', () => {
    const stump = {
      format: 'vigil-gbdt/1',
      objective: 'binary:logistic',
      nFeatures: 2,
      baseScore: -1,
      trees: [{ feature: [1, -1, -1], threshold: [0.5, 0, 0], defaultLeft: [1, 0, 0], left: [1, -1, -1], right: [2, -1, -1], value: [0, -0.2, 0.3], cover: [10, 6, 4], gain: [3, 0, 0] }],
    };
    const broken = (change: (m: typeof stump) => void) => {
      const copy = structuredClone(stump);
      change(copy);
      return copy;
    };

    it('accepts the valid stump', () => {
      const model = GbdtModel.fromJSON(stump);
      expect(Array.from(model.predictRaw(Float32Array.from([0, 0.2, 0, 0.7, 0, NaN])))).toEqual([-1.2, -0.7, -1.2]);
    });

    it.each([
      ['an unknown format', (m: typeof stump) => (m.format = 'other'), /format/],
      ['a feature out of range', (m: typeof stump) => (m.trees[0]!.feature[0] = 2), /trees\.0\.feature\.0: feature 2 out of range/],
      ['a child before its parent', (m: typeof stump) => (m.trees[0]!.left[0] = 0), /trees\.0\.left\.0: child 0 must come after its parent/],
      ['arrays of different lengths', (m: typeof stump) => m.trees[0]!.value.pop(), /trees\.0\.value: expected 3 entries/],
      ['a threshold that is not a float32', (m: typeof stump) => (m.trees[0]!.threshold[0] = 0.1), /trees\.0\.threshold\.0: not a float32 value/],
      ['a non-finite value', (m: typeof stump) => (m.baseScore = Number.NaN), /baseScore/],
    ])('%s', (_name, change, message) => {
      expect(() => GbdtModel.fromJSON(broken(change))).toThrow(ValidationError);
      expect(() => GbdtModel.fromJSON(broken(change))).toThrow(message);
    });
  });
});
