import { createIpAllowlist, parseCidr, type Cidr } from '../../../serving/auth/ip-allowlist';

function cidr(text: string): Cidr {
  const parsed = parseCidr(text);
  if ('problem' in parsed) throw new Error(parsed.problem);
  return parsed;
}

describe('parseCidr', () => {
  it.each([
    ['10.0.0.0/8', '10.0.0.0/8', 'ipv4'],
    ['127.0.0.1', '127.0.0.1/32', 'ipv4'],
    ['0.0.0.0/0', '0.0.0.0/0', 'ipv4'],
    ['2001:DB8::/32', '2001:db8::/32', 'ipv6'],
    ['2001:0db8:0000:0000:0000:0000:0000:0000/32', '2001:db8::/32', 'ipv6'],
    ['::1', '::1/128', 'ipv6'],
    ['::/0', '::/0', 'ipv6'],
    ['fe80:0:0:1::/64', 'fe80:0:0:1::/64', 'ipv6'],
    ['::ffff:10.0.0.0/104', '::ffff:10.0.0.0/104', 'ipv6'],
    ['::FFFF:7f00:1', '::ffff:127.0.0.1/128', 'ipv6'],
    ['2001:db8:0:1:0:0:0:0/64', '2001:db8:0:1::/64', 'ipv6'],
  ])('reads %s as %s', (text, canonical, family) => {
    expect(cidr(text)).toMatchObject({ text: canonical, family });
  });

  it.each([
    ['10.0.0.0/33', /prefix length must be a whole number from 0 to 32/],
    ['2001:db8::/129', /from 0 to 128/],
    ['10.0.0.0/', /prefix length/],
    ['10.0.0.0/8x', /prefix length/],
    ['10.0.0.0/-1', /prefix length/],
    ['256.0.0.0/8', /not an IPv4 or IPv6 address/],
    ['10.0.0/8', /not an IPv4 or IPv6 address/],
    ['example.com', /not an IPv4 or IPv6 address/],
    ['fe80::1%eth0', /not an IPv4 or IPv6 address/],
    ['', /not an IPv4 or IPv6 address/],
    ['10.1.2.3/8', /host bits set; the network is 10\.0\.0\.0\/8/],
    ['2001:db8::1/32', /host bits set; the network is 2001:db8::\/32/],
  ])('refuses %s, saying why', (text, why) => {
    const parsed = parseCidr(text);
    expect('problem' in parsed && parsed.problem).toMatch(why);
    expect('problem' in parsed && parsed.problem).toContain(`"${text}"`);
  });
});

describe('createIpAllowlist', () => {
  it('allows every address when the list is empty', () => {
    const allows = createIpAllowlist([]);
    expect(allows('203.0.113.9')).toBe(true);
    expect(allows('2001:db8::1')).toBe(true);
  });

  it('allows addresses inside any of the networks and no others', () => {
    const allows = createIpAllowlist([cidr('10.0.0.0/8'), cidr('192.168.1.7'), cidr('2001:db8::/32')]);
    expect(allows('10.255.0.1')).toBe(true);
    expect(allows('11.0.0.1')).toBe(false);
    expect(allows('192.168.1.7')).toBe(true);
    expect(allows('192.168.1.8')).toBe(false);
    expect(allows('2001:db8:ffff::1')).toBe(true);
    expect(allows('2001:db9::1')).toBe(false);
  });

  it('checks an IPv4-mapped IPv6 client address as the IPv4 address it carries', () => {
    const allows = createIpAllowlist([cidr('127.0.0.0/8')]);
    expect(allows('::ffff:127.0.0.1')).toBe(true);
    expect(allows('::FFFF:127.0.0.1')).toBe(true);
    expect(allows('::ffff:128.0.0.1')).toBe(false);
    expect(allows('::1')).toBe(false); // IPv6 loopback is not 127.0.0.0/8
  });

  it('refuses unknown or unparsable client addresses when there is a list', () => {
    const allows = createIpAllowlist([cidr('0.0.0.0/0')]);
    expect(allows('')).toBe(false);
    expect(allows('not-an-ip')).toBe(false);
    expect(allows('1.2.3.4')).toBe(true);
  });
});
