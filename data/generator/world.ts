import type { PriceBook } from './assets';
import type { ScamLists } from './lists';
import type { Network } from './network';
import type { Timeline } from './timeline';
import type { User } from './users';

/** Everything the benign behaviour and the fraud scenarios share while a data set is being generated. */
export interface World {
  users: User[];
  network: Network;
  prices: PriceBook;
  timeline: Timeline;
  scamLists: ScamLists;
  /** Attackers' cash-out addresses per chain, reused across victims. */
  cashOutWallets: Map<string, string[]>;
}
