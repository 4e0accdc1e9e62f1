import { isIPv6 } from 'node:net';

/**
 * The network an IP belongs to for "same network" features: its /24 for IPv4 and its /48 for IPv6 (the usual sizes
 * of an ISP customer or site allocation). An IPv4-mapped address (`::ffff:a.b.c.d`, what dual-stack sockets report
 * for IPv4 clients) is the IPv4 client it stands for: as a /48 every IPv4 client would share one network.
 * `ipv6` saves a second parse when the caller already knows it.
 */
export function networkOf(ip: string, ipv6 = isIPv6(ip)): string {
  if (ipv6) {
    const groups = expandIPv6(ip);
    if (groups.slice(0, 5).every((g) => g === '0000') && groups[5] === 'ffff') {
      const high = parseInt(groups[6] as string, 16);
      return `${high >> 8}.${high & 0xff}.${parseInt((groups[7] as string).slice(0, 2), 16)}.0/24`;
    }
    return `${groups.slice(0, 3).join(':')}::/48`;
  }
  const lastDot = ip.lastIndexOf('.');
  return `${ip.slice(0, lastDot)}.0/24`;
}

/** The 8 groups of an IPv6 address as 4-digit lower-case hex (an embedded IPv4 tail becomes two groups). */
export function expandIPv6(ip: string): string[] {
  let text = ip.toLowerCase();
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = text.slice(0, v4.index) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : new Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((g) => g.padStart(4, '0'));
}
