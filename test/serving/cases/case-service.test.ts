import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NotFoundError, ValidationError } from '../../../core/errors';
import { createLogger } from '../../../core/logger';
import { normalizeAddress } from '../../../data/addresses';
import { safeParseLabel, type WithdrawalEvent } from '../../../data/schemas';
import { featureNames } from '../../../features/definitions';
import { FeaturePipeline } from '../../../features/pipeline';
import { MemoryFeatureStore } from '../../../features/store/memory-feature-store';
import { decodeCursor } from '../../../serving/cases/case-query';
import { AnalystCaseService } from '../../../serving/cases/case-service';
import { DetailsCipher } from '../../../serving/cases/details-cipher';
import { JsonlLabelLog } from '../../../serving/cases/label-log';
import { MemoryCaseRepository } from '../../../serving/cases/memory-case-repository';
import { MemoryAuditLog } from '../../../serving/stores/memory-audit-log';
import type { AuditRecord } from '../../../serving/stores/serving-stores';
import { PII_KEY, testClock, withdrawalCase, type TestClock } from './case-repository-conformance';

const HOUR = 3_600_000;
const ADDRESS = '0x52908400098527886E0F7030069857D2E4169EE7';
const NAMES = featureNames('withdrawal');

let clock: TestClock;
let store: MemoryFeatureStore;
let pipeline: FeaturePipeline;
let cases: MemoryCaseRepository;
let audit: MemoryAuditLog;
let dir: string;
let labelLog: JsonlLabelLog;
let service: AnalystCaseService;

