import { haversineKm, localHour, travelSpeedKmh } from '../../../features/transforms/geo';

const R = 6371.0088; // the mean Earth radius the transform uses
const dms = (d: number, m: number, s: number) => d + m / 60 + s / 3600;

describe('haversineKm', () => {
  it('matches known city distances', () => {
    // Land's End to John o' Groats, the worked example of movable-type.co.uk/scripts/latlong.html: 968.9 km.
    expect(haversineKm(dms(50, 3, 59), -dms(5, 42, 53), dms(58, 38, 38), -dms(3, 4, 12))).toBeCloseTo(968.9, 0);
    // Nashville BNA to Los Angeles LAX, Rosetta Code's haversine task: 2887.2599506 km with R = 6372.8 km.
    expect(haversineKm(36.12, -86.67, 33.94, -118.4)).toBeCloseTo((2887.2599506071106 * R) / 6372.8, 6);
    // Paris to London, about 344 km; New York to Los Angeles, about 3936 km.
    expect(Math.abs(haversineKm(48.8566, 2.3522, 51.5074, -0.1278) - 344)).toBeLessThan(1);
    expect(Math.abs(haversineKm(40.7128, -74.006, 34.0522, -118.2437) - 3936)).toBeLessThan(2);
  });

  it('follows the sphere: a degree on the equator, a quarter meridian, the antipode', () => {
    expect(haversineKm(0, 0, 0, 1)).toBeCloseTo((2 * Math.PI * R) / 360, 9);
    expect(haversineKm(0, 0, 90, 0)).toBeCloseTo((Math.PI * R) / 2, 9);
    expect(haversineKm(0, 0, 0, 180)).toBeCloseTo(Math.PI * R, 9);
    expect(haversineKm(10, 179.5, 10, -179.5)).toBeCloseTo(haversineKm(10, 0, 10, 1), 9); // across the date line
  });

  it('is symmetric and 0 for the same point', () => {
    expect(haversineKm(52.52, 13.405, 52.52, 13.405)).toBe(0);
    expect(haversineKm(52.52, 13.405, 35.6762, 139.6503)).toBe(haversineKm(35.6762, 139.6503, 52.52, 13.405));
  });
});

describe('travelSpeedKmh', () => {
  it('is distance over elapsed hours', () => {
    expect(travelSpeedKmh(900, 2 * 3_600_000)).toBe(900 / 2);
  });

  it('floors the elapsed time at 5 minutes, so coarse geolocation seconds apart is not 10^5 km/h', () => {
    expect(travelSpeedKmh(100, 60_000)).toBeCloseTo(100 / (5 / 60), 9);
    expect(travelSpeedKmh(100, 0)).toBeCloseTo(100 / (5 / 60), 9);
    expect(travelSpeedKmh(100, 10 * 60_000)).toBeCloseTo(100 / (10 / 60), 9);
    expect(travelSpeedKmh(100, 60_000, 1)).toBe(100); // another floor: 1 hour
  });
});

describe('localHour', () => {
  const at2330 = Date.UTC(2026, 0, 5, 23, 30);

  it('is the UTC hour without a longitude', () => {
    expect(localHour(at2330, undefined)).toBe(23);
    expect(localHour(Date.UTC(2026, 0, 5, 0, 59), undefined)).toBe(0);
  });

  it('shifts by one hour per 15° of longitude, rounded, wrapping around midnight', () => {
    expect(localHour(at2330, 0)).toBe(23);
    expect(localHour(at2330, 15)).toBe(0); // 23 + 1
    expect(localHour(at2330, 7.4)).toBe(23); // round(0.49) = 0
    expect(localHour(at2330, 7.5)).toBe(0); // round(0.5) = 1
    expect(localHour(at2330, -120)).toBe(23 - 8);
    expect(localHour(at2330, 180)).toBe((23 + 12) % 24);
    expect(localHour(Date.UTC(2026, 0, 5, 2), -74)).toBe(2 - 5 + 24); // New York, the evening before
  });
});
