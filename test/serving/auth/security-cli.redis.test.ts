import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deriveKey } from '../../../core/crypto';
import { createLogger } from '../../../core/logger';
import { ApiKeyAuthenticator } from '../../../serving/auth/api-key-authenticator';
import { API_KEY_HASH_PURPOSE } from '../../../serving/auth/api-key-format';
import { RedisApiKeyStore, type ApiKeyCommands } from '../../../serving/stores/redis-api-key-store';
import { connectTestRedis, deleteKeysWithPrefix, testRedisUrl, uniqueKeyPrefix, type TestRedisClient } from '../../harness/redis';

const VIGIL = join(__dirname, '../../../bin/vigil.js');
const PII_KEY_HEX = 'c3'.repeat(32);
/** Each run starts Node and compiles the sources through tsx (about a second of CPU on a shared two-core machine). */
const CLI_TEST_TIMEOUT_MS = 240_000;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  /** The last stdout line, parsed: every command's result. */
  result: unknown;
}

/** Runs `vigil …` as a user would, with only the given Vigil variables set. */
function vigil(args: string[], env: Record<string, string>): Promise<Run> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VIGIL_') && k !== 'REDIS_URL'));
  return new Promise((resolve) => {
    execFile(process.execPath, [VIGIL, ...args], { env: { ...base, VIGIL_LOG_LEVEL: 'warn', ...env } }, (err, stdout, stderr) => {
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

const tmp = mkdtempSync(join(tmpdir(), 'vigil-security-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let admin: TestRedisClient;
let prefix: string;
beforeAll(async () => {
  admin = await connectTestRedis(testRedisUrl());
});
afterAll(() => admin.destroy());
beforeEach(() => {
  prefix = uniqueKeyPrefix();
});
afterEach(() => deleteKeysWithPrefix(admin, prefix));

const env = () => ({ REDIS_URL: testRedisUrl(), VIGIL_PII_KEY: PII_KEY_HEX, VIGIL_REDIS_KEY_PREFIX: prefix });

/** Every key under the test's prefix, for "nothing changed" checks. */
async function keysUnderPrefix(): Promise<string[]> {
  const keys: string[] = [];
  for await (const batch of admin.scanIterator({ MATCH: `${prefix}*` })) keys.push(...batch);
  return keys.sort();
}

function readJsonl(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

it(
  'creates a key shown once, lists it without secrets, revokes it, and exports the audit trail of both',
  async () => {
    const created = await vigil(['keys', 'create', '--name', 'payments', '--scopes', 'score,ingest', '--allow-ip', '10.0.0.0/8', '--allow-ip', '::ffff:127.0.0.1'], env());
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const { id, key } = created.result as { id: string; key: string };
    expect(Object.keys(created.result as object).sort()).toEqual(['id', 'key']);
    expect(key).toMatch(new RegExp(`^vgl_${id}_[0-9A-Za-z_-]{43}$`));

    // The key works against the store the command wrote to, from inside its allowlist.
    const redis = await connectTestRedis(testRedisUrl());
    try {
      const auth = new ApiKeyAuthenticator(new RedisApiKeyStore(redis as unknown as ApiKeyCommands, { keyPrefix: prefix }), deriveKey(Buffer.from(PII_KEY_HEX, 'hex'), API_KEY_HASH_PURPOSE));
      expect(await auth.authenticate(`Bearer ${key}`, '10.20.30.40')).toEqual({ keyId: id, name: 'payments', scopes: ['score', 'ingest'] });
    } finally {
      redis.destroy();
    }

    const listed = await vigil(['keys', 'list'], env());
    expect(listed.code).toBe(0);
    expect(listed.result).toEqual({ keys: [{ id, name: 'payments', scopes: ['score', 'ingest'], allowedCidrs: ['10.0.0.0/8', '::ffff:127.0.0.1/128'], createdAt: expect.any(String) }] });
    const secretPart = key.slice(`vgl_${id}_`.length);
    expect(listed.stdout).not.toContain(secretPart);
    expect(listed.stdout).not.toContain('secretHash');

    const revoked = await vigil(['keys', 'revoke', id], env());
    expect(revoked.code).toBe(0);
    expect(revoked.result).toEqual({ id, revokedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/) });
    const again = await vigil(['keys', 'revoke', id], env());
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(new RegExp(`vigil: API key ${id} was already revoked at`));

    const out = join(tmp, `audit-${id}.jsonl`);
    const exported = await vigil(['audit', 'export', '--out', out], env());
    expect(exported.code).toBe(0);
    expect(exported.result).toMatchObject({ out, entries: 2 });
    const lines = readJsonl(out);
    expect(lines.map((l) => [l.kind, l.actor, l.subject])).toEqual([
      ['key_created', 'cli', id],
      ['key_revoked', 'cli', id],
    ]);
    expect(lines[0]).toMatchObject({ data: { name: 'payments', scopes: ['score', 'ingest'], allowedCidrs: ['10.0.0.0/8', '::ffff:127.0.0.1/128'] } });
    for (const l of lines) expect(new Date(l.ts as string).toISOString()).toBe(l.ts);
    expect(readFileSync(out, 'utf8')).not.toContain(secretPart);
    expect(existsSync(`${out}.partial`)).toBe(false);

    // A range: only the revocation is at or after its own time.
    const since = lines[1]?.ts as string;
    const ranged = await vigil(['audit', 'export', '--out', out, '--since', since], env());
    expect(ranged.result).toMatchObject({ entries: expect.any(Number), since });
    expect(readJsonl(out).map((l) => l.kind)).toContain('key_revoked');
    expect(readJsonl(out).every((l) => (l.ts as string) >= since)).toBe(true);
    // Dates are whole UTC days, both ends included: the day of the entries holds both; an output directory is made.
    const day = since.slice(0, 10);
    const dayOut = join(tmp, 'new-dir', 'day.jsonl');
    const wholeDay = await vigil(['audit', 'export', '--out', dayOut, '--since', day, '--until', day], env());
    expect(wholeDay.result).toMatchObject({ entries: expect.any(Number), until: `${day}T23:59:59.999Z` });
    expect(readJsonl(dayOut).filter((l) => l.subject === id).map((l) => l.kind)).toEqual(['key_created', 'key_revoked']);
    const before = await vigil(['audit', 'export', '--out', out, '--until', '2020-01-01'], env());
    expect(before.result).toMatchObject({ entries: 0 });
    expect(readFileSync(out, 'utf8')).toBe('');
  },
  CLI_TEST_TIMEOUT_MS,
);

it(
  'refuses bad input naming the value and the reason, and changes nothing',
  async () => {
    const cases: [string[], RegExp][] = [
      [['keys', 'create', '--name', 'x', '--scopes', 'score,superuser'], /scopes\.1: unknown scope "superuser"; expected one of score, ingest, label, review, admin/],
      [['keys', 'create', '--name', 'x', '--scopes', 'score', '--allow-ip', '10.0.0.0/8', '--allow-ip', '10.1.2.3/8'], /allowIps\.1: "10\.1\.2\.3\/8" has host bits set; the network is 10\.0\.0\.0\/8/],
      [['keys', 'create', '--name', 'x', '--scopes', 'score', '--allow-ip', '2001:db8::/200'], /prefix length must be a whole number from 0 to 128/],
      [['keys', 'revoke', 'vgl_abc'], /"vgl_abc" is not a key id/],
    ];
    for (const [args, message] of cases) {
      const run = await vigil(args, env());
      expect([args.join(' '), run.code]).not.toEqual([args.join(' '), 0]);
      expect(run.stderr).toMatch(message);
      expect(run.stdout).toBe('');
    }
    expect(await keysUnderPrefix()).toEqual([]); // no key, no audit entry

    const out = join(tmp, 'bad-range.jsonl');
    for (const [args, message] of [
      [['--since', '2026-02-30'], /"2026-02-30": no such calendar date/],
      [['--until', '2026-01-01T10:00:00'], /is not an ISO 8601 date or instant with a zone/],
      [['--since', '2026-02-01', '--until', '2026-01-01'], /--since \(2026-02-01T00:00:00.000Z\) is after --until/],
    ] as [string[], RegExp][]) {
      const run = await vigil(['audit', 'export', '--out', out, ...args], env());
      expect(run.code).not.toBe(0);
      expect(run.stderr).toMatch(message);
      expect(existsSync(out)).toBe(false);
    }
  },
  CLI_TEST_TIMEOUT_MS,
);

it(
  'explains that keys and audit exports need Redis, and writes nothing without it',
  async () => {
    const out = join(tmp, 'no-redis.jsonl');
    writeFileSync(out, 'kept\n');
    for (const args of [['keys', 'create', '--name', 'x', '--scopes', 'score'], ['audit', 'export', '--out', out]]) {
      const run = await vigil(args, {});
      expect(run.code).not.toBe(0);
      expect(run.stderr).toMatch(/need REDIS_URL: without it, API keys and the audit trail live inside the `vigil serve` process/);
      expect(run.stdout).toBe('');
    }
    expect(readFileSync(out, 'utf8')).toBe('kept\n');
  },
  CLI_TEST_TIMEOUT_MS,
);