beforeEach(() => {
  clock = testClock();
  store = new MemoryFeatureStore();
  pipeline = new FeaturePipeline({ store });
  cases = new MemoryCaseRepository({ cipher: new DetailsCipher(PII_KEY), now: clock.now });
  audit = new MemoryAuditLog({ now: clock.now });
  dir = mkdtempSync(join(tmpdir(), 'vigil-cases-'));
  labelLog = new JsonlLabelLog(join(dir, 'labels'));
  service = new AnalystCaseService({ cases, pipeline, labelLog, audit, log: createLogger('silent'), now: clock.now });
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function withdrawal(eventId: string, tsMs: number): WithdrawalEvent {
  return { type: 'withdrawal', eventId, userId: 'user-17', ts: new Date(tsMs).toISOString(), asset: 'ETH', chain: 'ethereum', amount: 3.5, amountUsd: 11200, address: ADDRESS, ip: '203.0.113.77' };
}

/** Scores nothing: applies the event as scoring would and returns its features (from the state before it). */
async function featuresOf(event: WithdrawalEvent): Promise<(name: string) => number> {
  const [result] = await pipeline.process([{ kind: 'event', event, tsMs: Date.parse(event.ts) }]);
  if (result?.kind !== 'features') throw new Error(`expected features, got ${result?.kind}`);
  return (name) => result.features[NAMES.indexOf(name)] as number;
}

/** A held withdrawal an hour ago: applied to feature state and a case opened, as the scoring service does. */
async function heldWithdrawal(eventId: string): Promise<void> {
  const event = withdrawal(eventId, clock.now() - HOUR);
  await featuresOf(event);
  await cases.open(withdrawalCase(eventId, { ts: event.ts }));
}

async function auditEntries(): Promise<AuditRecord[]> {
  const entries: AuditRecord[] = [];
  for await (const entry of audit.read()) entries.push(entry);
  return entries;
}

const labelLines = (): unknown[] => readFileSync(labelLog.file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as unknown);

describe('AnalystCaseService.label', () => {
  it('labels the case, feeds the label to feature state from now on, logs it for training and audits it', async () => {
    await heldWithdrawal('wd-1');
    clock.advance(10 * 60_000);
    const labelledAt = new Date(clock.now()).toISOString();

    const response = await service.label('wd-1', { label: 'fraud', note: '  customer did not recognise it  ' }, 'key-analyst');
    expect(response).toMatchObject({ id: 'wd-1', status: 'labelled', label: 'fraud', labelledBy: 'key-analyst', labelledAt, featureState: 'applied' });
    expect((await service.get('wd-1')).note).toBe('customer did not recognise it');

    // The user's and the address's state hold the label, known from the moment it was given.
    expect((await store.readState('user', 'user-17'))?.labels.get('wd-1')).toEqual([clock.now(), 1]);
    expect((await store.readState('address', normalizeAddress('ethereum', ADDRESS)))?.labels.get('wd-1')).toEqual([clock.now(), 1]);
    // Point in time: an event after the label sees it, an event from before the label (arriving late) does not.
    const later = await featuresOf(withdrawal('wd-later', clock.now() + 60_000));
    expect(later('user_fraud_labels')).toBe(1);
    expect(later('addr_fraud_labels_30d')).toBe(1);
    expect(later('addr_fraud_share_7d')).toBeCloseTo(1 / 1);
    const earlier = await featuresOf(withdrawal('wd-earlier', clock.now() - 60_000));
    expect(earlier('user_fraud_labels')).toBe(0);

    const lines = labelLines();
    expect(lines).toEqual([{ eventId: 'wd-1', label: 'fraud', ts: labelledAt, source: 'analyst' }]);
    expect(safeParseLabel(lines[0]).ok).toBe(true);

    const entries = await auditEntries();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      kind: 'case_labelled',
      actor: 'key-analyst',
      subject: 'wd-1',
      data: { label: 'fraud', previous: null, ts: labelledAt, source: 'analyst', hasNote: true, featureState: 'applied' },
    });
    // The note may name people: it is kept encrypted with the case, never in the audit trail.
    expect(JSON.stringify(entries)).not.toContain('recognise');
  });

  it('takes a correction: the later label wins everywhere, and both are audited', async () => {
    await heldWithdrawal('wd-1');
    clock.advance(60_000);
    await service.label('wd-1', { label: 'fraud' }, 'key-a');
    const firstAt = new Date(clock.now()).toISOString();
    clock.advance(60_000);
    const corrected = await service.label('wd-1', { label: 'legit' }, 'key-b');

    expect(corrected).toMatchObject({ label: 'legit', labelledBy: 'key-b', featureState: 'applied' });
    expect((await store.readState('user', 'user-17'))?.labels.get('wd-1')).toEqual([clock.now(), 0]);
    const afterCorrection = await featuresOf(withdrawal('wd-later', clock.now() + 1));
    expect(afterCorrection('user_fraud_labels')).toBe(0);
    expect(labelLines().map((l) => (l as { label: string }).label)).toEqual(['fraud', 'legit']);
    const entries = await auditEntries();
    expect(entries.map((e) => [e.actor, e.data.label])).toEqual([
      ['key-a', 'fraud'],
      ['key-b', 'legit'],
    ]);
    expect(entries[1]?.data.previous).toEqual({ label: 'fraud', labelledBy: 'key-a', labelledAt: firstAt });
  });

  it('takes the same label again (a double click, a retry) as a no-op: no new log line, audit entry or label time', async () => {
    await heldWithdrawal('wd-1');
    clock.advance(60_000);
    const first = await service.label('wd-1', { label: 'fraud' }, 'key-a');
    const state = JSON.stringify([...((await store.readState('user', 'user-17'))?.labels ?? [])]);
    clock.advance(60_000);
    const again = await service.label('wd-1', { label: 'fraud' }, 'key-b');

    expect(again).toEqual(first);
    expect(again).toMatchObject({ labelledBy: 'key-a', featureState: 'applied' });
    expect(labelLines()).toHaveLength(1);
    expect(await auditEntries()).toHaveLength(1);
    expect(JSON.stringify([...((await store.readState('user', 'user-17'))?.labels ?? [])])).toBe(state);
    // With a note it is an update of the case, recorded as such.
    await service.label('wd-1', { label: 'fraud', note: 'confirmed by phone' }, 'key-b');
    expect(await auditEntries()).toHaveLength(2);
  });

  it('changes nothing and answers 503 when the labels file cannot be written', async () => {
    await heldWithdrawal('wd-1');
    const blocked = new JsonlLabelLog(join(dir, 'a-file', 'labels'));
    writeFileSync(join(dir, 'a-file'), 'not a directory');
    const failing = new AnalystCaseService({ cases, pipeline, labelLog: blocked, audit, log: createLogger('silent'), now: clock.now });
    clock.advance(60_000);

    await expect(failing.label('wd-1', { label: 'fraud' }, 'key-a')).rejects.toMatchObject({ httpStatus: 503, reason: 'labels_log_unavailable' });
    expect((await cases.get('wd-1'))?.status).toBe('open');
    expect((await store.readState('user', 'user-17'))?.labels.size).toBe(0);
    expect(await auditEntries()).toHaveLength(0);
    await expect(blocked.checkWritable()).rejects.toThrow(/VIGIL_LABELS_DIR: cannot write the analysts' labels file/);
  });

  it('still labels a case whose event the feature store no longer knows, and says so', async () => {
    await cases.open(withdrawalCase('wd-forgotten'));
    const response = await service.label('wd-forgotten', { label: 'legit' }, 'key-a');
    expect(response).toMatchObject({ status: 'labelled', label: 'legit', featureState: 'unknown_event' });
    expect(labelLines()).toHaveLength(1);
  });

  it('refuses a bad body or an unknown case with the field at fault, and changes nothing', async () => {
    await heldWithdrawal('wd-1');
    const attempts: [unknown, (string | number)[]][] = [
      [{ label: 'maybe' }, ['label']],
      [{}, ['label']],
      [{ label: 'fraud', note: 7 }, ['note']],
      [{ label: 'fraud', note: 'x'.repeat(2001) }, ['note']],
      [{ label: 'fraud', by: 'me' }, ['by']],
      ['fraud', []],
    ];
    for (const [body, path] of attempts) {
      const err = await service.label('wd-1', body, 'key-a').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).issues.map((i) => i.path)).toContainEqual(path);
    }
    await expect(service.label('no-such-event', { label: 'fraud' }, 'key-a')).rejects.toThrow(NotFoundError);

    expect((await cases.get('wd-1'))?.status).toBe('open');
    expect((await store.readState('user', 'user-17'))?.labels.size).toBe(0);
    expect(existsSync(labelLog.file)).toBe(false);
    expect(await auditEntries()).toEqual([]);
  });
});

