export { haversineKm } from '../../core/geo';

/**
 * Implied travel speed in km/h between two located events. The elapsed time is floored at `minHours` (5 minutes by
 * default): geolocation of IPs is coarse, so two logins seconds apart from neighbouring cities are not 10^5 km/h.
 */
export function travelSpeedKmh(distanceKm: number, elapsedMs: number, minHours = 5 / 60): number {
  return distanceKm / Math.max(elapsedMs / 3_600_000, minHours);
}

/**
 * Local hour of day (0–23) estimated from the longitude (solar time zones of 15°), or the UTC hour when the
 * longitude is unknown. Good enough to compare a user's hours with their own habits.
 */
export function localHour(tsMs: number, lon: number | undefined): number {
  const utcHour = Math.floor(tsMs / 3_600_000) % 24;
  if (lon === undefined) return utcHour;
  return (((utcHour + Math.round(lon / 15)) % 24) + 24) % 24;
}
