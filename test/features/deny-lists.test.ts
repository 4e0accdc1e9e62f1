import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ConflictError, NotFoundError, UnavailableError, ValidationError } from '../../core/errors';
import { toChecksumAddress } from '../../data/addresses';
import { buildFeaturesCsv } from '../../features/build-training-csv';
import { DenyLists } from '../../features/deny-lists';
import { consistentSnapshot, type DenyListInfo } from '../../features/deny-lists/deny-list-store';
import { loadListDirectory, parseListFileName } from '../../features/deny-lists/list-directory';
import { MAX_REPORTED_ERRORS, parseListFile, parseListLines } from '../../features/deny-lists/parse-list';
import { DenyListRefresher } from '../../features/deny-lists/refresher';
import type { DenyListLookup } from '../../features/pipeline';
import { FileDenyListStore } from '../../features/store/file-deny-list-store';

/** The real lists of ../shared/data/addresses (see its README): OFAC sanctions per asset, ScamSniffer EVM addresses. */
const ADDRESSES = join(__dirname, '../../../shared/data/addresses');
const OFAC_XBT = join(ADDRESSES, 'ofac/XBT.txt');
const OFAC_ETH = join(ADDRESSES, 'ofac/ETH.txt');
const OFAC_TRX = join(ADDRESSES, 'ofac/TRX.txt');
const SCAM_EVM = join(ADDRESSES, 'scamsniffer/EVM.txt');

const linesOf = (file: string) => readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0);
const firstLine = (file: string) => linesOf(file)[0] as string;

/** Addresses of the real files, picked by form. */
const OFAC_ETH_ADDRESS = firstLine(OFAC_ETH); // lower-case in the file
const OFAC_BTC_BASE58 = linesOf(OFAC_XBT).find((a) => a.startsWith('1')) as string;
const OFAC_BTC_BECH32 = linesOf(OFAC_XBT).find((a) => a.startsWith('bc1')) as string;
const OFAC_TRX_ADDRESS = firstLine(OFAC_TRX);
/** Valid addresses on no list. */
const UNLISTED_ETH = '0x5aeda56215b167893e80b4fe645ba6d5bab767de';
const UNLISTED_BTC = '1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa';

