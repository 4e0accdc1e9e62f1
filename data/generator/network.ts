import { CITIES } from './cities';
import type { Rng } from './prng';

/**
 * The synthetic Internet: which IP ranges belong to which city and what kind of network. Everyone draws from the same
 * pools, so an IP or a range says something but never everything: home ISPs, mobile carriers (many users behind
 * one range), shared office/university/café addresses, hotels, and datacenters used alike by VPN customers, API
 * traders and attackers.
 */

/** A hosting provider's range: where its exit addresses geolocate. */
export interface DatacenterRange {
  prefix: string;
  city: number;
}

/** Hosting ranges (first two octets) and the table city they geolocate to. */
export const DATACENTER_RANGES: readonly DatacenterRange[] = [
  { prefix: '3.120', city: 0 },
  { prefix: '18.184', city: 1 },
  { prefix: '34.89', city: 2 },
  { prefix: '45.76', city: 9 },
  { prefix: '52.58', city: 12 },
  { prefix: '54.93', city: 13 },
  { prefix: '95.179', city: 12 },
  { prefix: '104.131', city: 0 },
  { prefix: '138.68', city: 1 },
  { prefix: '139.59', city: 31 },
  { prefix: '142.93', city: 3 },
  { prefix: '157.245', city: 30 },
  { prefix: '159.65', city: 9 },
  { prefix: '161.35', city: 38 },
  { prefix: '167.99', city: 12 },
  { prefix: '178.62', city: 13 },
  { prefix: '185.220', city: 17 },
  { prefix: '188.166', city: 13 },
  { prefix: '194.165', city: 18 },
  { prefix: '45.32', city: 36 },
  { prefix: '103.253', city: 31 },
  { prefix: '91.243', city: 21 },
  { prefix: '177.54', city: 5 },
];

/** First octets of public unicast space handed to ISPs (no private, loopback, CGNAT or multicast space). */
const ISP_FIRST_OCTETS = [
  2, 5, 24, 31, 37, 41, 46, 49, 58, 59, 60, 61, 62, 66, 68, 71, 73, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87,
  88, 89, 90, 93, 94, 98, 101, 105, 109, 110, 112, 113, 114, 115, 116, 117, 118, 119, 121, 122, 123, 124, 125, 175,
  176, 177, 178, 179, 180, 181, 182, 183, 186, 187, 189, 190, 191, 196, 197, 200, 201, 202, 203, 210, 211, 212, 213,
  217, 218, 219, 220, 221, 222,
];

/** The address pools of one city. */
export interface CityNetwork {
  /** Home broadband /16s: each user gets a /24 in one of them. */
  ispRanges: string[];
  /** Mobile carriers' /16s: every session picks a fresh address, shared with many subscribers. */
  carrierRanges: string[];
  /** Offices, universities and cafés: single addresses shared by dozens of users. */
  sharedIps: string[];
  /** Hotel networks that travellers use. */
  hotelIps: string[];
  /** The city's IPv6 provider prefix (first three hextets). */
  v6Prefix: string;
}

export interface Network {
  cities: CityNetwork[];
}

const hextet = (rng: Rng): string => rng.int(0x10000).toString(16);

/** Users behind one office, university or café address, on average. */
const USERS_PER_SHARED_IP = 25;

/**
 * Builds every city's pools for a population of `users`, with distinct /16s throughout and none inside a datacenter
 * range. Shared addresses scale with the city's expected population, so each keeps a few dozen users.
 */
export function createNetwork(rng: Rng, users: number): Network {
  const totalWeight = CITIES.reduce((sum, c) => sum + c.weight, 0);
  const taken = new Set(DATACENTER_RANGES.map((r) => r.prefix));
  const freshRange = (): string => {
    for (;;) {
      const prefix = `${rng.pick(ISP_FIRST_OCTETS)}.${rng.int(256)}`;
      if (!taken.has(prefix)) {
        taken.add(prefix);
        return prefix;
      }
    }
  };
  const cities = CITIES.map((city): CityNetwork => {
    const sharedIpsPerCity = Math.max(1, Math.round((users * city.weight) / totalWeight / USERS_PER_SHARED_IP));
    const ispRanges = [freshRange(), freshRange(), freshRange()];
    const carrierRanges = [freshRange(), freshRange()];
    const sharedRange = freshRange();
    const sharedIps = Array.from({ length: sharedIpsPerCity }, (_, i) => `${sharedRange}.${i % 250}.${1 + rng.int(254)}`);
    const hotelIps = Array.from({ length: 12 }, () => `${sharedRange}.${250 + rng.int(6)}.${1 + rng.int(254)}`);
    const v6Prefix = `2a${rng.int(16).toString(16)}${rng.int(16).toString(16)}:${hextet(rng)}:${hextet(rng)}`;
    return { ispRanges, carrierRanges, sharedIps, hotelIps, v6Prefix };
  });
  return { cities };
}

export function cityNetwork(network: Network, city: number): CityNetwork {
  const pools = network.cities[city];
  if (!pools) throw new RangeError(`no network for city #${city}`);
  return pools;
}

/** A home broadband /24 (as `a.b.c`) in the city. */
export function homeSubnet(rng: Rng, pools: CityNetwork): string {
  return `${rng.pick(pools.ispRanges)}.${rng.int(256)}`;
}

/** A home IPv6 /64 (four hextets) under the city's provider prefix. */
export function homeV6Subnet(rng: Rng, pools: CityNetwork): string {
  return `${pools.v6Prefix}:${hextet(rng)}`;
}

/** A host in a /24 given as `a.b.c`. */
export function hostIn(rng: Rng, subnet24: string): string {
  return `${subnet24}.${1 + rng.int(254)}`;
}

/** A host in a /64 given as four hextets (the interface id changes as privacy extensions rotate it). */
export function v6HostIn(rng: Rng, subnet64: string): string {
  return `${subnet64}:${hextet(rng)}:${hextet(rng)}:${hextet(rng)}:${hextet(rng)}`;
}

/** A mobile-carrier address in the city: carriers share ranges among many subscribers (CGNAT). */
export function carrierIp(rng: Rng, pools: CityNetwork): string {
  return `${rng.pick(pools.carrierRanges)}.${rng.int(256)}.${1 + rng.int(254)}`;
}

/** A residential address in the city that no particular user owns (home proxies, a friend's wifi). */
export function residentialIp(rng: Rng, pools: CityNetwork): string {
  return `${rng.pick(pools.ispRanges)}.${rng.int(256)}.${1 + rng.int(254)}`;
}

/** An address in a hosting range. */
export function datacenterIp(rng: Rng, range: DatacenterRange): string {
  return `${range.prefix}.${rng.int(256)}.${1 + rng.int(254)}`;
}
