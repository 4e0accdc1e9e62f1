import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toChecksumAddress } from '../../data/addresses';
import { connectTestRedis, deleteKeysWithPrefix, testRedisUrl, uniqueKeyPrefix, type TestRedisClient } from '../harness/redis';

const VIGIL = join(__dirname, '../../bin/vigil.js');
const ADDRESSES = join(__dirname, '../../../shared/data/addresses');
const OFAC_XBT = join(ADDRESSES, 'ofac/XBT.txt');
const OFAC_ETH = join(ADDRESSES, 'ofac/ETH.txt');
const linesOf = (file: string) => readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0);
const XBT_LINES = linesOf(OFAC_XBT);
const TRON_LINE_IN_XBT = XBT_LINES.findIndex((a) => a.startsWith('T')) + 1;
const LISTED_ETH = linesOf(OFAC_ETH)[3] as string;
const LISTED_BTC = XBT_LINES.find((a) => a.startsWith('3')) as string;
const UNLISTED_ETH = '0x5aeda56215b167893e80b4fe645ba6d5bab767de';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  /** The last stdout line, parsed: every command's result. */
  result: unknown;
}

/** Runs `vigil …` as a user would, with only the given Vigil variables set. */
function vigil(args: string[], env: Record<string, string>, cwd: string): Promise<Run> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VIGIL_') && k !== 'REDIS_URL'));
  return new Promise((resolve) => {
    execFile(process.execPath, [VIGIL, ...args], { cwd, env: { ...base, VIGIL_LOG_LEVEL: 'warn', ...env } }, (err, stdout, stderr) => {
      const last = stdout.trim().split('\n').at(-1) ?? '';
      let result: unknown;
      try {
        result = JSON.parse(last);
      } catch {
        result = undefined;
      }
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr, result });
    });
  });
}

/**
 * Each `vigil` run starts Node and compiles the sources through tsx, about a second of CPU; on a shared two-core
 * machine a test of several runs can outlast Jest's default timeout.
 */
const CLI_TEST_TIMEOUT_MS = 240_000;