const tmp = mkdtempSync(join(tmpdir(), 'vigil-deny-lists-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let dirCount = 0;
const freshDir = () => join(tmp, `d${++dirCount}`);

const lines = (...texts: string[]) => texts.map((text, i) => ({ lineNo: i + 1, text }));

describe('parsing a list file', () => {
  it('reports the stray Tron address of the OFAC Bitcoin file and loads every other line', async () => {
    const parsed = await parseListFile('bitcoin', OFAC_XBT);
    const fileLines = linesOf(OFAC_XBT);
    const trxLine = fileLines.findIndex((a) => a.startsWith('T')) + 1;
    expect(trxLine).toBeGreaterThan(0);
    expect(parsed.total).toBe(fileLines.length);
    expect(parsed.invalid).toBe(1);
    expect(parsed.errors).toEqual([{ line: trxLine, reason: expect.stringMatching(/^invalid bitcoin address "T\w+": expected a base58 address/) }]);
    expect(parsed.addresses).toHaveLength(fileLines.length - 1);
    expect(parsed.addresses).toContain(OFAC_BTC_BASE58);
    expect(parsed.addresses).toContain(OFAC_BTC_BECH32);
  });

  it('loads the OFAC Ethereum and ScamSniffer EVM files whole', async () => {
    const eth = await parseListFile('ethereum', OFAC_ETH);
    const scam = await parseListFile('ethereum', SCAM_EVM);
    expect([eth.addresses.length, eth.invalid]).toEqual([linesOf(OFAC_ETH).length, 0]);
    expect([scam.addresses.length, scam.invalid]).toEqual([linesOf(SCAM_EVM).length, 0]);
  });

  it('skips blanks and comments, normalises case, and counts duplicates after normalisation', async () => {
    const checksummed = toChecksumAddress(UNLISTED_ETH);
    const parsed = await parseListLines(
      'ethereum',
      lines('# header', '', `${checksummed}  # trailing comment`, UNLISTED_ETH.toUpperCase().replace('0X', '0x'), '   ', 'not-an-address'),
    );
    expect(parsed).toEqual({
      chain: 'ethereum',
      addresses: [UNLISTED_ETH],
      total: 3,
      invalid: 1,
      duplicates: 1,
      errors: [{ line: 6, reason: 'invalid ethereum address "not-an-address": expected 0x followed by 40 hex digits' }],
    });
  });

  it('lower-cases bech32 but keeps base58 as it is', async () => {
    const parsed = await parseListLines('bitcoin', lines(OFAC_BTC_BECH32.toUpperCase(), OFAC_BTC_BASE58));
    expect(parsed.addresses).toEqual([OFAC_BTC_BECH32, OFAC_BTC_BASE58]);
  });

  it(`reports the first ${MAX_REPORTED_ERRORS} invalid lines and counts them all`, async () => {
    const bad = Array.from({ length: MAX_REPORTED_ERRORS + 5 }, (_, i) => `bad${i}`);
    const parsed = await parseListLines('tron', lines(OFAC_TRX_ADDRESS, ...bad));
    expect(parsed.invalid).toBe(bad.length);
    expect(parsed.errors).toHaveLength(MAX_REPORTED_ERRORS);
    expect(parsed.errors[0]?.line).toBe(2);
    expect(parsed.addresses).toEqual([OFAC_TRX_ADDRESS]);
  });

  it('reads gzipped files and names a missing file', async () => {
    const gz = join(tmp, 'list.txt.gz');
    writeFileSync(gz, gzipSync(`${OFAC_TRX_ADDRESS}\n`));
    expect((await parseListFile('tron', gz)).addresses).toEqual([OFAC_TRX_ADDRESS]);
    await expect(parseListFile('tron', join(tmp, 'missing.txt'))).rejects.toThrow(NotFoundError);
  });
});

describe('DenyLists lookups', () => {
  let lists: DenyLists;
  beforeAll(async () => {
    const load = async (name: string, chain: string, file: string) => ({ name, chain, addresses: (await parseListFile(chain, file)).addresses });
    lists = new DenyLists([
      await load('scam', 'ethereum', SCAM_EVM),
      await load('ofac', 'ethereum', OFAC_ETH),
      await load('ofac', 'bitcoin', OFAC_XBT),
      await load('ofac', 'tron', OFAC_TRX),
    ]);
  });

  it('finds a listed Ethereum address in lower, upper and checksummed case, on any EVM chain or none', () => {
    const forms = [OFAC_ETH_ADDRESS, `0x${OFAC_ETH_ADDRESS.slice(2).toUpperCase()}`, toChecksumAddress(OFAC_ETH_ADDRESS)];
    expect(new Set(forms).size).toBe(3);
    for (const address of forms) {
      for (const chain of ['ethereum', 'bsc', 'polygon', undefined]) expect(lists.lookup(chain, address)).toBe('ofac');
    }
    expect(lists.lookup('ethereum', firstLine(SCAM_EVM).toUpperCase().replace('0X', '0x'))).toBe('scam');
  });

  it('misses unlisted addresses and EVM addresses asked for on a non-EVM chain', () => {
    expect(lists.lookup('ethereum', UNLISTED_ETH)).toBeUndefined();
    expect(lists.lookup(undefined, UNLISTED_ETH)).toBeUndefined();
    expect(lists.lookup('bitcoin', UNLISTED_BTC)).toBeUndefined();
    expect(lists.lookup('bitcoin', OFAC_ETH_ADDRESS)).toBeUndefined();
  });

  it('matches non-EVM addresses on their own chain, and on an unknown chain only in a form that fits', () => {
    expect(lists.lookup('bitcoin', OFAC_BTC_BASE58)).toBe('ofac');
    expect(lists.lookup(undefined, OFAC_BTC_BASE58)).toBe('ofac');
    expect(lists.lookup('tron', OFAC_BTC_BASE58)).toBeUndefined();
    // base58 is case-sensitive: the lower-cased string is another address
    expect(lists.lookup(undefined, OFAC_BTC_BASE58.toLowerCase())).toBeUndefined();
    expect(lists.lookup('bitcoin', OFAC_BTC_BASE58.toLowerCase())).toBeUndefined();
    // bech32 is not
    expect(lists.lookup('bitcoin', OFAC_BTC_BECH32.toUpperCase())).toBe('ofac');
    expect(lists.lookup(undefined, OFAC_BTC_BECH32.toUpperCase())).toBe('ofac');
    expect(lists.lookup(undefined, OFAC_TRX_ADDRESS)).toBe('ofac');
    expect(lists.lookup('tron', OFAC_TRX_ADDRESS)).toBe('ofac');
    expect(lists.lookup('bitcoin', OFAC_TRX_ADDRESS)).toBeUndefined();
  });

  it('counts what it holds', () => {
    expect(lists.lists.map((l) => `${l.name}/${l.chain}`)).toEqual(['ofac/bitcoin', 'ofac/ethereum', 'ofac/tron', 'scam/ethereum']);
    expect(lists.size).toBe(linesOf(SCAM_EVM).length + linesOf(OFAC_ETH).length + (linesOf(OFAC_XBT).length - 1) + linesOf(OFAC_TRX).length);
  });

  it('plugs into the pipeline as a DenyListLookup', () => {
    const lookup: DenyListLookup = lists.lookupFn;
    expect(lookup('ethereum', OFAC_ETH_ADDRESS)).toBe('ofac');
    expect(lookup('ethereum', UNLISTED_ETH)).toBeUndefined();
  });
});

describe('DenyLists with an address on several lists', () => {
  const shared = UNLISTED_ETH;
  const build = (order: 'forward' | 'reverse') => {
    const contents = [
      { name: 'zeta', chain: 'bsc', addresses: [shared] },
      { name: 'alpha', chain: 'ethereum', addresses: [shared] },
      { name: 'alpha', chain: 'polygon', addresses: [shared] },
      { name: 'local', chain: 'litecoin', addresses: ['LbTjMGN7gELw4KbeyQf6cTCq859hD18guE'] },
    ];
    return new DenyLists(order === 'forward' ? contents : contents.reverse());
  };

  it('returns the first list by name, whatever the load order', () => {
    expect(build('forward').lookup('ethereum', shared)).toBe('alpha');
    expect(build('reverse').lookup('ethereum', shared)).toBe('alpha');
    expect(build('reverse').lookup('bsc', toChecksumAddress(shared))).toBe('alpha');
  });

  it('lists every list once, sorted', () => {
    expect(build('reverse').listsOf(undefined, shared)).toEqual(['alpha', 'zeta']);
  });

  it('matches a chain it has no rules for exactly', () => {
    const lists = build('forward');
    expect(lists.lookup('litecoin', 'LbTjMGN7gELw4KbeyQf6cTCq859hD18guE')).toBe('local');
    expect(lists.lookup(undefined, 'LbTjMGN7gELw4KbeyQf6cTCq859hD18guE')).toBe('local');
    expect(lists.lookup(undefined, 'lbtjmgn7gelw4kbeyqf6ctcq859hd18gue')).toBeUndefined();
    expect(lists.lookup('dogecoin', 'LbTjMGN7gELw4KbeyQf6cTCq859hD18guE')).toBeUndefined();
  });

  it('holds nothing when empty', () => {
    expect(new DenyLists().lookup('ethereum', shared)).toBeUndefined();
    expect(new DenyLists().size).toBe(0);
  });
});

describe('FileDenyListStore', () => {
  it('keeps each list in <name>-<chain>.txt and a registry, replacing a list as a whole', async () => {
    const dir = freshDir();
    const store = new FileDenyListStore(dir);
    expect(await store.registry()).toEqual({ version: 0, lists: [] });
    const at = new Date('2026-02-01T00:00:00Z');
    expect(await store.replace({ name: 'ofac', chain: 'tron', addresses: ['Ta', 'Tb'] }, at)).toEqual({
      name: 'ofac', chain: 'tron', count: 2, loadedAt: at.toISOString(), version: 1,
    }); // prettier-ignore
    await store.replace({ name: 'ofac', chain: 'ethereum', addresses: [UNLISTED_ETH] }, at);
    await store.replace({ name: 'ofac', chain: 'tron', addresses: ['Tc'] }, at);
    expect(await store.version()).toBe(3);
    expect(readFileSync(join(dir, 'ofac-tron.txt'), 'utf8')).toBe('Tc\n');
    expect(readdirSync(dir).sort()).toEqual(['ofac-ethereum.txt', 'ofac-tron.txt', 'registry.json']); // no temporary or lock file left
    expect(await store.snapshot()).toEqual({
      version: 3,
      lists: [
        { name: 'ofac', chain: 'ethereum', addresses: [UNLISTED_ETH] },
        { name: 'ofac', chain: 'tron', addresses: ['Tc'] },
      ],
    });
    expect((await store.registry()).lists.map((l) => [l.name, l.chain, l.count, l.version])).toEqual([
      ['ofac', 'ethereum', 1, 2],
      ['ofac', 'tron', 1, 3],
    ]);
  });

  it('refuses a list whose file name another list already has', async () => {
    const store = new FileDenyListStore(freshDir());
    await store.replace({ name: 'a-b', chain: 'c', addresses: ['x'] });
    await expect(store.replace({ name: 'a', chain: 'b-c', addresses: ['y'] })).rejects.toThrow(ConflictError);
    expect(await store.version()).toBe(1);
  });

  it('waits for another load holding the lock, and gives up naming the lock file', async () => {
    const dir = freshDir();
    const store = new FileDenyListStore(dir, { lockTimeoutMs: 50 });
    await store.replace({ name: 'x', chain: 'tron', addresses: ['T1'] });
    writeFileSync(join(dir, '.lock'), String(process.pid)); // a live process holds it
    const failed = store.replace({ name: 'x', chain: 'tron', addresses: ['T2'] });
    await expect(failed).rejects.toThrow(UnavailableError);
    await expect(failed).rejects.toThrow(/\.lock/);
    expect(await store.version()).toBe(1);
  });

  it('takes over the lock of a loader that died', async () => {
    const dir = freshDir();
    const store = new FileDenyListStore(dir, { lockTimeoutMs: 50 });
    await store.replace({ name: 'x', chain: 'tron', addresses: ['T1'] });
    const dead = spawnSync(process.execPath, ['-e', '']).pid as number; // has exited when spawnSync returns
    writeFileSync(join(dir, '.lock'), String(dead));
    await store.replace({ name: 'x', chain: 'tron', addresses: ['T2'] });
    expect((await store.snapshot()).lists).toEqual([{ name: 'x', chain: 'tron', addresses: ['T2'] }]);
  });
});

describe('consistentSnapshot', () => {
  /** Reads of a store where a load lands right after each of the first `times` list reads. */
  function racyStore(times: number) {
    let version = 1;
    let content = ['T-v1'];
    let loads = 0;
    const info = (): DenyListInfo => ({ name: 'x', chain: 'tron', count: content.length, loadedAt: '', version });
    return consistentSnapshot(
      async () => ({ version, lists: [info()] }),
      async () => {
        const read = content;
        if (loads++ < times) {
          version++; // a load lands between the registry read and the version check
          content = [`T-v${version}`];
        }
        return read;
      },
      async () => version,
    );
  }

  it('reads again when a load lands while it reads, and returns one version', async () => {
    expect(await racyStore(2)).toEqual({ version: 3, lists: [{ name: 'x', chain: 'tron', addresses: ['T-v3'] }] });
  });

  it('gives up after five reads that each saw a load', async () => {
    await expect(racyStore(5)).rejects.toMatchObject({ code: 'unavailable', reason: 'deny_lists_busy' });
  });
});

describe('DenyListRefresher (file store)', () => {
  it('swaps in a replaced list while lookups keep running, never showing a mix', async () => {
    const store = new FileDenyListStore(freshDir());
    const oldAddresses = linesOf(OFAC_ETH);
    const newAddresses = linesOf(SCAM_EVM);
    await store.replace({ name: 'screen', chain: 'ethereum', addresses: oldAddresses });
    const refresher = new DenyListRefresher(store, { intervalMs: 5 });
    await refresher.start();
    try {
      expect(refresher.version).toBe(1);
      expect(refresher.lookup('ethereum', oldAddresses[0] as string)).toBe('screen');
      expect(refresher.lookup('ethereum', newAddresses[0] as string)).toBeUndefined();

      const probes = [oldAddresses[0], oldAddresses.at(-1), newAddresses[0], newAddresses.at(-1)] as string[];
      const seen = new Set<string>();
      let lookups = 0;
      let running = true;
      // Lookups between every turn of the event loop, as a service's requests would be, until the new list shows.
      const loop = (async () => {
        while (running) {
          const hits = probes.map((a) => (refresher.lookup(undefined, a) === 'screen' ? 1 : 0)).join('');
          seen.add(hits);
          lookups += probes.length;
          if (hits === '0011') running = false;
          await new Promise((resolve) => setImmediate(resolve));
        }
      })();
      await store.replace({ name: 'screen', chain: 'ethereum', addresses: newAddresses });
      await loop;

      expect(seen).toEqual(new Set(['1100', '0011'])); // old list whole, then new list whole
      expect(lookups).toBeGreaterThan(probes.length);
      expect(refresher.version).toBe(2);
      for (const a of oldAddresses) expect(refresher.lookup('ethereum', a)).toBeUndefined();
      for (const a of newAddresses) expect(refresher.lookup('bsc', a)).toBe('screen');
    } finally {
      refresher.stop();
    }
  });

  it('does not re-read when the version did not move, and keeps the old lists while polls fail', async () => {
    const dir = freshDir();
    const store = new FileDenyListStore(dir);
    await store.replace({ name: 'x', chain: 'tron', addresses: [OFAC_TRX_ADDRESS] });
    const errors: unknown[] = [];
    const swaps: number[] = [];
    const refresher = new DenyListRefresher(store, { intervalMs: 5, onError: (err) => errors.push(err), onSwap: (version) => swaps.push(version) });
    await refresher.start();
    try {
      expect(await refresher.refresh()).toBe(false);
      expect(swaps).toEqual([1]);
      writeFileSync(join(dir, 'registry.json'), '{ not json');
      while (errors.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(errors[0]).toBeInstanceOf(UnavailableError);
      expect((errors[0] as Error).message).toMatch(/registry\.json: .*JSON/);
      expect(refresher.lookup('tron', OFAC_TRX_ADDRESS)).toBe('x');
      expect(refresher.version).toBe(1);
    } finally {
      refresher.stop();
    }
  });

  it('rejects start() when the store cannot be read', async () => {
    const dir = freshDir();
    await new FileDenyListStore(dir).replace({ name: 'x', chain: 'tron', addresses: ['T1'] });
    rmSync(join(dir, 'x-tron.txt'));
    const refresher = new DenyListRefresher(new FileDenyListStore(dir));
    await expect(refresher.start()).rejects.toThrow(UnavailableError);
    await expect(refresher.start()).rejects.toThrow(/x-tron\.txt/);
    expect(refresher.version).toBeUndefined();
    refresher.stop();
  });
});

describe('list directories (features build --lists)', () => {
  it('splits <name>-<chain>.txt, preferring a known chain name as the suffix', () => {
    expect(parseListFileName('scam-bitcoin.txt')).toEqual({ name: 'scam', chain: 'bitcoin' });
    expect(parseListFileName('scam-ethereum-classic.txt')).toEqual({ name: 'scam', chain: 'ethereum-classic' });
    expect(parseListFileName('ofac-sdn-tron.txt.gz')).toEqual({ name: 'ofac-sdn', chain: 'tron' });
    expect(parseListFileName('mine-litecoin.txt')).toEqual({ name: 'mine', chain: 'litecoin' });
    for (const other of ['registry.json', 'bitcoin.txt', '-bitcoin.txt', 'Scam-bitcoin.txt', 'scam-bitcoin.txt.1.tmp']) {
      expect(parseListFileName(other)).toBeUndefined();
    }
  });

  it('loads every list file and reports invalid lines per file', async () => {
    const dir = freshDir();
    const store = new FileDenyListStore(dir); // a VIGIL_LIST_DIR has the same form
    await store.replace({ name: 'ofac', chain: 'tron', addresses: [OFAC_TRX_ADDRESS] });
    writeFileSync(join(dir, 'scam-bitcoin.txt'), `${OFAC_BTC_BASE58}\n${OFAC_TRX_ADDRESS}\n`);
    writeFileSync(join(dir, 'notes.md'), 'not a list');
    const loaded = await loadListDirectory(dir);
    expect(loaded.files.map((f) => [f.name, f.chain, f.loaded, f.invalid])).toEqual([
      ['ofac', 'tron', 1, 0],
      ['scam', 'bitcoin', 1, 1],
    ]);
    expect(loaded.files[1]?.errors[0]?.line).toBe(2);
    expect(loaded.lists.lookup(undefined, OFAC_BTC_BASE58)).toBe('scam');
    expect(loaded.lists.lookup('tron', OFAC_TRX_ADDRESS)).toBe('ofac');
  });

  it('refuses a missing directory, one without list files, and a file without a valid address', async () => {
    await expect(loadListDirectory(join(tmp, 'nowhere'))).rejects.toThrow(NotFoundError);
    writeFileSync(join(tmp, 'plain.txt'), '');
    await expect(loadListDirectory(join(tmp, 'plain.txt'))).rejects.toThrow(/not a directory/);
    const noLists = freshDir();
    mkdirSync(noLists);
    writeFileSync(join(noLists, 'notes.md'), 'not a list');
    await expect(loadListDirectory(noLists)).rejects.toThrow(/no list files/);
    const wrongChain = freshDir();
    mkdirSync(wrongChain);
    writeFileSync(join(wrongChain, 'x-tron.txt'), `${OFAC_ETH_ADDRESS}\n`);
    const error = await loadListDirectory(wrongChain).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(/x-tron\.txt: no valid tron address in 1 lines \(line 1: invalid tron address/);
  });

  it('sets addr_deny_listed for withdrawals to listed addresses in a built feature table', async () => {
    const dir = freshDir();
    const store = new FileDenyListStore(dir);
    await store.replace({ name: 'scam', chain: 'ethereum', addresses: [OFAC_ETH_ADDRESS] });
    await store.replace({ name: 'scam', chain: 'bitcoin', addresses: [OFAC_BTC_BECH32] });
    const events = join(tmp, 'events.jsonl');
    const withdrawal = (eventId: string, minute: number, asset: string, address: string, chain?: string) =>
      JSON.stringify({ type: 'withdrawal', eventId, userId: 'u1', ts: `2026-01-05T10:0${minute}:00Z`, asset, amount: 1, address, chain });
    writeFileSync(
      events,
      [
        withdrawal('listed-eth', 1, 'ETH', toChecksumAddress(OFAC_ETH_ADDRESS)),
        withdrawal('unlisted-eth', 2, 'ETH', toChecksumAddress(UNLISTED_ETH)),
        withdrawal('listed-usdt', 3, 'USDT', OFAC_ETH_ADDRESS.toUpperCase().replace('0X', '0x')), // token: no chain known
        withdrawal('listed-btc', 4, 'BTC', OFAC_BTC_BECH32.toUpperCase(), 'bitcoin'),
      ].join('\n'),
    );
    const out = join(tmp, 'features.csv');
    const { lists } = await loadListDirectory(dir);
    await buildFeaturesCsv({ events, out, denyLists: lists.lookupFn });
    const [header, ...rows] = readFileSync(out, 'utf8').trim().split('\n').map((l) => l.split(','));
    const column = (header as string[]).indexOf('addr_deny_listed');
    expect(column).toBeGreaterThan(3);
    expect(rows.map((r) => [r[0], r[column]])).toEqual([
      ['listed-eth', '1'],
      ['unlisted-eth', '0'],
      ['listed-usdt', '1'],
      ['listed-btc', '1'],
    ]);
  });
});
