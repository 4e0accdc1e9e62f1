import { haversineKm } from '../../core/geo';
/**
 * The world map of the synthetic data: cities users live in, travel to, log in from through VPNs and attack from.
 * Offsets are standard time (daylight saving is ignored: an hour of drift in login habits is noise anyway).
 */

export interface City {
  name: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
  lat: number;
  lon: number;
  /** Hours from UTC (standard time). */
  utcOffset: number;
  /** Relative share of users living here. */
  weight: number;
}

export const CITIES: readonly City[] = [
  { name: 'New York', country: 'US', lat: 40.7128, lon: -74.006, utcOffset: -5, weight: 8 },
  { name: 'Los Angeles', country: 'US', lat: 34.0522, lon: -118.2437, utcOffset: -8, weight: 6 },
  { name: 'Chicago', country: 'US', lat: 41.8781, lon: -87.6298, utcOffset: -6, weight: 4 },
  { name: 'Toronto', country: 'CA', lat: 43.6532, lon: -79.3832, utcOffset: -5, weight: 4 },
  { name: 'Mexico City', country: 'MX', lat: 19.4326, lon: -99.1332, utcOffset: -6, weight: 4 },
  { name: 'São Paulo', country: 'BR', lat: -23.5505, lon: -46.6333, utcOffset: -3, weight: 6 },
  { name: 'Buenos Aires', country: 'AR', lat: -34.6037, lon: -58.3816, utcOffset: -3, weight: 4 },
  { name: 'Bogotá', country: 'CO', lat: 4.711, lon: -74.0721, utcOffset: -5, weight: 3 },
  { name: 'Lima', country: 'PE', lat: -12.0464, lon: -77.0428, utcOffset: -5, weight: 2 },
  { name: 'London', country: 'GB', lat: 51.5074, lon: -0.1278, utcOffset: 0, weight: 8 },
  { name: 'Paris', country: 'FR', lat: 48.8566, lon: 2.3522, utcOffset: 1, weight: 5 },
  { name: 'Berlin', country: 'DE', lat: 52.52, lon: 13.405, utcOffset: 1, weight: 5 },
  { name: 'Frankfurt', country: 'DE', lat: 50.1109, lon: 8.6821, utcOffset: 1, weight: 2 },
  { name: 'Amsterdam', country: 'NL', lat: 52.3676, lon: 4.9041, utcOffset: 1, weight: 3 },
  { name: 'Madrid', country: 'ES', lat: 40.4168, lon: -3.7038, utcOffset: 1, weight: 4 },
  { name: 'Rome', country: 'IT', lat: 41.9028, lon: 12.4964, utcOffset: 1, weight: 3 },
  { name: 'Warsaw', country: 'PL', lat: 52.2297, lon: 21.0122, utcOffset: 1, weight: 3 },
  { name: 'Stockholm', country: 'SE', lat: 59.3293, lon: 18.0686, utcOffset: 1, weight: 2 },
  { name: 'Zurich', country: 'CH', lat: 47.3769, lon: 8.5417, utcOffset: 1, weight: 2 },
  { name: 'Istanbul', country: 'TR', lat: 41.0082, lon: 28.9784, utcOffset: 3, weight: 5 },
  { name: 'Kyiv', country: 'UA', lat: 50.4501, lon: 30.5234, utcOffset: 2, weight: 3 },
  { name: 'Moscow', country: 'RU', lat: 55.7558, lon: 37.6173, utcOffset: 3, weight: 3 },
  { name: 'Lagos', country: 'NG', lat: 6.5244, lon: 3.3792, utcOffset: 1, weight: 4 },
  { name: 'Nairobi', country: 'KE', lat: -1.2921, lon: 36.8219, utcOffset: 3, weight: 2 },
  { name: 'Johannesburg', country: 'ZA', lat: -26.2041, lon: 28.0473, utcOffset: 2, weight: 2 },
  { name: 'Cairo', country: 'EG', lat: 30.0444, lon: 31.2357, utcOffset: 2, weight: 2 },
  { name: 'Dubai', country: 'AE', lat: 25.2048, lon: 55.2708, utcOffset: 4, weight: 3 },
  { name: 'Tel Aviv', country: 'IL', lat: 32.0853, lon: 34.7818, utcOffset: 2, weight: 1 },
  { name: 'Mumbai', country: 'IN', lat: 19.076, lon: 72.8777, utcOffset: 5.5, weight: 5 },
  { name: 'Delhi', country: 'IN', lat: 28.7041, lon: 77.1025, utcOffset: 5.5, weight: 4 },
  { name: 'Bangalore', country: 'IN', lat: 12.9716, lon: 77.5946, utcOffset: 5.5, weight: 4 },
  { name: 'Singapore', country: 'SG', lat: 1.3521, lon: 103.8198, utcOffset: 8, weight: 4 },
  { name: 'Jakarta', country: 'ID', lat: -6.2088, lon: 106.8456, utcOffset: 7, weight: 4 },
  { name: 'Manila', country: 'PH', lat: 14.5995, lon: 120.9842, utcOffset: 8, weight: 4 },
  { name: 'Bangkok', country: 'TH', lat: 13.7563, lon: 100.5018, utcOffset: 7, weight: 3 },
  { name: 'Ho Chi Minh City', country: 'VN', lat: 10.8231, lon: 106.6297, utcOffset: 7, weight: 4 },
  { name: 'Hong Kong', country: 'HK', lat: 22.3193, lon: 114.1694, utcOffset: 8, weight: 3 },
  { name: 'Seoul', country: 'KR', lat: 37.5665, lon: 126.978, utcOffset: 9, weight: 5 },
  { name: 'Tokyo', country: 'JP', lat: 35.6762, lon: 139.6503, utcOffset: 9, weight: 5 },
  { name: 'Sydney', country: 'AU', lat: -33.8688, lon: 151.2093, utcOffset: 10, weight: 3 },
  { name: 'Auckland', country: 'NZ', lat: -36.8485, lon: 174.7633, utcOffset: 12, weight: 1 },
];

/** What IP geolocation says about an address: a fixed point per network, as in a geolocation database. */
export interface Geo {
  country: string;
  city: string;
  lat: number;
  lon: number;
}

/** Where addresses of each city's shared networks geolocate: the city centre. */
export const CITY_GEOS: readonly Geo[] = CITIES.map((c) => ({ country: c.country, city: c.name, lat: c.lat, lon: c.lon }));

/** {@link CITIES}' weights, in table order, for weighted picks. */
export const CITY_WEIGHTS: readonly number[] = CITIES.map((c) => c.weight);

export function cityAt(index: number): City {
  const city = CITIES[index];
  if (!city) throw new RangeError(`no city #${index}`);
  return city;
}

/** Great-circle distance in km between two points (the same formula as the features use). */
export const distanceKm = haversineKm;

/** Distance in km between two cities of {@link CITIES}. */
export function cityDistanceKm(a: number, b: number): number {
  const ca = cityAt(a);
  const cb = cityAt(b);
  return distanceKm(ca.lat, ca.lon, cb.lat, cb.lon);
}
