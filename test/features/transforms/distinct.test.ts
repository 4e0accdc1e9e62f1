import { distinctInWindows, fraudLabelsKnown, fraudShareInWindow } from '../../../features/transforms/distinct';
import { DAY, HOUR } from '../../../features/transforms/time';

const NOW = Date.UTC(2026, 0, 15, 12);

describe('distinctInWindows', () => {
  // Ascending times with the sender of each withdrawal.
  const ts = [NOW - 30 * DAY, NOW - 20 * DAY, NOW - 7 * DAY, NOW - 2 * DAY, NOW - DAY, NOW - HOUR, NOW - 1, NOW, NOW + 1];
  const users = ['old', 'a', 'b', 'c', 'b', 'a', 'd', 'a', 'future'];

  it('counts distinct values per window, each window (now − w, now]', () => {
    // 1d: a, d (NOW − DAY is on the edge, out); 7d adds b, c (NOW − 7d out); 30d adds nothing new but 'a' at −20d.
    expect(distinctInWindows(ts, users, NOW, [DAY, 7 * DAY, 30 * DAY])).toEqual([2, 4, 4]);
    // Widening each window by 1 ms takes in its edge entry: b at −1d, b at −7d (already counted), 'old' at −30d.
    expect(distinctInWindows(ts, users, NOW, [DAY + 1, 7 * DAY + 1, 30 * DAY + 1])).toEqual([3, 4, 5]);
  });

  it('agrees with one window at a time', () => {
    const windows = [HOUR, DAY, 3 * DAY, 7 * DAY, 30 * DAY, 60 * DAY];
    const together = distinctInWindows(ts, users, NOW, windows);
    const alone = windows.map((w) => distinctInWindows(ts, users, NOW, [w])[0]);
    expect(together).toEqual(alone);
  });

  it('is 0 in every window without entries', () => {
    expect(distinctInWindows([], [], NOW, [HOUR, DAY])).toEqual([0, 0]);
  });
});

describe('fraudShareInWindow', () => {
  const ts = [NOW - 8 * DAY, NOW - 3 * DAY, NOW - 2 * DAY, NOW - DAY];
  const ids = ['w1', 'w2', 'w3', 'w4'];

  it('is the share of windowed entries with a fraud label known by now', () => {
    const labels = new Map<string, [number, number]>([
      ['w1', [NOW - 7 * DAY, 1]], // outside the 7d window: not counted at all
      ['w2', [NOW - 2 * DAY, 1]],
      ['w3', [NOW - HOUR, 0]], // legit
    ]);
    expect(fraudShareInWindow(ts, ids, labels, NOW, 7 * DAY)).toBe(1 / 3);
    expect(fraudShareInWindow(ts, ids, labels, NOW, 30 * DAY)).toBe(2 / 4);
  });

  it('counts a label only from its own time, not from the time of the event it labels', () => {
    const labels = new Map<string, [number, number]>([['w2', [NOW, 1]]]);
    expect(fraudShareInWindow(ts, ids, labels, NOW - 1, 7 * DAY)).toBe(0); // w2, w3, w4 in the window, none known fraud
    expect(fraudShareInWindow(ts, ids, labels, NOW, 7 * DAY)).toBe(1 / 3);
  });

  it('is unknown (NaN) when the window holds no entry', () => {
    expect(fraudShareInWindow(ts, ids, new Map(), NOW + 30 * DAY, 7 * DAY)).toBeNaN();
  });
});

describe('fraudLabelsKnown', () => {
  const labels = new Map<string, [number, number]>([
    ['a', [NOW - 40 * DAY, 1]],
    ['b', [NOW - 30 * DAY, 1]], // on the edge of a 30d window: out
    ['c', [NOW - DAY, 1]],
    ['d', [NOW - HOUR, 0]], // legit
    ['e', [NOW, 1]],
    ['f', [NOW + 1, 1]], // not known yet
  ]);

  it('counts fraud labels known by now, all of them or those of the window', () => {
    expect(fraudLabelsKnown(labels, NOW)).toBe(4);
    expect(fraudLabelsKnown(labels, NOW, 30 * DAY)).toBe(2);
    expect(fraudLabelsKnown(labels, NOW - 1)).toBe(3);
  });
});
