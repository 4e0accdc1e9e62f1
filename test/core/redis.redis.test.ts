import { connectRedis, shareConnection } from '../../core/redis';
import { GCRA_TAKE } from '../../serving/stores/redis-rate-limiter';
import { testRedisUrl, uniqueKeyPrefix } from '../harness/redis';

describe('shareConnection', () => {
  it('gives handles that are full clients, and closes the connection with the last of them', async () => {
    const connection = await connectRedis([testRedisUrl()], { scripts: { vigilGcraTake: GCRA_TAKE } });
    const [a, b] = shareConnection(connection, 2) as [typeof connection, typeof connection];
    const key = `${uniqueKeyPrefix()}shared`;
    try {
      await a.set(key, '1', { PX: 60_000 });
      expect(await b.get(key)).toBe('1');
      // Scripts registered on the connection work through a handle.
      const take = (b as unknown as { vigilGcraTake(k: string, i: number, burst: number, want: number): Promise<[number, number]> }).vigilGcraTake;
      expect(await take.call(b, `${key}:rl`, 1000, 5, 3)).toEqual([3, 0]);

      await a.close();
      await a.close(); // a second close of the same handle counts once
      expect(connection.isOpen).toBe(true);
      expect(await b.get(key)).toBe('1');

      await b.close();
      expect(connection.isOpen).toBe(false);
      await expect(b.get(key)).rejects.toThrow();
    } finally {
      if (connection.isOpen) {
        await connection.del([key, `${key}:rl`]);
        await connection.close();
      }
    }
  });
});
