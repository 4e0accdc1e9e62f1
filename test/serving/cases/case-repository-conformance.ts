import { compareNewestFirst, type CaseListQuery, type CaseSummary } from '../../../serving/cases/case-record';
import { LABELLED_RETENTION_MS, type CaseRepository } from '../../../serving/cases/case-repository';
import { DetailsCipher } from '../../../serving/cases/details-cipher';
import type { CaseInput } from '../../../serving/stores/serving-stores';

/** A test clock: starts at the real time (Redis expires keys by its own clock), moves only when told. */
export interface TestClock {
  now: () => number;
  advance(ms: number): void;
}

export function testClock(): TestClock {
  let t = Date.now();
  return { now: () => t, advance: (ms) => void (t += ms) };
}

/** What one conformance run needs: a fresh, empty repository on the given clock and cipher. */
export type OpenRepository = (options: { clock: TestClock; cipher: DetailsCipher }) => Promise<CaseRepository>;

export const PII_KEY = Buffer.alloc(32, 9);

/** A held withdrawal's case input; the details carry the personal data that must never be at rest in clear. */
export function withdrawalCase(eventId: string, overrides: Partial<CaseInput> = {}): CaseInput {
  return {
    eventId,
    type: 'withdrawal',
    userId: 'user-17',
    ts: '2026-11-20T10:00:00Z',
    score: 0.42,
    decision: 'hold',
    reasons: [{ code: 'amount_vs_user_max', text: 'Amount against the user maximum. Value: 4.2.', feature: 'amount_vs_user_max', value: 4.2, contribution: 1.25 }],
    model: { name: 'withdrawal-gbdt', version: 'withdrawal-gbdt-1' },
    details: { ip: '203.0.113.77', deviceId: 'device-secret-0042', address: '0x52908400098527886E0F7030069857D2E4169EE7', asset: 'ETH', amount: 3.5, amountUsd: 11200, country: 'DE' },
    ...overrides,
  };
}

async function allPages(repo: CaseRepository, query: Omit<CaseListQuery, 'after'>): Promise<CaseSummary[]> {
  const all: CaseSummary[] = [];
  let after: CaseListQuery['after'];
  for (let pages = 0; pages < 100; pages++) {
    const page = await repo.list({ ...query, after });
    expect(page.cases.length).toBeLessThanOrEqual(query.limit);
    all.push(...page.cases);
    if (!page.next) return all;
    after = page.next;
  }
  throw new Error('more than 100 pages: the cursor does not advance');
}

/**
 * The behaviour every case store must have, run against each backend (memory, Redis, Redis Cluster): opening once,
 * paging newest first with ties, filters, labels and corrections, expiry of labelled cases.
 */
