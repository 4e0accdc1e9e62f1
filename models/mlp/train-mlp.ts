import { ValidationError } from '../../core/errors';
import { createRandom } from '../gbdt/random';
import type { DenseLayer, MlpModel } from './mlp-model';
import { fitPreprocessing, inputWidth, preprocess } from './preprocess';
import { initTensorflow, tf } from './tf-backend';

export interface MlpOptions {
  /** Units of the hidden layers. @defaultValue [64, 32] */
  hidden: number[];
  /** @defaultValue 30 */
  epochs: number;
  /** @defaultValue 512 */
  batchSize: number;
  /** Adam learning rate. @defaultValue 0.001 */
  learningRate: number;
  /** Epochs without validation improvement before stopping. @defaultValue 4 */
  patience: number;
  /** Weight of positive rows in the loss; `auto` = sqrt(negatives / positives). @defaultValue 'auto' */
  positiveWeight: number | 'auto';
  /** L2 penalty on the weights. @defaultValue 1e-5 */
  l2: number;
  /**
   * Most training rows per epoch: beyond it, negatives are sampled (all positives kept) and weighted up by the
   * inverse sampling rate, so the loss is unbiased and an epoch costs the same on any data size.
   * @defaultValue 60000
   */
  maxRows: number;
  /** @defaultValue 7 */
  seed: number;
}

export const DEFAULT_MLP_OPTIONS: Readonly<MlpOptions> = Object.freeze({
  hidden: [64, 32],
  epochs: 30,
  batchSize: 512,
  learningRate: 0.001,
  patience: 4,
  positiveWeight: 'auto',
  l2: 1e-5,
  maxRows: 60_000,
  seed: 7,
});

export interface MlpDataset {
  X: Float32Array;
  nFeatures: number;
  y: Uint8Array;
}

export interface MlpFitResult {
  model: MlpModel;
  epochs: number;
  bestEpoch: number;
  /** Validation log-loss (weighted as in training) after each epoch. */
  history: number[];
  backend: string;
}

/**
 * Trains the network with TensorFlow.js: weighted sigmoid cross-entropy, Adam, seeded initialisation and shuffling,
 * early stopping on the validation loss keeping the best epoch's weights.
 */
