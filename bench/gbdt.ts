/**
 * Fit time of the GBDT on a synthetic fraud-like table (default 200k rows × 60 features, 1% positives), with one
 * thread and with two. Prints one JSON line. Run: `node --require tsx/cjs bench/gbdt.ts [--rows N] [--rounds N]`.
 * `--dump DIR` also writes the training table (`X.f32`: row-major float32, `y.u8`, `meta.json`) for a comparison
 * with XGBoost `hist` on the same data (same rounds, depth, eta, threads).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { createRandom } from '../models/gbdt/random';
import { fitGbdt } from '../models/gbdt/train';
import { rocAuc } from '../models/gbdt/metrics';
import type { GbdtDataset } from '../models/gbdt/dataset';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '200000' },
    features: { type: 'string', default: '60' },
    rounds: { type: 'string', default: '100' },
    depth: { type: 'string', default: '6' },
    eta: { type: 'string', default: '0.1' },
    dump: { type: 'string' },
  },
});
const nRows = Number(values.rows);
const nFeatures = Number(values.features);
const options = { nRounds: Number(values.rounds), maxDepth: Number(values.depth), learningRate: Number(values.eta) };

/** Standard normal draw (Box–Muller). */
function normal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/**
 * Features like a fraud table: a third continuous (some log-normal amounts), a third small counts, a sixth binary
 * flags, the rest continuous with 20% missing. The label's log-odds mix a dozen of them non-linearly; the intercept
 * is chosen by bisection for a 1% positive rate.
 */
function fraudLikeData(rows: number, features: number, seed: number): GbdtDataset {
  const random = createRandom(seed);
  const X = new Float32Array(rows * features);
  for (let i = 0; i < rows; i++) {
    for (let f = 0; f < features; f++) {
      const kind = f % 6;
      let x: number;
      if (kind === 0 || kind === 1) x = normal(random);
      else if (kind === 2) x = Math.exp(normal(random) + 3);
      else if (kind === 3) x = Math.floor(-Math.log(1 - random()) * 3);
      else if (kind === 4) x = random() < 0.1 ? 1 : 0;
      else x = random() < 0.2 ? NaN : normal(random);
      X[i * features + f] = x;
    }
  }
  const score = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const x = (f: number) => X[i * features + (f % features)]!;
    const missing = Number.isNaN(x(5)) ? 0.8 : x(5);
    score[i] =
      1.2 * x(0) - 0.8 * x(1) * x(6) + 0.6 * Math.log(x(2)) + 0.4 * Math.min(x(3), 6) + 1.5 * x(4) + 0.7 * missing + (x(7) > 0.5 && x(10) > 2 ? 2 : 0) + normal(random);
  }
  let lo = -30;
  let hi = 10;
  for (let k = 0; k < 60; k++) {
    const mid = (lo + hi) / 2;
    let expected = 0;
    for (let i = 0; i < rows; i++) expected += 1 / (1 + Math.exp(-(score[i]! + mid)));
    if (expected / rows > 0.01) hi = mid;
    else lo = mid;
  }
  const y = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) y[i] = random() < 1 / (1 + Math.exp(-(score[i]! + lo))) ? 1 : 0;
  return { X, nFeatures: features, y };
}

async function main(): Promise<void> {
  const train = fraudLikeData(nRows, nFeatures, 1);
  const test = fraudLikeData(50_000, nFeatures, 2);
  if (values.dump) {
    mkdirSync(values.dump, { recursive: true });
    writeFileSync(join(values.dump, 'X.f32'), train.X);
    writeFileSync(join(values.dump, 'y.u8'), train.y);
    writeFileSync(join(values.dump, 'meta.json'), JSON.stringify({ rows: nRows, features: nFeatures, ...options }));
  }
  const runs: Record<string, { seconds: number; rounds: number; sharedRounds: number; testAuc: number }> = {};
  const margins: Float64Array[] = [];
  for (const nThreads of [1, 2]) {
    const started = performance.now();
    const fit = await fitGbdt({ train, options: { ...options, nThreads } });
    const seconds = (performance.now() - started) / 1000;
    const margin = fit.model.predictRaw(test.X);
    margins.push(margin);
    runs[`threads${nThreads}`] = { seconds: Number(seconds.toFixed(3)), rounds: fit.rounds, sharedRounds: fit.sharedRounds, testAuc: Number(rocAuc(margin, test.y).toFixed(4)) };
    process.stderr.write(`threads=${nThreads}: ${seconds.toFixed(2)} s\n`);
  }
  const sameModel = margins[0]!.every((m, i) => m === margins[1]![i]);
  let positives = 0;
  for (const label of train.y) positives += label;
  process.stdout.write(
    `${JSON.stringify({
      bench: 'gbdt',
      rows: nRows,
      features: nFeatures,
      positives,
      ...options,
      ...runs,
      speedup: Number((runs.threads1!.seconds / runs.threads2!.seconds).toFixed(2)),
      sameModel,
    })}\n`,
  );
}

void main();
