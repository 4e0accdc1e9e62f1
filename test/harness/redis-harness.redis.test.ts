import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import {
  connectTestCluster,
  connectTestRedis,
  deleteKeysWithPrefix,
  testRedisUrl,
  uniqueKeyPrefix,
  type TestRedisClient,
  type TestRedisCluster,
} from './redis';
import { processRunning, removeStaleServerDirs, startRedisCluster, startRedisServer, type RedisServer, type RedisTestCluster } from './redis-server';

describe('testRedisUrl', () => {
  it('names the missing global setup when the URL was not handed over', () => {
    const url = process.env.VIGIL_TEST_REDIS_URL;
    delete process.env.VIGIL_TEST_REDIS_URL; // this file's copy of the environment only
    try {
      expect(() => testRedisUrl()).toThrow(/VIGIL_TEST_REDIS_URL is not set: the Jest global setup/);
    } finally {
      process.env.VIGIL_TEST_REDIS_URL = url;
    }
  });
});

describe('the shared server of the run', () => {
  let client: TestRedisClient;
  let prefix: string;

  beforeAll(async () => {
    client = await connectTestRedis(testRedisUrl());
  });
  beforeEach(() => {
    prefix = uniqueKeyPrefix();
  });
  afterEach(async () => {
    await deleteKeysWithPrefix(client, prefix);
  });
  afterAll(() => client.destroy());

  it('is our own redis-server on a loopback port other than 6379', async () => {
    const url = new URL(testRedisUrl());
    expect(url.hostname).toBe('127.0.0.1');
    expect(url.port).not.toBe('6379');
    const config = await client.configGet('save');
    expect(config.save).toBe(''); // started by the harness: nothing is persisted
  });

  it('stores and returns values under a unique prefix', async () => {
    expect(prefix).toMatch(/^test-[0-9a-f-]{36}:$/);
    await client.set(`${prefix}greeting`, 'hello');
    expect(await client.get(`${prefix}greeting`)).toBe('hello');
  });

  it('cleans up only the keys under the prefix', async () => {
    const other = uniqueKeyPrefix();
    const keys = Array.from({ length: 1_500 }, (_, i) => `${prefix}k${i}`); // more than one SCAN batch of 1000
    await Promise.all([...keys.map((k) => client.set(k, '1')), client.set(`${other}kept`, '1')]);

    expect(await deleteKeysWithPrefix(client, prefix)).toBe(keys.length);

    expect(await client.exists(keys.slice(0, 100))).toBe(0);
    expect(await client.get(`${other}kept`)).toBe('1');
    await deleteKeysWithPrefix(client, other);
  });

  it('takes a prefix literally, glob characters included', async () => {
    await client.set(`${prefix}[a]*`, '1');
    await client.set(`${prefix}a`, '1'); // would match the unescaped pattern `${prefix}[a]*`
    expect(await deleteKeysWithPrefix(client, `${prefix}[a]*`)).toBe(1);
    expect(await client.get(`${prefix}a`)).toBe('1');
  });

  it('refuses an empty prefix rather than deleting everything', async () => {
    await expect(deleteKeysWithPrefix(client, '')).rejects.toThrow(/empty prefix/);
  });
});