export async function fitMlp(
  train: MlpDataset,
  validation: MlpDataset | undefined,
  options: Partial<MlpOptions> = {},
  onEpoch?: (epoch: number, epochs: number) => void,
): Promise<MlpFitResult> {
  const o = { ...DEFAULT_MLP_OPTIONS, ...options };
  if (o.hidden.some((u) => !Number.isInteger(u) || u < 1)) throw new ValidationError(`hidden: expected positive whole numbers, got [${o.hidden}]`, []);
  const backend = await initTensorflow();
  const pre = fitPreprocessing(train.X, train.nFeatures);
  const width = inputWidth(pre);
  const rows = train.y.length;
  const positives = train.y.reduce((a, b) => a + b, 0);
  const wPos = o.positiveWeight === 'auto' ? Math.sqrt(Math.max(rows - positives, 1) / Math.max(positives, 1)) : o.positiveWeight;
  const rand = createRandom(o.seed);

  const sizes = [width, ...o.hidden, 1];
  const vars = sizes.slice(1).map((units, l) => {
    const inputs = sizes[l] as number;
    const scale = Math.sqrt(2 / inputs); // He initialisation for ReLU layers
    const w = Float32Array.from({ length: inputs * units }, () => gaussian(rand) * scale);
    return { w: tf.variable(tf.tensor2d(w, [inputs, units])), b: tf.variable(tf.zeros([units])) };
  });
  const forward = (x: tf.Tensor2D): tf.Tensor2D => {
    let h: tf.Tensor2D = x;
    vars.forEach((v, l) => {
      h = tf.add(tf.matMul(h, v.w), v.b) as tf.Tensor2D;
      if (l < vars.length - 1) h = tf.relu(h);
    });
    return h;
  };
  const lossOf = (x: tf.Tensor2D, y: tf.Tensor2D, w: tf.Tensor2D) =>
    tf.tidy(() => {
      const data = tf.losses.sigmoidCrossEntropy(y, forward(x), w, 0, tf.Reduction.SUM_BY_NONZERO_WEIGHTS);
      const penalty = vars.reduce((acc, v) => acc.add(tf.sum(tf.square(v.w))), tf.scalar(0));
      return data.add(penalty.mul(o.l2)) as tf.Scalar;
    });

  const xTrain = preprocess(pre, train.X);
  const valTensors = validation
    ? {
        x: tf.tensor2d(preprocess(pre, validation.X), [validation.y.length, width]),
        y: tf.tensor2d(Float32Array.from(validation.y), [validation.y.length, 1]),
        w: tf.tensor2d(Float32Array.from(validation.y, (v) => (v ? wPos : 1)), [validation.y.length, 1]),
      }
    : undefined;

  const optimizer = tf.train.adam(o.learningRate);
  const negativeRate = Math.min(1, Math.max(0, o.maxRows - positives) / Math.max(1, rows - positives));
  const negatives = Int32Array.from({ length: rows }, (_, i) => i).filter((i) => !train.y[i]);
  const positiveRows = Int32Array.from({ length: rows }, (_, i) => i).filter((i) => train.y[i] === 1);
  const wNeg = 1 / Math.max(negativeRate, 1e-9);
  const history: number[] = [];
  let best = Infinity;
  let bestEpoch = -1;
  let bestWeights: DenseLayer[] = snapshot(vars, sizes);
  let epoch = 0;
  for (; epoch < o.epochs; epoch++) {
    shuffle(negatives, rand);
    const order = Int32Array.from([...positiveRows, ...negatives.subarray(0, Math.round(negatives.length * negativeRate))]);
    shuffle(order, rand);
    for (let start = 0; start < order.length; start += o.batchSize) {
      const idx = order.subarray(start, Math.min(order.length, start + o.batchSize));
      const xb = new Float32Array(idx.length * width);
      const yb = new Float32Array(idx.length);
      const wb = new Float32Array(idx.length);
      idx.forEach((r, i) => {
        xb.set(xTrain.subarray(r * width, (r + 1) * width), i * width);
        yb[i] = train.y[r] as number;
        wb[i] = train.y[r] ? wPos : wNeg;
      });
      const x = tf.tensor2d(xb, [idx.length, width]);
      const y = tf.tensor2d(yb, [idx.length, 1]);
      const w = tf.tensor2d(wb, [idx.length, 1]);
      optimizer.minimize(() => lossOf(x, y, w));
      tf.dispose([x, y, w]);
    }
    onEpoch?.(epoch, o.epochs);
    if (!valTensors) continue;
    const loss = lossOf(valTensors.x, valTensors.y, valTensors.w);
    const value = (await loss.data())[0] as number;
    loss.dispose();
    history.push(value);
    if (value < best - 1e-6) {
      best = value;
      bestEpoch = epoch;
      bestWeights = snapshot(vars, sizes);
    } else if (epoch - bestEpoch >= o.patience) {
      epoch++;
      break;
    }
  }
  const layers = valTensors ? bestWeights : snapshot(vars, sizes);
  if (valTensors) tf.dispose([valTensors.x, valTensors.y, valTensors.w]);
  tf.dispose(vars.flatMap((v) => [v.w, v.b]));
  optimizer.dispose();
  return { model: { kind: 'mlp', preprocessing: pre, layers }, epochs: epoch, bestEpoch: valTensors ? bestEpoch : epoch - 1, history, backend };
}

function snapshot(vars: { w: tf.Variable; b: tf.Variable }[], sizes: number[]): DenseLayer[] {
  return vars.map((v, l) => ({
    inputs: sizes[l] as number,
    units: sizes[l + 1] as number,
    weights: Array.from(v.w.dataSync()),
    bias: Array.from(v.b.dataSync()),
    activation: l < vars.length - 1 ? 'relu' : 'linear',
  }));
}

/** Box–Muller standard normal draw. */
function gaussian(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/** Fisher–Yates shuffle in place. */
function shuffle(a: Int32Array, rand: () => number): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = a[i] as number;
    a[i] = a[j] as number;
    a[j] = t;
  }
}
