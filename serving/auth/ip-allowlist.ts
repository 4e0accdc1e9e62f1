import { BlockList, isIPv4, isIPv6 } from 'node:net';

/** A parsed network: its canonical text (`10.0.0.0/8`, `2001:db8::/32`) and what net.BlockList needs. */
export interface Cidr {
  text: string;
  network: string;
  prefix: number;
  family: 'ipv4' | 'ipv6';
}

/**
 * Parses `address/prefix` (or a bare address, meaning that one host) into a {@link Cidr}, or returns why it is not
 * one. Host bits must be zero: `10.1.2.3/8` is refused rather than guessed at, since an allowlist is a security
 * setting and the writer may have meant `10.1.2.3/32`.
 */
export function parseCidr(text: string): Cidr | { problem: string } {
  const slash = text.indexOf('/');
  const address = slash < 0 ? text : text.slice(0, slash);
  const family = isIPv4(address) ? 'ipv4' : isIPv6(address) && !address.includes('%') ? 'ipv6' : undefined;
  if (!family) return { problem: `"${text}" is not an IPv4 or IPv6 address or CIDR block` };
  const max = family === 'ipv4' ? 32 : 128;
  const prefixText = slash < 0 ? String(max) : text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max) return { problem: `"${text}": the prefix length must be a whole number from 0 to ${max}` };
  const prefix = Number(prefixText);
  const bytes = family === 'ipv4' ? ipv4Bytes(address) : ipv6Bytes(address);
  const network = maskBytes(bytes, prefix);
  const networkText = family === 'ipv4' ? network.join('.') : formatIpv6(network);
  if (!network.every((b, i) => b === bytes[i])) return { problem: `"${text}" has host bits set; the network is ${networkText}/${prefix}` };
  return { text: `${networkText}/${prefix}`, network: networkText, prefix, family };
}

/**
 * Answers whether a client address falls in any of a key's networks. An empty list allows every address. An
 * IPv4-mapped IPv6 address (`::ffff:127.0.0.1`, what a dual-stack socket reports for an IPv4 client) is checked as
 * the IPv4 address it carries.
 */
export function createIpAllowlist(cidrs: readonly Cidr[]): (ip: string) => boolean {
  if (cidrs.length === 0) return () => true;
  const list = new BlockList();
  for (const c of cidrs) list.addSubnet(c.network, c.prefix, c.family);
  return (ip) => {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1];
    const address = mapped ?? ip;
    if (isIPv4(address)) return list.check(address, 'ipv4');
    if (isIPv6(address) && !address.includes('%')) return list.check(address, 'ipv6');
    return false; // unknown or unparsable address: never inside an allowlist
  };
}

function ipv4Bytes(address: string): number[] {
  return address.split('.').map(Number);
}

/** The 16 bytes of a valid IPv6 address (already checked by isIPv6), `::` and a dotted IPv4 tail included. */
function ipv6Bytes(address: string): number[] {
  let text = address.toLowerCase();
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (v4) {
    const [a, b, c, d] = ipv4Bytes(v4) as [number, number, number, number];
    text = `${text.slice(0, -v4.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const groups = (s: string | undefined) => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const left = groups(head);
  const right = groups(tail);
  const words = tail === undefined ? left : [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  return words.flatMap((w) => [w >> 8, w & 0xff]);
}

function maskBytes(bytes: number[], prefix: number): number[] {
  return bytes.map((b, i) => {
    const bits = Math.max(0, Math.min(8, prefix - i * 8));
    return b & ((0xff << (8 - bits)) & 0xff);
  });
}

/**
 * RFC 5952 form: lower case, leading zeros dropped, the longest run (of two or more) of zero groups as `::`, and an
 * IPv4-mapped address in its mixed form `::ffff:a.b.c.d`.
 */
function formatIpv6(bytes: number[]): string {
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) return `::ffff:${bytes.slice(12).join('.')}`;
  const words = Array.from({ length: 8 }, (_, i) => ((bytes[2 * i] ?? 0) << 8) | (bytes[2 * i + 1] ?? 0));
  let best = { start: -1, length: 0 };
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > best.length) best = { start: i, length: j - i };
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (best.length < 2) return hex.join(':');
  return `${hex.slice(0, best.start).join(':')}::${hex.slice(best.start + best.length).join(':')}`;
}
