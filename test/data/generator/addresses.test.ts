import { checkAddress } from '../../../data/addresses';
import { makeAddress, makeBitcoinAddress } from '../../../data/generator/addresses';
import { CHAINS } from '../../../data/generator/assets';
import { Rng } from '../../../data/generator/prng';

describe('address makers', () => {
  it('make addresses valid for every chain the generator uses', () => {
    const rng = new Rng(1, 1);
    for (const chain of CHAINS) {
      const made = Array.from({ length: 300 }, () => makeAddress(rng, chain));
      for (const a of made) expect({ a, check: checkAddress(chain, a) }).toEqual({ a, check: { ok: true } });
      expect(new Set(made).size).toBe(made.length);
    }
  });

  it('make every Bitcoin form: P2PKH, P2SH, segwit v0 and taproot', () => {
    const rng = new Rng(2, 1);
    const made = Array.from({ length: 400 }, () => makeBitcoinAddress(rng));
    for (const prefix of ['1', '3', 'bc1q', 'bc1p']) expect(made.some((a) => a.startsWith(prefix))).toBe(true);
  });

  it('make EVM addresses with and without the EIP-55 checksum casing, and Tron addresses starting with T', () => {
    const rng = new Rng(3, 1);
    const evm = Array.from({ length: 50 }, () => makeAddress(rng, 'ethereum'));
    expect(evm.some((a) => a !== a.toLowerCase())).toBe(true);
    expect(evm.some((a) => a === a.toLowerCase())).toBe(true);
    expect(makeAddress(rng, 'tron')).toMatch(/^T/);
  });

  it('refuses a chain it cannot make addresses for', () => {
    expect(() => makeAddress(new Rng(4, 1), 'solana')).toThrow(/solana/);
  });
});
