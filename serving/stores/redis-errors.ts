import { guardRedis as guard } from '../../core/redis';

/** A failed serving-store Redis call becomes UnavailableError (`serving_store_unavailable`); see core/redis.ts. */
export const guardRedis = <T>(p: Promise<T>): Promise<T> => guard(p, 'serving_store_unavailable');
