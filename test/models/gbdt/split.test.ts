import { emptyCandidate, findBestSplit, leafWeight } from '../../../models/gbdt/split';

/** One feature with 3 present bins and a missing bin; [gradient, hessian] per bin. */
function histogram(bins: [number, number][]): Float64Array {
  return Float64Array.from(bins.flat());
}

const oneFeature = { features: Int32Array.from([0]), histOffset: Int32Array.from([0]), nBins: Int32Array.from([3]) };

function best(hist: Float64Array, params = { lambda: 1, minChildWeight: 0, gamma: 0 }) {
  let G = 0;
  let H = 0;
  for (let j = 0; j < hist.length; j += 2) {
    G += hist[j]!;
    H += hist[j + 1]!;
  }
  const candidate = emptyCandidate();
  findBestSplit(hist, oneFeature.features, 0, 1, oneFeature.histOffset, oneFeature.nBins, G, H, params, candidate);
  return candidate;
}

describe('leafWeight', () => {
  it('is -G / (H + lambda)', () => {
    expect(leafWeight(-3, 5, 1)).toBeCloseTo(3 / (5 + 1));
    expect(leafWeight(2, 0, 2)).toBeCloseTo(-2 / 2);
  });
});

describe('findBestSplit', () => {
  it('finds the boundary with the largest gain, as XGBoost computes it', () => {
    // Bins 0 and 1 hold negatives (positive gradient), bin 2 positives; no missing values.
    const hist = histogram([
      [2, 4],
      [1, 2],
      [-6, 3],
      [0, 0],
    ]);
    const split = best(hist);
    expect(split.feature).toBe(0);
    expect(split.bin).toBe(1);
    expect(split.gradLeft).toBeCloseTo(3);
    expect(split.hessLeft).toBeCloseTo(6);
    const gain = (3 * 3) / (6 + 1) + (6 * 6) / (3 + 1) - (3 * 3) / (9 + 1);
    expect(split.gain).toBeCloseTo(gain);
    // Without missing values the default side is the child with more cover.
    expect(split.defaultLeft).toBe(true);
  });

  it('learns to send missing values to the side they resemble', () => {
    // Missing rows look like bin 2 (negative gradients): they should go right with it.
    const hist = histogram([
      [2, 4],
      [1, 2],
      [-6, 3],
      [-4, 2],
    ]);
    const split = best(hist);
    expect(split.bin).toBe(1);
    expect(split.defaultLeft).toBe(false);
    expect(split.gradRight).toBeCloseTo(-10);
    expect(split.hessRight).toBeCloseTo(5);
  });

  it('splits missing against present values when that is best', () => {
    const hist = histogram([
      [1, 2],
      [1, 2],
      [1, 2],
      [-9, 3],
    ]);
    const split = best(hist);
    expect(split.bin).toBe(-1);
    expect(split.defaultLeft).toBe(true);
    expect(split.gradLeft).toBeCloseTo(-9);
    expect(split.gradRight).toBeCloseTo(3);
  });

  it('respects minChildWeight', () => {
    const hist = histogram([
      [2, 4],
      [1, 2],
      [-6, 3],
      [0, 0],
    ]);
    // Each side needs hessian >= 5: only "bins 0 | 1, 2" (4 vs 5) fails, "0, 1 | 2" (6 vs 3) fails: no split.
    expect(best(hist, { lambda: 1, minChildWeight: 5, gamma: 0 }).feature).toBe(-1);
    expect(best(hist, { lambda: 1, minChildWeight: 3, gamma: 0 }).bin).toBe(1);
  });

  it('never proposes an empty child', () => {
    // All rows in bin 0: every boundary leaves one side empty.
    const hist = histogram([
      [5, 4],
      [0, 0],
      [0, 0],
      [0, 0],
    ]);
    expect(best(hist).feature).toBe(-1);
  });
});
