import type { Rng } from './prng';

/**
 * Devices and their user-agent strings. Device ids are stable per device (a cookie or an app install id); a new id
 * means a new phone, a new laptop, cleared cookies, or someone else.
 */

export type DeviceKind = 'desktop' | 'mobile' | 'api';

export interface Device {
  id: string;
  kind: DeviceKind;
  /** Sent by browsers and the app; API clients often send none. */
  userAgent: string | undefined;
  /** `web`, `mobile` (the app) or `api`. */
  channel: string;
}

const chromeVersion = (rng: Rng): number => rng.intBetween(118, 131);

const DESKTOP_AGENTS: readonly ((rng: Rng) => string)[] = [
  (rng) => `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${chromeVersion(rng)}.0.0.0 Safari/537.36`,
  (rng) => `Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${chromeVersion(rng)}.0.0.0 Safari/537.36`,
  (rng) => `Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/${rng.intBetween(16, 18)}.${rng.int(6)} Safari/605.1.15`,
  (rng) => `Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:${rng.intBetween(115, 133)}.0) Gecko/20100101 Firefox/${rng.intBetween(115, 133)}.0`,
  (rng) => {
    const v = chromeVersion(rng);
    return `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${v}.0.0.0 Safari/537.36 Edg/${v}.0.0.0`;
  },
  (rng) => `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${chromeVersion(rng)}.0.0.0 Safari/537.36`,
];
const DESKTOP_WEIGHTS = [40, 18, 14, 10, 12, 6];

const ANDROID_MODELS = ['SM-S918B', 'SM-A546B', 'Pixel 8', 'Pixel 7a', '2201117TY', 'CPH2449', 'M2102J20SG', 'SM-G991B'];

const MOBILE_AGENTS: readonly ((rng: Rng) => string)[] = [
  (rng) => `VigilExchange/${rng.intBetween(4, 5)}.${rng.int(20)}.${rng.int(5)} (iPhone; iOS ${rng.intBetween(16, 18)}.${rng.int(6)})`,
  (rng) => `VigilExchange/${rng.intBetween(4, 5)}.${rng.int(20)}.${rng.int(5)} (Android ${rng.intBetween(11, 15)}; ${rng.pick(ANDROID_MODELS)})`,
  (rng) => `Mozilla/5.0 (iPhone; CPU iPhone OS ${rng.intBetween(16, 18)}_${rng.int(6)} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/${rng.intBetween(16, 18)}.0 Mobile/15E148 Safari/604.1`,
  (rng) => `Mozilla/5.0 (Linux; Android ${rng.intBetween(11, 15)}; ${rng.pick(ANDROID_MODELS)}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${chromeVersion(rng)}.0.0.0 Mobile Safari/537.36`,
];
const MOBILE_WEIGHTS = [35, 35, 15, 15];

const API_AGENTS = ['python-requests/2.31.0', 'python-requests/2.32.3', 'ccxt/4.3.12', 'node-fetch/1.0', 'Go-http-client/2.0'];

/** A user agent of the given kind; API clients send none a third of the time. */
function makeUserAgent(rng: Rng, kind: DeviceKind): string | undefined {
  if (kind === 'desktop') return (DESKTOP_AGENTS[rng.weightedIndex(DESKTOP_WEIGHTS)] as (rng: Rng) => string)(rng);
  if (kind === 'mobile') return (MOBILE_AGENTS[rng.weightedIndex(MOBILE_WEIGHTS)] as (rng: Rng) => string)(rng);
  return rng.chance(0.33) ? undefined : rng.pick(API_AGENTS);
}

/** A fresh device with a new stable id. */
export function makeDevice(rng: Rng, kind: DeviceKind): Device {
  const userAgent = makeUserAgent(rng, kind);
  const channel = kind === 'api' ? 'api' : kind === 'desktop' ? 'web' : userAgent?.startsWith('VigilExchange') ? 'mobile' : 'web';
  return { id: `dv-${rng.hex(14)}`, kind, userAgent, channel };
}
