import { checkAddress } from '../../data/addresses';

describe('Bitcoin bech32 addresses', () => {
  it('accept mainnet segwit v0 and taproot, in either case', () => {
    // BIP 173 and BIP 350 examples.
    for (const address of [
      'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq',
      'BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4',
      'bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0',
    ]) {
      expect({ address, check: checkAddress('bitcoin', address) }).toEqual({ address, check: { ok: true } });
    }
  });

  it('refuse a valid bech32 string whose human-readable part only starts with bc1', () => {
    // The part is everything before the last "1": here `bc1x`, with a correct checksum and a 20-byte v0 program.
    for (const address of ['bc1x1qqurswpc8qurswpc8qurswpc8qurswpc8p3k458', 'BC1X1QQURSWPC8QURSWPC8QURSWPC8QURSWPC8P3K458']) {
      expect(checkAddress('bitcoin', address)).toEqual({ ok: false, reason: "human-readable part 'bc1x' is not mainnet 'bc'" });
    }
  });

  it('refuse testnet, as base58 testnet addresses are', () => {
    const refused = { ok: false, reason: 'expected a base58 address starting with 1 or 3, or a bech32 address starting with bc1' };
    expect(checkAddress('bitcoin', 'tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx')).toEqual(refused);
    expect(checkAddress('bitcoin', 'mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn')).toEqual(refused);
  });
});
