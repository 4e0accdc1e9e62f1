import { distanceKm } from '../../../data/generator/cities';
import { isWeekend, isoTimestamp } from '../../../data/generator/events';
import { Rng } from '../../../data/generator/prng';

describe('isoTimestamp', () => {
  it('matches Date.toISOString', () => {
    const rng = new Rng(5, 1);
    for (let i = 0; i < 5000; i++) {
      const ms = Date.parse('2025-12-30T00:00:00Z') + Math.floor(rng.float() * 400 * 86_400_000);
      expect(isoTimestamp(ms)).toBe(new Date(ms).toISOString());
    }
  });
});

describe('distanceKm', () => {
  it('gives great-circle distances', () => {
    expect(distanceKm(51.5074, -0.1278, 48.8566, 2.3522)).toBeCloseTo(344, -1); // London–Paris
    expect(distanceKm(40.7128, -74.006, 35.6762, 139.6503)).toBeCloseTo(10850, -2); // New York–Tokyo
    expect(distanceKm(10, 20, 10, 20)).toBe(0);
  });
});

describe('isWeekend', () => {
  it('agrees with Date.getUTCDay', () => {
    for (let day = 0; day < 30; day++) {
      const ms = Date.parse('2026-01-01T13:00:00Z') + day * 86_400_000;
      const utcDay = new Date(ms).getUTCDay();
      expect(isWeekend(ms)).toBe(utcDay === 0 || utcDay === 6);
    }
  });
});