const tmp = mkdtempSync(join(tmpdir(), 'vigil-lists-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let admin: TestRedisClient;
beforeAll(async () => {
  admin = await connectTestRedis(testRedisUrl());
});
afterAll(() => admin.destroy());

interface Setup {
  name: string;
  env: () => Record<string, string>;
  /** The registry version as the backend stores it. */
  version: () => Promise<number>;
}

let prefix = '';
let listDir = '';
const SETUPS: Setup[] = [
  {
    name: 'with REDIS_URL (Redis store)',
    env: () => ({ REDIS_URL: testRedisUrl(), VIGIL_PII_KEY: randomBytes(32).toString('hex'), VIGIL_REDIS_KEY_PREFIX: prefix }),
    version: async () => Number((await admin.get(`${prefix}{lists}:version`)) ?? 0),
  },
  {
    name: 'without REDIS_URL (files in VIGIL_LIST_DIR)',
    env: () => ({ VIGIL_LIST_DIR: listDir }),
    version: async () => (existsSync(join(listDir, 'registry.json')) ? (JSON.parse(readFileSync(join(listDir, 'registry.json'), 'utf8')) as { version: number }).version : 0),
  },
];

describe.each(SETUPS)('vigil lists, $name', ({ env, version }) => {
  beforeEach(() => {
    prefix = uniqueKeyPrefix();
    listDir = mkdtempSync(join(tmp, 'lists-'));
  });
  afterEach(async () => {
    await deleteKeysWithPrefix(admin, prefix);
  });

  it('loads the OFAC files, reporting the stray line, then checks addresses against them', async () => {
    const btc = await vigil(['lists', 'load', '--name', 'ofac', '--chain', 'bitcoin', OFAC_XBT], env(), tmp);
    expect(btc.code).toBe(0);
    expect(btc.result).toMatchObject({
      name: 'ofac',
      chain: 'bitcoin',
      loaded: XBT_LINES.length - 1,
      invalid: 1,
      errors: [{ line: TRON_LINE_IN_XBT, reason: expect.stringContaining('invalid bitcoin address') }],
      total: XBT_LINES.length,
    });
    expect(btc.stderr).toMatch(/skipped invalid lines/);
    const eth = await vigil(['lists', 'load', '--name', 'ofac', '--chain', 'ethereum', OFAC_ETH], env(), tmp);
    expect(eth.result).toMatchObject({ loaded: linesOf(OFAC_ETH).length, invalid: 0, errors: [], version: 2 });

    const [checksummed, upper, unlisted, bitcoin] = await Promise.all([
      vigil(['lists', 'check', toChecksumAddress(LISTED_ETH)], env(), tmp),
      vigil(['lists', 'check', `0x${LISTED_ETH.slice(2).toUpperCase()}`, '--chain', 'bsc'], env(), tmp),
      vigil(['lists', 'check', UNLISTED_ETH, '--chain', 'ethereum'], env(), tmp),
      vigil(['lists', 'check', LISTED_BTC], env(), tmp),
    ]);
    expect(checksummed.result).toEqual({ address: toChecksumAddress(LISTED_ETH), normalized: LISTED_ETH, listed: true, lists: ['ofac'], version: 2 });
    expect(upper.result).toMatchObject({ normalized: LISTED_ETH, listed: true, lists: ['ofac'] });
    expect(unlisted.result).toMatchObject({ listed: false, lists: [] });
    expect(bitcoin.result).toMatchObject({ listed: true, lists: ['ofac'] });

    const list = await vigil(['lists', 'list'], env(), tmp);
    expect(list.result).toEqual({
      version: 2,
      lists: [
        { name: 'ofac', chain: 'bitcoin', count: XBT_LINES.length - 1, loadedAt: expect.any(String), version: 1 },
        { name: 'ofac', chain: 'ethereum', count: linesOf(OFAC_ETH).length, loadedAt: expect.any(String), version: 2 },
      ],
    });
  }, CLI_TEST_TIMEOUT_MS);

  it('refuses a missing file, a file without a valid address and a bad address, changing nothing', async () => {
    const noneValid = join(listDir, 'none-valid.txt');
    writeFileSync(noneValid, `# only wrong-chain addresses\n${LISTED_ETH}\n`);
    const [missing, invalid, badAddress] = await Promise.all([
      vigil(['lists', 'load', '--name', 'ofac', '--chain', 'bitcoin', join(tmp, 'no-such-file.txt')], env(), tmp),
      vigil(['lists', 'load', '--name', 'ofac', '--chain', 'bitcoin', noneValid], env(), tmp),
      vigil(['lists', 'check', '0x1234', '--chain', 'ethereum'], env(), tmp),
    ]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/no-such-file\.txt: no such file/);
    expect(invalid.code).not.toBe(0);
    expect(invalid.stderr).toMatch(/no valid bitcoin address in 1 address lines, nothing loaded; line 2: invalid bitcoin address/);
    expect(badAddress.code).not.toBe(0);
    expect(badAddress.stderr).toMatch(/ADDRESS: invalid ethereum address "0x1234"/);
    for (const run of [missing, invalid, badAddress]) expect(run.result).toBeUndefined();
    expect(await version()).toBe(0);
  }, CLI_TEST_TIMEOUT_MS);
});

describe('vigil lists load option checks', () => {
  it('refuses a bad --name or --chain, naming the option, before touching any store', async () => {
    const listDir = join(tmp, 'untouched');
    const [badName, badChain] = await Promise.all([
      vigil(['lists', 'load', '--name', 'OFAC list', '--chain', 'bitcoin', OFAC_XBT], { VIGIL_LIST_DIR: listDir }, tmp),
      vigil(['lists', 'load', '--name', 'ofac', '--chain', 'Bitcoin', OFAC_XBT], { VIGIL_LIST_DIR: listDir }, tmp),
    ]);
    expect(badName.code).not.toBe(0);
    expect(badName.stderr).toMatch(/--name <name>' argument 'OFAC list' is invalid/);
    expect(badChain.code).not.toBe(0);
    expect(badChain.stderr).toMatch(/--chain <chain>' argument 'Bitcoin' is invalid/);
    expect(existsSync(listDir)).toBe(false);
  }, CLI_TEST_TIMEOUT_MS);
});

describe('vigil features build --lists', () => {
  it('sets addr_deny_listed to 1 for a withdrawal to a listed address, 0 otherwise', async () => {
    const dir = join(tmp, 'generated');
    mkdirSync(join(dir, 'lists'), { recursive: true });
    writeFileSync(join(dir, 'lists', 'scam-ethereum.txt'), `${LISTED_ETH}\n`);
    writeFileSync(join(dir, 'lists', 'scam-bitcoin.txt'), `${LISTED_BTC}\nnot-an-address\n`);
    const withdrawal = (eventId: string, minute: number, asset: string, address: string) =>
      JSON.stringify({ type: 'withdrawal', eventId, userId: 'u1', ts: `2026-01-05T10:0${minute}:00Z`, asset, amount: 1, address });
    writeFileSync(
      join(dir, 'events.jsonl'),
      `${[
        withdrawal('to-listed', 1, 'ETH', toChecksumAddress(LISTED_ETH)),
        withdrawal('to-unlisted', 2, 'ETH', toChecksumAddress(UNLISTED_ETH)),
        withdrawal('to-listed-btc', 3, 'BTC', LISTED_BTC),
      ].join('\n')}\n`,
    );
    const out = join(dir, 'features.csv');
    const run = await vigil(['features', 'build', '--events', join(dir, 'events.jsonl'), '--out', out, '--lists', join(dir, 'lists')], {}, tmp);
    expect(run.stderr).toMatch(/skipped invalid lines/);
    expect(run.code).toBe(0);
    expect(run.result).toMatchObject({ rows: 3, lists: { files: 2, addresses: 2, invalid: 1 } });
    const [header, ...rows] = readFileSync(out, 'utf8').trim().split('\n').map((l) => l.split(','));
    const column = (header as string[]).indexOf('addr_deny_listed');
    expect(column).toBeGreaterThan(3);
    expect(rows.map((r) => [r[0], r[column]])).toEqual([
      ['to-listed', '1'],
      ['to-unlisted', '0'],
      ['to-listed-btc', '1'],
    ]);

    const missing = await vigil(['features', 'build', '--events', join(dir, 'events.jsonl'), '--out', join(dir, 'x.csv'), '--lists', join(dir, 'nope')], {}, tmp);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/nope: no such directory/);
    expect(existsSync(join(dir, 'x.csv'))).toBe(false);
  }, CLI_TEST_TIMEOUT_MS);
});
