import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../core/config';
import { createLogger } from '../../core/logger';
import type { LoginEvent, VigilEvent } from '../../data/schemas';
import { FeaturePipeline } from '../../features/pipeline';
import { createFeatureStore, type FeatureStoreBackend } from '../../features/store/create-feature-store';
import type { UserState } from '../../features/state/user-state';
import { createCaseServices, type CaseServices } from '../../serving/cases/create-case-services';
import { recordParts } from '../../serving/decision-record';
import { FileEventSpool } from '../../serving/spool';
import { createSecurityStores, type SecurityStores } from '../../serving/stores/create-security-stores';
import type { ScoreResponse } from '../../serving/stores/serving-stores';
import { startRedisServer, type RedisServer } from '../harness/redis-server';
import { uniqueKeyPrefix } from '../harness/redis';

const log = createLogger('silent');

function login(i: number, userId = 'u-spool'): LoginEvent {
  return {
    type: 'login',
    eventId: `spool-${i}`,
    userId,
    ts: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
    ip: `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}`,
    deviceId: `dev-${i % 3}`,
    success: true,
  };
}

async function seenIds(backend: FeatureStoreBackend, userId: string): Promise<Set<string>> {
  const state = (await backend.store.readState('user', userId)) as UserState | undefined;
  return new Set(state?.seen.keys() ?? []);
}

async function spoolFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((f) => f.endsWith('.jsonl')).sort();
}

