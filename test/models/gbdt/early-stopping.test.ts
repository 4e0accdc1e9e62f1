import { ValidationError } from '../../../core/errors';
import { fitGbdt } from '../../../models/gbdt/train';
import { logLoss, rocAuc } from '../../../models/gbdt/metrics';
import { logisticData } from './synthetic';

// Small, noisy training set and deep trees with a large learning rate: validation loss soon gets worse.
const train = logisticData(600, 21, 8);
const validation = logisticData(3000, 22, 8);
const overfitting = { nRounds: 300, maxDepth: 6, learningRate: 0.5, minChildWeight: 0 };

describe('early stopping', () => {
  it('stops once validation logloss has not improved for `earlyStoppingRounds` rounds and keeps the best round', async () => {
    const fit = await fitGbdt({ train, validation, options: { ...overfitting, earlyStoppingRounds: 8 } });
    expect(fit.rounds).toBeLessThan(300);
    expect(fit.history).toHaveLength(fit.rounds);
    const best = fit.history.indexOf(Math.min(...fit.history));
    expect(fit.bestIteration).toBe(best);
    expect(fit.rounds).toBe(best + 1 + 8);
    expect(fit.model.trees).toHaveLength(best + 1);
    // The kept model is the best round's: its validation loss is the best one in the history.
    expect(logLoss(fit.model.predictRaw(validation.X), validation.y)).toBeCloseTo(fit.history[best]!, 12);
    expect(fit.history[fit.rounds - 1]!).toBeGreaterThan(fit.history[best]!);
  });

  it('can watch AUC instead (higher is better)', async () => {
    const fit = await fitGbdt({ train, validation, options: { ...overfitting, earlyStoppingRounds: 8, evalMetric: 'auc' } });
    expect(fit.rounds).toBeLessThan(300);
    const best = fit.history.indexOf(Math.max(...fit.history));
    expect(fit.bestIteration).toBe(best);
    expect(fit.model.trees).toHaveLength(best + 1);
    expect(rocAuc(fit.model.predictRaw(validation.X), validation.y)).toBeCloseTo(fit.history[best]!, 12);
  });

  it('keeps every round without early stopping, still recording the validation history', async () => {
    const fit = await fitGbdt({ train, validation, options: { ...overfitting, nRounds: 30 } });
    expect(fit.rounds).toBe(30);
    expect(fit.model.trees).toHaveLength(30);
    expect(fit.bestIteration).toBe(29);
    expect(fit.history).toHaveLength(30);
  });

  it('needs a validation set', async () => {
    await expect(fitGbdt({ train, options: { earlyStoppingRounds: 5 } })).rejects.toThrow(ValidationError);
    await expect(fitGbdt({ train, options: { earlyStoppingRounds: 5 } })).rejects.toThrow(/earlyStoppingRounds: early stopping needs a validation set/);
  });
});
