import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorReply } from 'redis';
import { connectRedis } from '../../core/redis';
import { toChecksumAddress } from '../../data/addresses';
import { DenyLists } from '../../features/deny-lists';
import type { DenyListStore } from '../../features/deny-lists/deny-list-store';
import { parseListFile } from '../../features/deny-lists/parse-list';
import { DenyListRefresher } from '../../features/deny-lists/refresher';
import { FileDenyListStore } from '../../features/store/file-deny-list-store';
import { DENY_LIST_SCRIPTS, RedisDenyListStore, type DenyListCommands } from '../../features/store/redis-deny-list-store';
import { connectTestCluster, connectTestRedis, deleteKeysWithPrefix, testRedisUrl, uniqueKeyPrefix, type TestRedisClient } from '../harness/redis';
import { startRedisCluster, type RedisTestCluster } from '../harness/redis-server';

const ADDRESSES = join(__dirname, '../../../shared/data/addresses');
const OFAC_XBT = join(ADDRESSES, 'ofac/XBT.txt');
const OFAC_ETH = join(ADDRESSES, 'ofac/ETH.txt');
const SCAM_EVM = join(ADDRESSES, 'scamsniffer/EVM.txt');
const linesOf = (file: string) => readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0);
const UNLISTED_ETH = '0x5aeda56215b167893e80b4fe645ba6d5bab767de';

async function connectStore(urls: string[], keyPrefix: string): Promise<RedisDenyListStore> {
  const redis = await connectRedis(urls, { scripts: DENY_LIST_SCRIPTS });
  return new RedisDenyListStore(redis as unknown as DenyListCommands, { keyPrefix });
}

