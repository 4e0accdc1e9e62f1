import { expandIPv6, networkOf } from '../../../features/transforms/network';

describe('networkOf', () => {
  it('is the /24 of an IPv4 address', () => {
    expect(networkOf('203.0.113.7')).toBe('203.0.113.0/24');
    expect(networkOf('203.0.113.250')).toBe(networkOf('203.0.113.7'));
    expect(networkOf('203.0.114.7')).not.toBe(networkOf('203.0.113.7'));
  });

  it('is the /48 of an IPv6 address, however the address is written', () => {
    expect(networkOf('2001:db8:abcd:12::1')).toBe('2001:0db8:abcd::/48');
    expect(networkOf('2001:DB8:ABCD:ffff:1:2:3:4')).toBe('2001:0db8:abcd::/48');
    expect(networkOf('2001:0db8:abcd:0012:0000:0000:0000:0001')).toBe(networkOf('2001:db8:abcd:12::1'));
    expect(networkOf('2001:db8:abce::1')).not.toBe(networkOf('2001:db8:abcd::1'));
    expect(networkOf('2001:db8::')).toBe('2001:0db8:0000::/48');
  });

  it('handles the unspecified address `::` and a leading `::`', () => {
    expect(networkOf('::')).toBe('0000:0000:0000::/48');
    expect(networkOf('::1')).toBe('0000:0000:0000::/48');
  });

  it('puts an IPv4-mapped IPv6 address in the /24 of its IPv4 address, in either notation', () => {
    expect(networkOf('::ffff:192.0.2.1')).toBe('192.0.2.0/24');
    expect(networkOf('::FFFF:c000:0201')).toBe('192.0.2.0/24');
    expect(networkOf('::ffff:198.51.100.1')).not.toBe(networkOf('::ffff:192.0.2.1'));
  });

  it('keeps other embedded IPv4 forms (NAT64) as IPv6 /48s', () => {
    expect(networkOf('64:ff9b::192.0.2.1')).toBe('0064:ff9b:0000::/48');
  });
});

describe('expandIPv6', () => {
  it('gives 8 four-digit lower-case groups', () => {
    expect(expandIPv6('2001:DB8::1')).toEqual(['2001', '0db8', '0000', '0000', '0000', '0000', '0000', '0001']);
    expect(expandIPv6('::')).toEqual(new Array(8).fill('0000'));
    expect(expandIPv6('1::')).toEqual(['0001', ...new Array(7).fill('0000')]);
    expect(expandIPv6('1:2:3:4:5:6:7:8')).toEqual(['0001', '0002', '0003', '0004', '0005', '0006', '0007', '0008']);
  });

  it('turns an embedded IPv4 tail into two groups', () => {
    expect(expandIPv6('::ffff:192.0.2.1')).toEqual(['0000', '0000', '0000', '0000', '0000', 'ffff', 'c000', '0201']);
    expect(expandIPv6('64:ff9b::10.0.0.255')).toEqual(['0064', 'ff9b', '0000', '0000', '0000', '0000', '0a00', '00ff']);
  });
});
