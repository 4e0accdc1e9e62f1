import { countInWindow, countsAndSumsInWindows, countSeenSince, countsInWindows, DAY, elapsed, HOUR, latestInWindow, MINUTE } from '../../../features/transforms/time';

const NOW = Date.UTC(2026, 0, 15, 12);

describe('countInWindow', () => {
  it('counts the window (now − w, now]: the far edge excluded, now included', () => {
    const ts = [NOW - HOUR - 1, NOW - HOUR, NOW - HOUR + 1, NOW - MINUTE, NOW];
    expect(countInWindow(ts, NOW, HOUR)).toBe(3); // NOW − HOUR + 1, NOW − MINUTE, NOW
    expect(countInWindow(ts, NOW, HOUR + 1)).toBe(4); // now NOW − HOUR is inside
  });

  it('counts only entries whose flag matches when flags are given (failed attempts)', () => {
    const ts = [NOW - 2 * HOUR, NOW - 30 * MINUTE, NOW - 20 * MINUTE, NOW - MINUTE];
    const ok = [0, 0, 1, 0];
    expect(countInWindow(ts, NOW, HOUR, ok, 0)).toBe(2); // NOW − 30 min and NOW − 1 min failed; NOW − 2 h is outside
    expect(countInWindow(ts, NOW, HOUR, ok, 1)).toBe(1);
  });

  it('ignores entries after now (a late reader never sees the future)', () => {
    expect(countInWindow([NOW - 10, NOW + 1, NOW + HOUR], NOW, HOUR)).toBe(1);
  });

  it('is 0 without entries', () => {
    expect(countInWindow([], NOW, DAY)).toBe(0);
  });
});

describe('countsInWindows', () => {
  it('gives, for each window, what countInWindow gives for that window alone', () => {
    const ts = [NOW - 8 * DAY, NOW - DAY, NOW - HOUR - 1, NOW - HOUR, NOW - 30 * MINUTE, NOW - MINUTE, NOW, NOW + 1];
    const ok = [0, 1, 0, 0, 1, 0, 0, 0];
    const windows = [15 * MINUTE, HOUR, HOUR + 1, DAY, 7 * DAY, 30 * DAY];
    const out = countsInWindows(ts, NOW, windows, ok, 0);
    windows.forEach((w, i) => {
      expect(out[i]).toBe(countInWindow(ts, NOW, w));
      expect(out[windows.length + i]).toBe(countInWindow(ts, NOW, w, ok, 0));
    });
  });

  it('is 0 for every window without entries', () => {
    expect(countsInWindows([], NOW, [HOUR, DAY])).toEqual([0, 0, 0, 0]);
  });
});

describe('countsAndSumsInWindows', () => {
  it('counts and sums the values inside (now − w, now] per window, skipping unknown (NaN) values', () => {
    const ts = [NOW - DAY, NOW - HOUR, NOW - MINUTE, NOW, NOW + 1];
    const usd = [1000, 20, Number.NaN, 5, 7000];
    expect(countsAndSumsInWindows(ts, usd, NOW, [DAY, DAY + 1])).toEqual([3, 4, 20 + 5, 1000 + 20 + 5]);
  });

  it('adds newest first, as a scan of one window would, so sums are bit-identical', () => {
    const ts = [NOW - 3 * HOUR, NOW - 2 * HOUR, NOW - HOUR];
    const usd = [0.1, 0.2, 0.3];
    const [, , oneHour, threeHours] = countsAndSumsInWindows(ts, usd, NOW, [90 * MINUTE, 4 * HOUR]);
    expect(oneHour).toBe(0.3);
    expect(threeHours).toBe(0.3 + 0.2 + 0.1);
  });
});

describe('countSeenSince', () => {
  it('counts [first, last] pairs by their last sighting within (now − w, now]', () => {
    const seen = [
      [NOW - 40 * DAY, NOW - 30 * DAY], // last seen exactly at the edge: out
      [NOW - 40 * DAY, NOW - 30 * DAY + 1],
      [NOW - DAY, NOW],
      [NOW - DAY, NOW + 1], // seen after now: out
    ];
    expect(countSeenSince(seen, NOW, 30 * DAY)).toBe(2);
  });
});

describe('latestInWindow', () => {
  it('is the newest entry in (now − w, now]: entries after now are skipped, the far edge is excluded', () => {
    expect(latestInWindow([NOW - 2 * DAY, NOW - HOUR, NOW + MINUTE], NOW, DAY)).toBe(NOW - HOUR);
    expect(latestInWindow([NOW - DAY - 1, NOW], NOW, DAY)).toBe(NOW);
    expect(latestInWindow([NOW - DAY + 1], NOW, DAY)).toBe(NOW - DAY + 1);
  });

  it('is undefined when no entry is in the window, even with older or later ones', () => {
    expect(latestInWindow([NOW - 2 * DAY, NOW - DAY, NOW + 1], NOW, DAY)).toBeUndefined();
    expect(latestInWindow([], NOW, DAY)).toBeUndefined();
  });
});

describe('elapsed', () => {
  it('is the time since in the given unit, or NaN when there is no time to measure from', () => {
    expect(elapsed(NOW, NOW - 90 * MINUTE, HOUR)).toBe(1.5);
    expect(elapsed(NOW, NOW - 3 * DAY, DAY)).toBe(3);
    expect(elapsed(NOW, undefined, HOUR)).toBeNaN();
  });
});

