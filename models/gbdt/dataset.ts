import { ValidationError } from '../../core/errors';

/**
 * A labelled feature matrix. `X` is dense and row-major (row `i`, feature `f` at `X[i * nFeatures + f]`), the
 * layout of feature vectors, CSV rows and ONNX `[N, F]` inputs; NaN means missing. Training transposes it once
 * into per-feature bins, so the layout costs nothing there. An `X` on a SharedArrayBuffer lets worker threads bin it
 * without copying it first.
 */
export interface GbdtDataset {
  X: Float32Array;
  nFeatures: number;
  /** 1 = positive (fraud), 0 = negative; one per row. */
  y: Uint8Array | Float32Array;
  /** Optional non-negative sample weights, one per row (default 1). */
  weight?: Float32Array | Float64Array;
}

/** Number of rows of a row-major matrix, checking that its length is a whole number of rows. */
export function rowCount(X: Float32Array | Float64Array, nFeatures: number, name: string): number {
  if (!Number.isInteger(nFeatures) || nFeatures < 1) {
    throw new ValidationError(`${name}.nFeatures: expected a whole number >= 1, got ${nFeatures}`, [
      { path: [name, 'nFeatures'], message: `expected a whole number >= 1, got ${nFeatures}` },
    ]);
  }
  if (X.length % nFeatures !== 0) {
    const message = `length ${X.length} is not a multiple of nFeatures ${nFeatures}`;
    throw new ValidationError(`${name}.X: ${message}`, [{ path: [name, 'X'], message }]);
  }
  return X.length / nFeatures;
}

function fail(name: string, field: string, index: number, message: string): never {
  throw new ValidationError(`${name}.${field}[${index}]: ${message}`, [{ path: [name, field, index], message }]);
}

/**
 * Checks shapes and values of a data set: feature values finite or NaN (an infinite value has no bin), labels 0 or
 * 1, weights finite and non-negative. Throws a {@link ValidationError} naming the data set, field and first bad
 * index (for `X`, the row and feature). Returns the number of rows.
 */
export function assertGbdtDataset(data: GbdtDataset, name: string): number {
  if (!(data.X instanceof Float32Array)) {
    throw new ValidationError(`${name}.X: expected a Float32Array`, [{ path: [name, 'X'], message: 'expected a Float32Array' }]);
  }
  const nRows = rowCount(data.X, data.nFeatures, name);
  if (nRows < 1) throw new ValidationError(`${name}.X: no rows`, [{ path: [name, 'X'], message: 'no rows' }]);
  const X = data.X;
  for (let i = 0; i < X.length; i++) {
    const x = X[i]!;
    if (x === Infinity || x === -Infinity) {
      const row = Math.floor(i / data.nFeatures);
      fail(name, 'X', i, `row ${row}, feature ${i - row * data.nFeatures}: expected a finite number or NaN, got ${x}`);
    }
  }
  if (data.y.length !== nRows) {
    const message = `expected ${nRows} labels (one per row), got ${data.y.length}`;
    throw new ValidationError(`${name}.y: ${message}`, [{ path: [name, 'y'], message }]);
  }
  for (let i = 0; i < nRows; i++) {
    const label = data.y[i]!;
    if (label !== 0 && label !== 1) fail(name, 'y', i, `expected 0 or 1, got ${label}`);
  }
  if (data.weight) {
    if (data.weight.length !== nRows) {
      const message = `expected ${nRows} weights (one per row), got ${data.weight.length}`;
      throw new ValidationError(`${name}.weight: ${message}`, [{ path: [name, 'weight'], message }]);
    }
    for (let i = 0; i < nRows; i++) {
      const w = data.weight[i]!;
      if (!(w >= 0 && w < Infinity)) fail(name, 'weight', i, `expected a finite number >= 0, got ${w}`);
    }
  }
  return nRows;
}
