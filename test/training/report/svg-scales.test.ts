import { formatCompact, linearScale, logScale, niceStep } from '../../../training/report/svg-scales';

describe('niceStep', () => {
  it('rounds a raw step up to 1, 2 or 5 × 10^k', () => {
    expect(niceStep(0.2)).toBeCloseTo(0.2);
    expect(niceStep(0.23)).toBeCloseTo(0.5);
    expect(niceStep(1.2)).toBe(2);
    expect(niceStep(7)).toBe(10);
    expect(niceStep(1100)).toBe(2000);
  });
});

describe('linearScale', () => {
  it('maps the domain onto the range, backwards for y axes', () => {
    const y = linearScale([0, 1], [300, 10]);
    expect(y.map(0)).toBe(300);
    expect(y.map(1)).toBe(10);
    expect(y.map(0.5)).toBeCloseTo((300 + 10) / 2);
  });

  it('puts ticks on round numbers without float noise', () => {
    const x = linearScale([0, 1], [0, 100]);
    expect(x.ticks).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(x.ticks.map(x.format)).toEqual(['0.0', '0.2', '0.4', '0.6', '0.8', '1.0']);
    expect(linearScale([0, 0.3], [0, 100], 3).ticks).toEqual([0, 0.1, 0.2, 0.3]);
  });

  it('with nice, grows the domain to the enclosing ticks so no bar passes the last label', () => {
    const x = linearScale([0, 5380], [0, 600], 6, true);
    expect(x.domain).toEqual([0, 6000]);
    expect(x.ticks).toEqual([0, 1000, 2000, 3000, 4000, 5000, 6000]);
    expect(x.map(6000)).toBe(600);
  });

  it('widens a zero-width domain instead of dividing by zero', () => {
    const x = linearScale([0, 0], [0, 100]);
    expect(x.map(0)).toBe(50);
    expect(x.ticks.length).toBeGreaterThan(1);
  });
});

describe('logScale', () => {
  it('maps decades to equal distances', () => {
    const y = logScale([1, 1000], [300, 0]);
    expect(y.map(1)).toBe(300);
    expect(y.map(10)).toBeCloseTo(200);
    expect(y.map(100)).toBeCloseTo(100);
    expect(y.map(1000)).toBe(0);
  });

  it('ticks on powers of ten, in compact labels', () => {
    const y = logScale([0.5, 26000], [300, 0]);
    expect(y.ticks).toEqual([1, 10, 100, 1000, 10000]);
    expect(y.ticks.map(y.format)).toEqual(['1', '10', '100', '1k', '10k']);
  });

  it('adds 2× and 5× ticks when the domain spans fewer than three decades', () => {
    expect(logScale([0.5, 30], [300, 0]).ticks).toEqual([1, 2, 5, 10, 20]);
  });

  it('refuses a domain that is not positive and increasing', () => {
    expect(() => logScale([0, 10], [0, 1])).toThrow(/0 < low < high, got \[0, 10\]/);
  });
});

describe('formatCompact', () => {
  it('shortens thousands and millions to three significant digits', () => {
    expect(formatCompact(950)).toBe('950');
    expect(formatCompact(1500)).toBe('1.5k');
    expect(formatCompact(2_345_678)).toBe('2.35M');
    expect(formatCompact(0.012345)).toBe('0.0123');
  });
});