describe('FileEventSpool', () => {
  let server: RedisServer;
  let backend: FeatureStoreBackend;
  let security: SecurityStores;
  let cases: CaseServices;
  let pipeline: FeaturePipeline;
  let dir: string;
  let spool: FileEventSpool | undefined;

  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server.stop();
  });
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-spool-'));
    const config = loadConfig({ REDIS_URL: server.url, VIGIL_PII_KEY: 'ab'.repeat(32), VIGIL_REDIS_KEY_PREFIX: uniqueKeyPrefix() });
    backend = await createFeatureStore(config, log);
    pipeline = new FeaturePipeline({ store: backend.store, pseudonymize: backend.pseudonymize });
    security = await createSecurityStores(config, log);
    cases = await createCaseServices(config, log, { audit: security.audit, pipeline });
  });
  afterEach(async () => {
    await spool?.close();
    spool = undefined;
    await cases.close();
    await security.close();
    await backend.store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const open = async (piiKey?: Buffer) => {
    spool = await FileEventSpool.open({ dir, pipeline, stores: { responses: security.responses, cases: cases.store, audit: security.audit }, piiKey, log });
    return spool;
  };

  it('has every acknowledged event on disk, one JSON line each, before add resolves', async () => {
    const s = await open();
    const events = Array.from({ length: 200 }, (_, i) => login(i));
    // Concurrent appends share writes and fsyncs; each resolves only once its line is in a file.
    await Promise.all(events.map((e) => s.add(e)));
    const lines = (await Promise.all((await spoolFiles(dir)).map((f) => readFile(join(dir, f), 'utf8')))).join('').trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { event: VigilEvent }).event.eventId).sort()).toEqual(events.map((e) => e.eventId).sort());
    expect(s.backlog()).toBe(200);
  });

  it('seals every line under VIGIL_PII_KEY, applies them, and sets aside a file written under another key', async () => {
    const key = Buffer.alloc(32, 5);
    const s = await open(key);
    const events = Array.from({ length: 20 }, (_, i) => login(i, 'u-sealed'));
    for (const e of events) await s.add(e);
    const [file] = await spoolFiles(dir);
    const text = await readFile(join(dir, file as string), 'utf8');
    // Events carry IPs and device ids: none may be on disk in clear.
    for (const e of events) {
      expect(text).not.toContain(e.ip);
      expect(text).not.toContain(e.eventId);
    }
    expect(text).not.toContain('dev-');
    expect(await s.drain()).toMatchObject({ applied: 20, files: 1, invalidLines: 0 });
    expect(await seenIds(backend, 'u-sealed')).toEqual(new Set(events.map((e) => e.eventId)));

    // The same lines, read by a spool with another key: nothing applied, the file kept aside for a human.
    await writeFile(join(dir, '1767225600000-999999-0.jsonl'), text);
    await s.close();
    const other = await open(Buffer.alloc(32, 6));
    expect(await other.drain()).toMatchObject({ applied: 0, files: 0 });
    expect(await spoolFiles(dir)).toEqual([]);
    expect(await readdir(join(dir, 'failed'))).toEqual(['1767225600000-999999-0.jsonl']);
  });

  it('waits while the store is down, then applies every event once and removes the files', async () => {
    const s = await open();
    await server.kill();
    for (let i = 0; i < 30; i++) await s.add(login(i));
    const down = await s.drain();
    expect(down.storeUnavailable).toBe(true);
    expect(s.backlog()).toBe(30);
    expect(await spoolFiles(dir)).toHaveLength(1);

    await server.restart();
    await waitFor(async () => (await s.drain()).storeUnavailable === false);
    expect(s.backlog()).toBe(0);
    expect(await spoolFiles(dir)).toEqual([]);
    const seen = await seenIds(backend, 'u-spool');
    for (let i = 0; i < 30; i++) expect(seen.has(`spool-${i}`)).toBe(true);
  });

  it("writes the answers' spooled bookkeeping once the store is back: audit entry, answer for retries, case", async () => {
    const s = await open();
    await server.kill();
    const held = { ...login(1, 'u-book'), type: 'withdrawal' as const, asset: 'BTC', amount: 1, address: 'bc1qa6cl8nzkq7e794qjzvzpu374v39n5zeg8sv78h' };
    const { ip: _ip, deviceId: _dev, success: _ok, ...withdrawal } = held;
    const allowed = login(2, 'u-book');
    const answer = (eventId: string, decision: ScoreResponse['decision']): ScoreResponse => ({
      eventId,
      score: null,
      decision,
      reasons: [{ code: 'feature_store_unavailable', text: 'x' }],
      model: null,
    });
    const holdAnswer = answer(withdrawal.eventId, 'hold');
    const allowAnswer = answer(allowed.eventId, 'allow');
    await s.add(withdrawal, { response: holdAnswer, actor: 'key-1', pending: recordParts(holdAnswer) });
    // Only the audit entry of this one failed when it was answered: nothing else is written again.
    await s.add(allowed, { response: allowAnswer, actor: 'key-2', pending: ['audit'] });
    expect((await s.drain()).storeUnavailable).toBe(true);

    await server.restart();
    await waitFor(async () => (await s.drain()).storeUnavailable === false);
    expect(await security.responses.get(withdrawal.eventId)).toEqual(holdAnswer);
    expect(await security.responses.get(allowed.eventId)).toBeUndefined();
    const audited = [];
    for await (const entry of security.audit.read()) audited.push(entry);
    expect(audited.map((e) => [e.kind, e.actor, e.subject, e.data.decision])).toEqual([
      ['decision', 'key-1', withdrawal.eventId, 'hold'],
      ['decision', 'key-2', allowed.eventId, 'allow'],
    ]);
    const opened = await cases.store.list({ status: 'open', limit: 10 });
    expect(opened.cases.map((c) => [c.id, c.decision])).toEqual([[withdrawal.eventId, 'hold']]);
    expect(await seenIds(backend, 'u-book')).toEqual(new Set([withdrawal.eventId, allowed.eventId]));
  });

  it('drains files an earlier process left, skipping a line cut short by a crash, and re-applying changes nothing', async () => {
    const events = Array.from({ length: 10 }, (_, i) => login(i, 'u-crash'));
    const text = events.map((e) => JSON.stringify(e)).join('\n');
    await writeFile(join(dir, '1767225600000-999999-0.jsonl'), `${text}\n{"type":"login","eventId":"cut`);
    // The same events again in a second file: a crash between applying a file and removing it.
    await writeFile(join(dir, '1767225600001-999999-1.jsonl'), `${text}\n`);
    const s = await open();
    expect(s.backlog()).toBe(21);
    const outcome = await s.drain();
    expect(outcome).toMatchObject({ applied: 20, files: 2, invalidLines: 1, storeUnavailable: false });
    const state = (await backend.store.readState('user', 'u-crash')) as UserState;
    expect([...state.seen.keys()].sort()).toEqual(events.map((e) => e.eventId).sort());
    // Exactly once: ten logins counted, not twenty.
    expect(state.loginTs.length).toBe(10);
    expect(await spoolFiles(dir)).toEqual([]);
  });

  it("leaves the files of another live process to it, and drains them once that process is gone", async () => {
    // A sibling worker of `vigil serve --workers` writing into the same directory: here a process that only sleeps.
    const writer = spawn('sleep', ['30']);
    const exited = once(writer, 'exit');
    try {
      const events = Array.from({ length: 5 }, (_, i) => login(i, 'u-sibling'));
      const name = `1767225600000-${writer.pid}-0.jsonl`;
      await writeFile(join(dir, name), `${events.map((e) => JSON.stringify(e)).join('\n')}\n`);
      const s = await open();
      expect(s.backlog()).toBe(0);
      expect(await s.drain()).toMatchObject({ applied: 0, files: 0 });
      expect(await spoolFiles(dir)).toEqual([name]);
      expect(await backend.store.readState('user', 'u-sibling')).toBeUndefined();

      writer.kill('SIGKILL');
      await exited;
      expect(await s.drain()).toMatchObject({ applied: 5, files: 1 });
      expect(await spoolFiles(dir)).toEqual([]);
      expect([...(await seenIds(backend, 'u-sibling'))].sort()).toEqual(events.map((e) => e.eventId).sort());
    } finally {
      writer.kill('SIGKILL');
    }
  });

  it('loses nothing that is appended while a drain runs', async () => {
    const s = await open();
    for (let i = 0; i < 50; i++) await s.add(login(i, 'u-race'));
    const late = Array.from({ length: 50 }, (_, i) => login(100 + i, 'u-race'));
    const [first] = await Promise.all([s.drain(), ...late.map((e) => s.add(e))]);
    expect(first.storeUnavailable).toBe(false);
    await s.drain();
    expect(s.backlog()).toBe(0);
    const seen = await seenIds(backend, 'u-race');
    expect(seen.size).toBe(100);
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