describe('AnalystCaseService.list and get', () => {
  it('pages the open queue newest first with an opaque cursor, and filters', async () => {
    for (const id of ['wd-1', 'wd-2', 'wd-3']) {
      await cases.open(withdrawalCase(id));
      clock.advance(1_000);
    }
    await cases.open(withdrawalCase('login-1', { type: 'login', decision: 'step_up' }));
    await service.label('wd-2', { label: 'legit' }, 'key-a');

    const first = await service.list({ limit: '2' });
    expect(first.cases.map((c) => c.id)).toEqual(['login-1', 'wd-3']);
    expect(first.cases[0]).not.toHaveProperty('details');
    expect(first.next).toEqual(expect.any(String));
    const second = await service.list({ limit: '2', cursor: first.next as string });
    expect(second).toEqual({ cases: [expect.objectContaining({ id: 'wd-1' })], next: null });

    expect((await service.list({ status: 'labelled' })).cases.map((c) => c.id)).toEqual(['wd-2']);
    expect((await service.list({ status: 'all', type: 'withdrawal' })).cases.map((c) => c.id)).toEqual(['wd-3', 'wd-2', 'wd-1']);
    expect((await service.list({ decision: 'step_up' })).cases.map((c) => c.id)).toEqual(['login-1']);
    expect(decodeCursor(first.next as string)).toEqual({ openedAtMs: Date.parse(first.cases[1]?.openedAt as string), id: 'wd-3' });
  });

  it('names the bad query parameter', async () => {
    const bad: [Record<string, unknown>, string, RegExp][] = [
      [{ limit: '0' }, 'limit', /1 to 100/],
      [{ limit: '101' }, 'limit', /1 to 100/],
      [{ limit: '2.5' }, 'limit', /whole number/],
      [{ status: 'closed' }, 'status', /open, labelled or all/],
      [{ status: ['open', 'all'] }, 'status', /more than once/],
      [{ type: 'account_change' }, 'type', /login or withdrawal/],
      [{ decision: 'maybe' }, 'decision', /step_up/],
      [{ cursor: 'not-a-cursor' }, 'cursor', /previous page/],
      [{ sort: 'asc' }, 'sort', /unknown parameter/],
    ];
    for (const [query, param, message] of bad) {
      const err = await service.list(query).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).httpStatus).toBe(400);
      expect((err as ValidationError).issues).toContainEqual({ path: [param], message: expect.stringMatching(message) });
    }
  });

  it('opens one case with its details decrypted; an unknown id is 404', async () => {
    await cases.open(withdrawalCase('wd-1'));
    const detail = await service.get('wd-1');
    expect(detail.details).toEqual(withdrawalCase('wd-1').details);
    expect(detail.reasons[0]).toMatchObject({ feature: 'amount_vs_user_max', value: 4.2, contribution: 1.25 });
    const err = await service.get('wd-404').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as NotFoundError).httpStatus).toBe(404);
  });
});
