/**
 * The small ranked set several metric tests share. Sorted by score:
 *   0.9 fraud | 0.8 legit, 0.8 fraud | 0.7 legit | 0.6 fraud, 0.6 legit | 0.3 legit
 * 3 frauds and 4 legit events, with ties that straddle the classes at 0.8 and 0.6.
 */
export const SCORES = Float64Array.from([0.9, 0.8, 0.8, 0.7, 0.6, 0.6, 0.3]);
export const LABELS = Uint8Array.from([1, 0, 1, 0, 1, 0, 0]);
