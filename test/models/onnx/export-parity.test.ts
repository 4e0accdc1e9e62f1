/**
 * @jest-environment ./test/serving/fixtures/onnx-test-environment.ts
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyCalibrator, type Calibrator } from '../../../models/calibrator';
import { createRandom } from '../../../models/gbdt/random';
import { fitGbdt } from '../../../models/gbdt/train';
import { mlpPredictRaw } from '../../../models/mlp/mlp-model';
import { fitMlp } from '../../../models/mlp/train-mlp';
import { exportGbdtToOnnx } from '../../../models/onnx/export-gbdt';
import { exportMlpToOnnx } from '../../../models/onnx/export-mlp';
import { OnnxSession } from '../../../models/onnx/onnx-session';
import { checkOnnxFile } from '../../../training/onnx-checker';
import { PARITY_TOLERANCE } from '../../../training/train';

// A fraud-like table: heavy-tailed amounts, counts, flags and missing values, a non-linear target.
const F = 8;
function table(rows: number, seed: number): { X: Float32Array; y: Uint8Array } {
  const rand = createRandom(seed);
  const X = new Float32Array(rows * F);
  const y = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) {
    const amount = Math.exp(rand() * 10);
    const known = rand() < 0.8 ? 1 : 0;
    const count = Math.floor(-Math.log(Math.max(rand(), 1e-9)) * 3);
    X.set([amount, known, count, rand() < 0.2 ? Number.NaN : rand() * 100, rand(), rand() - 0.5, rand() < 0.5 ? Number.NaN : rand(), rand() * 1e6], i * F);
    const risk = (known ? -2 : 1) + (amount > 5000 ? 1.5 : 0) + (count > 6 ? 1 : 0) - 2.5;
    y[i] = rand() < 1 / (1 + Math.exp(-risk)) ? 1 : 0;
  }
  return { X, y };
}

const train = table(6000, 1);
const test = table(3000, 2);
const names = Array.from({ length: F }, (_, i) => `f${i}`);
const calibrators: Calibrator[] = [
  { kind: 'platt', a: 0.9, b: -0.2 },
  { kind: 'isotonic', x: [-4, -2, -0.5, 0.5, 3], y: [0.001, 0.02, 0.2, 0.45, 0.97] },
];
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-onnx-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function expectParity(onnx: Uint8Array, margin: (X: Float32Array) => Float64Array, calibrator: Calibrator): Promise<void> {
  const session = await OnnxSession.load(onnx, F);
  const probabilities = await session.predict(test.X);
  await session.close();
  const raw = margin(test.X);
  let worst = 0;
  for (let i = 0; i < raw.length; i++) worst = Math.max(worst, Math.abs((probabilities[i] as number) - applyCalibrator(calibrator, raw[i] as number)));
  expect(probabilities).toHaveLength(3000);
  expect(worst).toBeLessThanOrEqual(PARITY_TOLERANCE);
  const path = join(dir, `model-${Math.random().toString(36).slice(2)}.onnx`);
  writeFileSync(path, onnx);
  expect(await checkOnnxFile(path)).toEqual({ status: 'passed' });
}

describe('ONNX export: ONNX Runtime equals the in-process model on a whole test set, and the official checker accepts it', () => {
  it.each(calibrators)('trees with a $kind calibrator', async (calibrator) => {
    const { model } = await fitGbdt({ train: { X: train.X, nFeatures: F, y: train.y }, options: { nRounds: 60, maxDepth: 5, nThreads: 1 } });
    await expectParity(exportGbdtToOnnx(model, { featureNames: names, calibrator }), (X) => model.predictRaw(X), calibrator);
  });

  it.each(calibrators)('the network with a $kind calibrator (signed log, missing indicators, standardisation inside)', async (calibrator) => {
    const { model } = await fitMlp({ X: train.X, nFeatures: F, y: train.y }, undefined, { epochs: 3, hidden: [16, 8] });
    expect(model.preprocessing.missingColumns).toEqual([3, 6]);
    await expectParity(exportMlpToOnnx(model, { featureNames: names, calibrator }), (X) => mlpPredictRaw(model, X), calibrator);
  }, 60_000);

  it('refuses feature names that do not match the model', async () => {
    const { model } = await fitGbdt({ train: { X: train.X, nFeatures: F, y: train.y }, options: { nRounds: 2, nThreads: 1 } });
    expect(() => exportGbdtToOnnx(model, { featureNames: names.slice(1), calibrator: calibrators[0] as Calibrator })).toThrow(/featureNames: expected 8 names, got 7/);
  });
});