export function describeCaseRepositoryConformance(openRepository: OpenRepository): void {
  let clock: TestClock;
  let repo: CaseRepository;
  const cipher = new DetailsCipher(PII_KEY);

  beforeEach(async () => {
    clock = testClock();
    repo = await openRepository({ clock, cipher });
  });

  afterEach(async () => {
    await repo.close();
  });

  it('opens a case once: summary without details, details only through reveal', async () => {
    const input = withdrawalCase('wd-1');
    await repo.open(input);
    const openedAt = new Date(clock.now()).toISOString();
    clock.advance(5_000);
    await repo.open({ ...input, score: 0.99, details: { ip: '198.51.100.1' } });

    const summary = await repo.get('wd-1');
    expect(summary).toEqual({
      id: 'wd-1', type: 'withdrawal', userId: 'user-17', ts: input.ts, openedAt, score: 0.42, decision: 'hold', reasons: input.reasons, model: input.model, status: 'open',
    });
    expect(JSON.stringify(summary)).not.toContain('203.0.113.77');
    const detail = await repo.reveal('wd-1');
    expect(detail?.details).toEqual(input.details);
    expect(detail?.note).toBeUndefined();
    expect((await repo.list({ status: 'open', limit: 10 })).cases.map((c) => c.id)).toEqual(['wd-1']);
    expect(await repo.get('nope')).toBeUndefined();
    expect(await repo.reveal('nope')).toBeUndefined();
  });

  it('pages newest first, ties on openedAt in descending byte order, each case exactly once', async () => {
    // Same millisecond for these: the order among them is the ids' UTF-8 bytes, as Redis orders equal scores.
    // 'Ａ' (U+FF21) sorts after the emoji in UTF-16 (JS `<`) but before it in UTF-8 bytes (Redis).
    const tied = ['a', 'B', 'é', 'z', 'zz', '\u{1F600}', 'Ａ', 'Z-9'];
    for (const id of tied) await repo.open(withdrawalCase(id));
    clock.advance(1);
    await repo.open(withdrawalCase('later'));
    clock.advance(1);
    await repo.open(withdrawalCase('latest'));

    const tiedAt = clock.now() - 2;
    const expected = ['latest', 'later', ...tied.map((id) => ({ openedAtMs: tiedAt, id })).sort(compareNewestFirst).map((p) => p.id)];
    expect(expected.slice(2)).toEqual(['\u{1F600}', 'Ａ', 'é', 'zz', 'z', 'a', 'Z-9', 'B']);
    for (const limit of [1, 2, 3, 10, 100]) {
      expect((await allPages(repo, { status: 'open', limit })).map((c) => c.id)).toEqual(expected);
    }
    const exact = await repo.list({ status: 'open', limit: 10 });
    expect(exact.cases).toHaveLength(10);
    expect(exact.next).toBeUndefined();
    const first = await repo.list({ status: 'open', limit: 3 });
    expect(first.next).toEqual({ openedAtMs: tiedAt, id: '\u{1F600}' });
  });

  it('filters by status, type and decision', async () => {
    await repo.open(withdrawalCase('wd-hold'));
    clock.advance(1);
    await repo.open(withdrawalCase('wd-step', { decision: 'step_up' }));
    clock.advance(1);
    await repo.open(withdrawalCase('login-step', { type: 'login', decision: 'step_up', details: { ip: '192.0.2.1', deviceId: 'd' } }));
    clock.advance(1);
    await repo.label('wd-hold', { label: 'fraud', note: undefined, labelledBy: 'key-a', at: new Date(clock.now()) });

    const ids = async (q: Partial<CaseListQuery>) => (await allPages(repo, { status: 'open', limit: 10, ...q })).map((c) => c.id);
    expect(await ids({})).toEqual(['login-step', 'wd-step']);
    expect(await ids({ type: 'withdrawal' })).toEqual(['wd-step']);
    expect(await ids({ decision: 'step_up' })).toEqual(['login-step', 'wd-step']);
    expect(await ids({ type: 'login', decision: 'hold' })).toEqual([]);
    expect(await ids({ status: 'labelled' })).toEqual(['wd-hold']);
    expect(await ids({ status: 'labelled', decision: 'hold', type: 'withdrawal' })).toEqual(['wd-hold']);
    expect(await ids({ status: 'all' })).toEqual(['login-step', 'wd-step', 'wd-hold']);
    expect(await ids({ status: 'all', type: 'withdrawal', decision: 'hold' })).toEqual(['wd-hold']);
  });

  it('labels a case; a later label replaces it and reports the one it replaced', async () => {
    await repo.open(withdrawalCase('wd-1'));
    clock.advance(60_000);
    const firstAt = new Date(clock.now());
    const first = await repo.label('wd-1', { label: 'fraud', note: 'customer confirmed: not them', labelledBy: 'key-a', at: firstAt });
    expect(first?.previous).toBeUndefined();
    expect(first?.case).toMatchObject({ id: 'wd-1', status: 'labelled', label: 'fraud', labelledBy: 'key-a', labelledAt: firstAt.toISOString() });
    expect((await repo.reveal('wd-1'))?.note).toBe('customer confirmed: not them');

    clock.advance(60_000);
    const secondAt = new Date(clock.now());
    const second = await repo.label('wd-1', { label: 'legit', note: undefined, labelledBy: 'key-b', at: secondAt });
    expect(second?.previous).toEqual({ label: 'fraud', labelledBy: 'key-a', labelledAt: firstAt.toISOString() });
    expect(second?.case).toMatchObject({ status: 'labelled', label: 'legit', labelledBy: 'key-b', labelledAt: secondAt.toISOString() });
    const detail = await repo.reveal('wd-1');
    expect(detail?.note).toBeUndefined();
    expect(detail?.details).toEqual(withdrawalCase('wd-1').details);
    expect((await repo.list({ status: 'labelled', limit: 10 })).cases.map((c) => c.id)).toEqual(['wd-1']);
    expect((await repo.list({ status: 'open', limit: 10 })).cases).toEqual([]);

    // Scoring the same event again (a retry after the label) leaves the case labelled.
    await repo.open(withdrawalCase('wd-1'));
    expect((await repo.get('wd-1'))?.label).toBe('legit');
    expect(await repo.label('nope', { label: 'fraud', note: undefined, labelledBy: 'key-a', at: secondAt })).toBeUndefined();
  });

  it('forgets a labelled case once its retention has passed, from every index', async () => {
    await repo.open(withdrawalCase('old'));
    await repo.open(withdrawalCase('kept'));
    // Labelled just over 90 days ago (the time comes from the caller), so its retention is over now.
    await repo.label('old', { label: 'fraud', note: undefined, labelledBy: 'key-a', at: new Date(clock.now() - LABELLED_RETENTION_MS - 1_000) });
    await repo.label('kept', { label: 'legit', note: undefined, labelledBy: 'key-a', at: new Date(clock.now() - LABELLED_RETENTION_MS + 60_000) });
    clock.advance(1);
    await repo.open(withdrawalCase('new'));

    expect(await repo.get('old')).toBeUndefined();
    expect(await repo.get('kept')).toBeDefined();
    expect((await repo.list({ status: 'labelled', limit: 10 })).cases.map((c) => c.id)).toEqual(['kept']);
    expect((await repo.list({ status: 'all', limit: 10 })).cases.map((c) => c.id)).toEqual(['new', 'kept']);
    expect((await repo.list({ status: 'all', type: 'withdrawal', decision: 'hold', limit: 10 })).cases.map((c) => c.id)).toEqual(['new', 'kept']);
  });
}