describe('a server of its own', () => {
  let server: RedisServer;

  beforeEach(async () => {
    server = await startRedisServer();
  });
  afterEach(() => server.stop());

  it('fails commands after kill() and serves them again after restart() on the same port', async () => {
    const client = await connectTestRedis(server.url, { disableOfflineQueue: true });
    try {
      await client.set('k', 'before');
      const firstPid = server.pid;

      await server.kill();
      expect(processRunning(firstPid)).toBe(false);
      await expect(client.get('k')).rejects.toThrow();
      await expect(connectTestRedis(server.url)).rejects.toThrow(/ECONNREFUSED/);

      await server.restart();
      expect(server.pid).not.toBe(firstPid);
      expect(server.url).toBe(`redis://127.0.0.1:${server.port}`);
      if (!client.isReady) await once(client, 'ready'); // the old client reconnects by itself
      expect(await client.get('k')).toBeNull(); // a fresh process: nothing was persisted
      await client.set('k', 'after');
      const fresh = await connectTestRedis(server.url);
      expect(await fresh.get('k')).toBe('after');
      fresh.destroy();
    } finally {
      client.destroy();
    }
  });

  it('reports a port taken while the server was down', async () => {
    await server.kill();
    const squatter = createServer((socket) => socket.resume()); // accepts, reads and never answers
    await new Promise<void>((resolve) => squatter.listen(server.port, '127.0.0.1', resolve));
    try {
      await expect(server.restart()).rejects.toThrow(new RegExp(`port ${server.port} was taken`));
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  it('leaves no process, directory or listener behind after stop()', async () => {
    const { pid, dir, url } = server;
    expect(existsSync(dir)).toBe(true);
    expect(processRunning(pid)).toBe(true);

    await server.stop();

    expect(processRunning(pid)).toBe(false);
    expect(existsSync(dir)).toBe(false);
    await expect(connectTestRedis(url)).rejects.toThrow(/ECONNREFUSED/);
    await server.stop(); // a second stop is harmless
  });

  it('runs several servers side by side on different ports', async () => {
    const second = await startRedisServer();
    try {
      expect(second.port).not.toBe(server.port);
      expect(second.dir).not.toBe(server.dir);
    } finally {
      await second.stop();
    }
  });

  it('passes extra arguments to redis-server', async () => {
    const tuned = await startRedisServer({ args: ['--maxmemory', '1mb'] });
    const client = await connectTestRedis(tuned.url);
    try {
      expect((await client.configGet('maxmemory')).maxmemory).toBe(String(1024 * 1024));
    } finally {
      client.destroy();
      await tuned.stop();
    }
  });

  it('explains why a server did not start', async () => {
    await expect(startRedisServer({ args: ['--no-such-option', 'x'] })).rejects.toThrow(/exited before answering PING[\s\S]*no-such-option/);
  });
});

describe('a test process that dies without stopping its server', () => {
  it('takes the server with it, and the next run removes the directory it left', async () => {
    // A separate Node process starts a server, reports it and waits; SIGKILL then gives it no chance to clean up.
    const script = `require(${JSON.stringify(require.resolve('./redis-server'))}).startRedisServer()
      .then((s) => process.stdout.write(JSON.stringify({ pid: s.pid, dir: s.dir }) + '\\n'));
      setInterval(() => {}, 60000);`;
    const owner = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [line] = (await once(createInterface({ input: owner.stdout! }), 'line')) as [string];
    const orphan = JSON.parse(line) as { pid: number; dir: string };
    expect(processRunning(orphan.pid)).toBe(true);

    owner.kill('SIGKILL');
    await once(owner, 'exit');
    const deadline = Date.now() + 10_000;
    while (processRunning(orphan.pid) && Date.now() < deadline) await delay(10); // the kernel's SIGTERM, then shutdown
    expect(processRunning(orphan.pid)).toBe(false);
    expect(existsSync(orphan.dir)).toBe(true);

    const live = await startRedisServer();
    try {
      expect(removeStaleServerDirs()).toBeGreaterThanOrEqual(1);
      expect(existsSync(orphan.dir)).toBe(false);
      expect(existsSync(live.dir)).toBe(true); // its owner, this process, is alive
    } finally {
      await live.stop();
    }
  });
});

describe('a cluster of 3 masters', () => {
  let cluster: RedisTestCluster;
  let client: TestRedisCluster;
  let prefix: string;

  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: 3 });
    client = await connectTestCluster(cluster.rootNodes);
  });
  beforeEach(() => {
    prefix = uniqueKeyPrefix();
  });
  afterEach(async () => {
    await deleteKeysWithPrefix(client, prefix);
  });
  afterAll(async () => {
    client.destroy();
    await cluster.stop();
  });

  it('reports cluster_state:ok with every slot assigned on every node', async () => {
    expect(cluster.urls).toHaveLength(3);
    for (const url of cluster.urls) {
      const node = await connectTestRedis(url);
      try {
        const info = String(await node.sendCommand(['CLUSTER', 'INFO']));
        expect(info).toMatch(/^cluster_state:ok\s*$/m);
        expect(info).toMatch(/^cluster_slots_assigned:16384\s*$/m);
        expect(info).toMatch(/^cluster_known_nodes:3\s*$/m);
      } finally {
        node.destroy();
      }
    }
  });

  it('routes keys with different hash tags to different nodes', async () => {
    const keys = Array.from({ length: 30 }, (_, i) => `${prefix}{user-${i}}:profile`);
    await Promise.all(keys.map((k) => client.set(k, k)));

    // Each node's own SCAN shows which keys it holds.
    const held = await Promise.all(
      cluster.urls.map(async (url) => {
        const node = await connectTestRedis(url);
        try {
          const found: string[] = [];
          for await (const batch of node.scanIterator({ MATCH: `${prefix}*` })) found.push(...batch);
          return found;
        } finally {
          node.destroy();
        }
      }),
    );
    for (const found of held) expect(found.length).toBeGreaterThan(0);
    expect(held.flat().sort()).toEqual([...keys].sort()); // each key on exactly one node
    for (const k of keys) expect(await client.get(k)).toBe(k);
  });

  it('cleans up the prefix on every master', async () => {
    const keys = Array.from({ length: 30 }, (_, i) => `${prefix}{user-${i}}:x`);
    await Promise.all(keys.map((k) => client.set(k, '1')));
    expect(await deleteKeysWithPrefix(client, prefix)).toBe(keys.length);
    expect(await Promise.all(keys.map((k) => client.exists(k)))).toEqual(keys.map(() => 0));
  });

  it('leaves no process or directory behind after stop()', async () => {
    const extra = await startRedisCluster({ masters: 3 });
    const nodes = extra.nodes.map((n) => ({ pid: n.pid, dir: n.dir }));
    await extra.stop();
    for (const { pid, dir } of nodes) {
      expect(processRunning(pid)).toBe(false);
      expect(existsSync(dir)).toBe(false);
    }
  });
});