const tmp = mkdtempSync(join(tmpdir(), 'vigil-deny-lists-redis-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let admin: TestRedisClient;
beforeAll(async () => {
  admin = await connectTestRedis(testRedisUrl());
});
afterAll(() => admin.destroy());

interface Backend {
  store: DenyListStore;
  cleanup: () => Promise<void>;
}

/** The same behaviour is asked of both backends. */
const BACKENDS: [string, () => Promise<Backend>][] = [
  [
    'RedisDenyListStore',
    async () => {
      const prefix = uniqueKeyPrefix();
      const store = await connectStore([testRedisUrl()], prefix);
      return {
        store,
        cleanup: async () => {
          await store.close();
          await deleteKeysWithPrefix(admin, prefix);
        },
      };
    },
  ],
  [
    'FileDenyListStore',
    async () => {
      const dir = mkdtempSync(join(tmp, 'lists-'));
      return { store: new FileDenyListStore(dir), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  ],
];

describe.each(BACKENDS)('%s', (_name, open) => {
  let backend: Backend;
  let store: DenyListStore;
  beforeEach(async () => {
    backend = await open();
    store = backend.store;
  });
  afterEach(() => backend.cleanup());

  it('loads the real OFAC and ScamSniffer lists and serves them as one snapshot', async () => {
    const btc = await parseListFile('bitcoin', OFAC_XBT);
    const eth = await parseListFile('ethereum', OFAC_ETH);
    const scam = await parseListFile('ethereum', SCAM_EVM);
    expect(btc.invalid).toBe(1); // the Tron address in the Bitcoin file
    const at = new Date('2026-03-01T12:00:00Z');
    expect(await store.replace({ name: 'ofac', chain: 'bitcoin', addresses: btc.addresses }, at)).toEqual({
      name: 'ofac', chain: 'bitcoin', count: btc.addresses.length, loadedAt: at.toISOString(), version: 1,
    }); // prettier-ignore
    await store.replace({ name: 'ofac', chain: 'ethereum', addresses: eth.addresses }, at);
    await store.replace({ name: 'scam', chain: 'ethereum', addresses: scam.addresses }, at);

    expect(await store.registry()).toEqual({
      version: 3,
      lists: [
        { name: 'ofac', chain: 'bitcoin', count: linesOf(OFAC_XBT).length - 1, loadedAt: at.toISOString(), version: 1 },
        { name: 'ofac', chain: 'ethereum', count: linesOf(OFAC_ETH).length, loadedAt: at.toISOString(), version: 2 },
        { name: 'scam', chain: 'ethereum', count: linesOf(SCAM_EVM).length, loadedAt: at.toISOString(), version: 3 },
      ],
    });
    const snapshot = await store.snapshot();
    expect(snapshot.version).toBe(3);
    expect(snapshot.lists.map((l) => [l.name, l.chain, [...l.addresses].sort()])).toEqual([
      ['ofac', 'bitcoin', [...btc.addresses].sort()],
      ['ofac', 'ethereum', [...eth.addresses].sort()],
      ['scam', 'ethereum', [...scam.addresses].sort()],
    ]);

    const lists = new DenyLists(snapshot.lists);
    const listed = linesOf(OFAC_ETH)[7] as string;
    expect(lists.lookup('ethereum', toChecksumAddress(listed))).toBe('ofac');
    expect(lists.lookup('ethereum', `0x${listed.slice(2).toUpperCase()}`)).toBe('ofac');
    expect(lists.lookup('ethereum', UNLISTED_ETH)).toBeUndefined();
  });

  it('replaces a list as a whole and bumps the version', async () => {
    await store.replace({ name: 'x', chain: 'ethereum', addresses: linesOf(OFAC_ETH) });
    await store.replace({ name: 'x', chain: 'ethereum', addresses: [UNLISTED_ETH] });
    expect(await store.version()).toBe(2);
    expect((await store.snapshot()).lists).toEqual([{ name: 'x', chain: 'ethereum', addresses: [UNLISTED_ETH] }]);
  });

  it('can empty a list', async () => {
    await store.replace({ name: 'x', chain: 'ethereum', addresses: [UNLISTED_ETH] });
    await store.replace({ name: 'x', chain: 'ethereum', addresses: [] });
    expect((await store.registry()).lists.map((l) => l.count)).toEqual([0]);
    expect((await store.snapshot()).lists).toEqual([{ name: 'x', chain: 'ethereum', addresses: [] }]);
  });

  it('starts at version 0 with nothing loaded', async () => {
    expect(await store.registry()).toEqual({ version: 0, lists: [] });
    expect(await store.snapshot()).toEqual({ version: 0, lists: [] });
  });

  it('lets a running refresher switch to a replaced list without any lookup failing', async () => {
    const oldAddresses = linesOf(OFAC_ETH);
    const newAddresses = linesOf(SCAM_EVM);
    await store.replace({ name: 'screen', chain: 'ethereum', addresses: oldAddresses });
    const errors: unknown[] = [];
    const refresher = new DenyListRefresher(store, { intervalMs: 5, onError: (err) => errors.push(err) });
    await refresher.start();
    try {
      const probes = [oldAddresses[0], oldAddresses.at(-1), newAddresses[0], newAddresses.at(-1)] as string[];
      const seen = new Set<string>();
      let running = true;
      const loop = (async () => {
        while (running) {
          const hits = probes.map((a) => (refresher.lookup('ethereum', a) === 'screen' ? 1 : 0)).join('');
          seen.add(hits);
          if (hits === '0011') running = false;
          await new Promise((resolve) => setImmediate(resolve));
        }
      })();
      await store.replace({ name: 'screen', chain: 'ethereum', addresses: newAddresses });
      await loop;

      expect(seen).toEqual(new Set(['1100', '0011']));
      expect(errors).toEqual([]);
      expect(refresher.version).toBe(2);
      for (const a of oldAddresses) expect(refresher.lookup('ethereum', a)).toBeUndefined();
      for (const a of newAddresses) expect(refresher.lookup('ethereum', a)).toBe('screen');
    } finally {
      refresher.stop();
    }
  });
});

describe('RedisDenyListStore key layout', () => {
  let prefix: string;
  let store: RedisDenyListStore;
  beforeEach(async () => {
    prefix = uniqueKeyPrefix();
    store = await connectStore([testRedisUrl()], prefix);
  });
  afterEach(async () => {
    await store.close();
    await deleteKeysWithPrefix(admin, prefix);
  });

  it('keeps one persistent SET per list and chain, a registry hash and a version counter, and no temporary key', async () => {
    await store.replace({ name: 'ofac', chain: 'ethereum', addresses: linesOf(OFAC_ETH) });
    await store.replace({ name: 'ofac', chain: 'ethereum', addresses: linesOf(OFAC_ETH).slice(0, 10) });
    const setKey = `${prefix}{lists}:ofac:ethereum`;
    expect(await admin.sCard(setKey)).toBe(10);
    expect(await admin.pTTL(setKey)).toBe(-1); // the temporary key's TTL did not survive the RENAME
    expect(await admin.get(`${prefix}{lists}:version`)).toBe('2');
    expect(JSON.parse((await admin.hGet(`${prefix}{lists}:registry`, 'ofac:ethereum')) as string)).toMatchObject({ chain: 'ethereum', count: 10, version: 2 });
    const keys: string[] = [];
    for await (const batch of admin.scanIterator({ MATCH: `${prefix}*` })) keys.push(...batch);
    expect(keys.sort()).toEqual([`${prefix}{lists}:ofac:ethereum`, `${prefix}{lists}:registry`, `${prefix}{lists}:version`]);
  });

  it('refuses to publish a temporary set that is not complete, changing nothing', async () => {
    await store.replace({ name: 'x', chain: 'ethereum', addresses: [UNLISTED_ETH] });
    const redis = (await connectRedis([testRedisUrl()], { scripts: DENY_LIST_SCRIPTS })) as unknown as DenyListCommands;
    try {
      const base = `${prefix}{lists}:`;
      await redis.sAdd(`${base}tmp:partial:set`, ['a', 'b']);
      const publish = redis.vigilReplaceDenyList(`${base}tmp:partial:set`, `${base}x:ethereum`, `${base}registry`, `${base}version`, 'x:ethereum', 'ethereum', 3, 'now');
      await expect(publish).rejects.toThrow(ErrorReply);
      await expect(publish).rejects.toThrow(/holds 2 of 3 addresses/);
    } finally {
      await redis.close();
    }
    expect(await store.version()).toBe(1);
    expect((await store.snapshot()).lists).toEqual([{ name: 'x', chain: 'ethereum', addresses: [UNLISTED_ETH] }]);
  });

  it('reports an unreachable Redis as unavailable', async () => {
    const dead = await connectStore([testRedisUrl()], prefix);
    await dead.close();
    await expect(dead.version()).rejects.toMatchObject({ code: 'unavailable', reason: 'deny_lists_unavailable' });
  });
});

describe('RedisDenyListStore on a 3-master cluster', () => {
  let cluster: RedisTestCluster;
  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: 3 });
  });
  afterAll(() => cluster.stop());

  it('loads, replaces and reads lists: every key of the store shares one slot', async () => {
    const prefix = uniqueKeyPrefix();
    const store = await connectStore(cluster.urls, prefix);
    try {
      await store.replace({ name: 'ofac', chain: 'ethereum', addresses: linesOf(OFAC_ETH) });
      await store.replace({ name: 'scam', chain: 'ethereum', addresses: linesOf(SCAM_EVM) });
      await store.replace({ name: 'ofac', chain: 'ethereum', addresses: [UNLISTED_ETH] });
      const snapshot = await store.snapshot();
      expect(snapshot.version).toBe(3);
      expect(snapshot.lists.map((l) => [l.name, l.addresses.length])).toEqual([
        ['ofac', 1],
        ['scam', linesOf(SCAM_EVM).length],
      ]);
    } finally {
      await store.close();
      const client = await connectTestCluster(cluster.rootNodes);
      await deleteKeysWithPrefix(client, prefix);
      client.destroy();
    }
  });
});
