import type { Rng } from './prng';

/** What users withdraw: an asset on a chain, its reference USD price and how finely amounts are expressed. */
export interface Asset {
  symbol: string;
  /** Lower-case chain name (data/addresses.ts). */
  chain: string;
  /** USD price on the first day. */
  priceUsd: number;
  /** Decimal places amounts are rounded to. */
  decimals: number;
  /** Relative popularity as a user's preferred asset. */
  weight: number;
  /** Daily volatility of the price (standard deviation of the log return); 0 for stablecoins' peg. */
  dailyVolatility: number;
}

export const ASSETS: readonly Asset[] = [
  { symbol: 'BTC', chain: 'bitcoin', priceUsd: 94000, decimals: 8, weight: 30, dailyVolatility: 0.025 },
  { symbol: 'ETH', chain: 'ethereum', priceUsd: 3300, decimals: 6, weight: 18, dailyVolatility: 0.035 },
  { symbol: 'USDT', chain: 'tron', priceUsd: 1, decimals: 2, weight: 16, dailyVolatility: 0.0004 },
  { symbol: 'USDT', chain: 'ethereum', priceUsd: 1, decimals: 2, weight: 10, dailyVolatility: 0.0004 },
  { symbol: 'USDC', chain: 'ethereum', priceUsd: 1, decimals: 2, weight: 7, dailyVolatility: 0.0003 },
  { symbol: 'TRX', chain: 'tron', priceUsd: 0.25, decimals: 2, weight: 4, dailyVolatility: 0.03 },
  { symbol: 'USDC', chain: 'base', priceUsd: 1, decimals: 2, weight: 4, dailyVolatility: 0.0003 },
  { symbol: 'ETH', chain: 'arbitrum', priceUsd: 3300, decimals: 6, weight: 4, dailyVolatility: 0.035 },
  { symbol: 'BNB', chain: 'bsc', priceUsd: 690, decimals: 5, weight: 4, dailyVolatility: 0.03 },
];

export const ASSET_WEIGHTS: readonly number[] = ASSETS.map((a) => a.weight);

/** Every chain of {@link ASSETS}, each once, in table order. */
export const CHAINS: readonly string[] = [...new Set(ASSETS.map((a) => a.chain))];

export function assetAt(index: number): Asset {
  const asset = ASSETS[index];
  if (!asset) throw new RangeError(`no asset #${index}`);
  return asset;
}

/** Index of the asset with this symbol and chain. */
export function assetIndex(symbol: string, chain: string): number {
  const i = ASSETS.findIndex((a) => a.symbol === symbol && a.chain === chain);
  if (i < 0) throw new RangeError(`no asset ${symbol} on ${chain}`);
  return i;
}

/** One asset per symbol: the same coin on several chains has one price. */
const REFERENCE_BY_SYMBOL: ReadonlyMap<string, Asset> = new Map(ASSETS.map((a) => [a.symbol, a]));

/**
 * Daily USD prices: a geometric random walk per asset (the same coin on two chains shares one walk, as arbitrage
 * keeps them together), plus mild intraday noise per withdrawal.
 */
export class PriceBook {
  private readonly bySymbol = new Map<string, number>();

  constructor(private readonly rng: Rng) {
    for (const a of ASSETS) this.bySymbol.set(a.symbol, a.priceUsd);
  }

  /** Moves every price one day on. Stablecoins mean-revert to their peg rather than wander off it. */
  nextDay(): void {
    for (const [symbol, ref] of REFERENCE_BY_SYMBOL) {
      const price = this.bySymbol.get(symbol) as number;
      const noise = ref.dailyVolatility * this.rng.normal();
      this.bySymbol.set(symbol, ref.priceUsd === 1 ? 1 + (price - 1) * 0.5 + noise : price * Math.exp(noise));
    }
  }

  /** The price of an asset at some moment of the current day. */
  quote(rng: Rng, asset: Asset): number {
    const price = this.bySymbol.get(asset.symbol) as number;
    return price * (1 + 0.004 * rng.normal() * (asset.priceUsd === 1 ? 0.05 : 1));
  }
}

/** Rounds to `decimals` places. */
function roundTo(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}

/**
 * A withdrawal of about `usd` dollars in `asset`: the asset amount (sometimes a round figure, as people type them)
 * and its USD value at the quoted price.
 */
export function amountFor(rng: Rng, prices: PriceBook, asset: Asset, usd: number, roundFigure: boolean): { amount: number; amountUsd: number } {
  const price = prices.quote(rng, asset);
  let amount = usd / price;
  if (roundFigure) {
    // One or two significant digits: 0.05 BTC, 250 USDT, 1.5 ETH.
    const magnitude = 10 ** Math.floor(Math.log10(amount));
    const step = rng.chance(0.5) ? magnitude : magnitude / 2;
    amount = Math.max(step, Math.round(amount / step) * step);
  }
  amount = roundTo(amount, asset.decimals);
  if (amount === 0) amount = 10 ** -asset.decimals;
  return { amount, amountUsd: roundTo(amount * price, 2) };
}
