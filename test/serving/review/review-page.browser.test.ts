/**
 * @jest-environment ./test/serving/fixtures/onnx-test-environment.ts
 */
// Page scripts are passed as strings: the project compiles without the DOM library.
import { readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import request from 'supertest';
import type { WithdrawalEvent } from '../../../data/schemas';
import { featureNames } from '../../../features/definitions';
import { FeaturePipeline } from '../../../features/pipeline';
import type { CaseDetail } from '../../../serving/cases/case-record';
import type { ScoreResponse } from '../../../serving/stores/serving-stores';
import { buildTrainedRegistry, removeTrainedRegistry, type TrainedRegistry } from '../fixtures/trained-registry';
import { startTestService, type TestService } from '../fixtures/test-service';

/** Where the test leaves its screenshot of the page (a labelled case next to the queue), to be looked at. */
const SCREENSHOT = join(tmpdir(), 'vigil-review-page.png');

const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const USER = 'review-user-1';
const ADDRESS = 'bc1qa6cl8nzkq7e794qjzvzpu374v39n5zeg8sv78h';
const MINUTE = 60_000;

let registry: TrainedRegistry;
let service: TestService;
let server: Server;
let base: string;
let browser: Browser;
let analystKey: string;
let analystKeyId: string;

beforeAll(async () => {
  registry = await buildTrainedRegistry();
  const policyFile = join(registry.root, 'policy.json');
  // Every withdrawal at or above 0 is held: the model still scores and explains, the test just knows the decision.
  writeFileSync(policyFile, JSON.stringify({ thresholds: { withdrawal: { step_up: 0, hold: 0 } } }));
  service = await startTestService({ redisUrl: undefined, modelDir: registry.modelDir, env: { VIGIL_POLICY_FILE: policyFile, VIGIL_LABELS_DIR: join(registry.root, 'labels') } });
  const analyst = await service.runtime.security.keys.create({ name: 'analyst', scopes: ['review'] }, 'test');
  analystKey = analyst.key;
  analystKeyId = analyst.id;
  server = service.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_FLAGS });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  await service?.close();
  await removeTrainedRegistry(registry);
});

function withdrawal(eventId: string, tsMs: number): WithdrawalEvent {
  return {
    type: 'withdrawal',
    eventId,
    userId: USER,
    ts: new Date(tsMs).toISOString(),
    asset: 'BTC',
    chain: 'bitcoin',
    amount: 0.4,
    amountUsd: 36_000,
    address: ADDRESS,
    ip: '198.51.100.23',
    deviceId: 'device-review-7',
    country: 'NG',
  };
}

/** The user's fraud label count as a withdrawal at `tsMs` would see it (the probe is applied, as scoring would). */
async function userFraudLabelsAt(eventId: string, tsMs: number): Promise<number> {
  const backend = service.runtime.featureStore;
  const pipeline = new FeaturePipeline({ store: backend.store, pseudonymize: backend.pseudonymize });
  const [result] = await pipeline.process([{ kind: 'event', event: withdrawal(eventId, tsMs), tsMs }]);
  if (result?.kind !== 'features') throw new Error(`no features: ${result?.kind}`);
  return result.features[featureNames('withdrawal').indexOf('user_fraud_labels')] as number;
}

const asAnalyst = (path: string) => request(service.app).get(path).set('Authorization', `Bearer ${analystKey}`);

/** Fails the test on any script error or CSP violation the page reports. */
function watchForErrors(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    // The deliberate wrong key below answers 401, which Chromium logs as a failed resource; anything else counts.
    if (msg.type() === 'error' && !/status of 401/.test(msg.text())) problems.push(`console: ${msg.text()}`);
  });
  return problems;
}

describe('the review page', () => {
  it('lists held withdrawals, opens one, labels it fraud, and the label reaches the case and the features', async () => {
    const start = Date.now() - 30 * MINUTE;
    const ids = ['review-wd-1', 'review-wd-2', 'review-wd-3'];
    for (const [i, id] of ids.entries()) {
      const res = await request(service.app).post('/v1/score/withdrawal').set('Authorization', service.auth).send(withdrawal(id, start + i * MINUTE)).expect(200);
      const body = res.body as ScoreResponse;
      expect(body).toMatchObject({ eventId: id, decision: 'hold', model: { version: registry.champions.withdrawal } });
    }
    const target = 'review-wd-2';
    expect(await userFraudLabelsAt('probe-before', Date.now() + MINUTE)).toBe(0);

    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const problems = watchForErrors(page);
    await page.goto(`${base}/review`);

    // A wrong key: the API's answer is shown as it is, and the key is asked for again.
    await page.getByLabel('API key with the review scope').fill('vgl_wrong_key');
    await page.getByRole('button', { name: 'Use key' }).click();
    await page.locator('#error').waitFor({ state: 'visible' });
    expect(await page.locator('#error').innerText()).toMatch(/401 unauthorized: missing or invalid API key/);
    expect(await page.evaluate("sessionStorage.getItem('vigil.review.apiKey')")).toBeNull();

    await page.getByLabel('API key with the review scope').fill(analystKey);
    await page.keyboard.press('Enter');
    const rows = page.locator('#case-rows tr');
    await rows.nth(2).waitFor();
    expect(await rows.count()).toBe(3);
    expect(await page.locator('#error').isHidden()).toBe(true);
    // Newest first, each with type, decision, score and top reasons.
    expect(await rows.locator('td.id').allInnerTexts()).toEqual([...ids].reverse());
    const firstRow = (await rows.nth(0).locator('td').allInnerTexts()).map((t) => t.trim());
    expect(firstRow[2]).toBe('withdrawal');
    expect(firstRow[3]).toBe('hold');
    expect(firstRow[4]).toMatch(/^0\.\d{3}$/);
    expect(firstRow[5]).not.toBe('');
    // The key lives in this tab's session storage only.
    expect(await page.evaluate("[sessionStorage.getItem('vigil.review.apiKey'), localStorage.length]")).toEqual([analystKey, 0]);

    // Keyboard: focus the case's button, Enter opens it, focus moves to its heading.
    await page.getByRole('button', { name: `Open case ${target}` }).focus();
    await page.keyboard.press('Enter');
    await page.locator('#case').waitFor({ state: 'visible' });
    expect(await page.evaluate('document.activeElement.id')).toBe('case-title');
    expect(await page.locator('#case-title').innerText()).toBe(`Case ${target}`);
    const summary = await page.locator('#case-summary').innerText();
    expect(summary).toContain(registry.champions.withdrawal);
    expect(summary).toContain(USER);
    const details = await page.locator('#case-details').innerText();
    for (const shown of ['198.51.100.23', 'device-review-7', ADDRESS, '36000', 'NG']) expect(details).toContain(shown);
    const reasonRows = page.locator('#reason-rows tr');
    expect(await reasonRows.count()).toBeGreaterThan(0);
    const firstReason = (await reasonRows.nth(0).locator('td').allInnerTexts()).map((t) => t.trim());
    expect(firstReason[2]).toMatch(/^\+\d/); // a positive contribution, signed

    await page.getByLabel('Fraud').check();
    await page.getByLabel(/^Note/).fill('Customer says the withdrawal was not theirs.');
    await page.getByRole('button', { name: 'Save label' }).click();
    await page.locator('#label-status', { hasText: /Labelled fraud/ }).waitFor();
    expect(await page.locator('#case-summary').innerText()).toMatch(/labelled fraud by/);
    // The open queue no longer holds it.
    await page.waitForFunction(`![...document.querySelectorAll('#case-rows td.id')].some((td) => td.textContent === ${JSON.stringify(target)})`);
    expect(await rows.locator('td.id').allInnerTexts()).toEqual(['review-wd-3', 'review-wd-1']);

    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(readFileSync(SCREENSHOT).subarray(1, 4).toString()).toBe('PNG');
    expect(problems).toEqual([]);
    await page.close();

    // Through the API: the case is labelled by the analyst's key, with the note, and left the open queue.
    const labelled = (await asAnalyst(`/v1/cases/${target}`).expect(200)).body as CaseDetail;
    expect(labelled).toMatchObject({ id: target, status: 'labelled', label: 'fraud', labelledBy: analystKeyId, note: 'Customer says the withdrawal was not theirs.' });
    expect(labelled.details).toMatchObject({ ip: '198.51.100.23', deviceId: 'device-review-7' });
    const open = (await asAnalyst('/v1/cases').expect(200)).body as { cases: { id: string }[] };
    expect(open.cases.map((c) => c.id)).toEqual(['review-wd-3', 'review-wd-1']);
    expect(((await asAnalyst('/v1/cases?status=labelled').expect(200)).body as { cases: { id: string }[] }).cases.map((c) => c.id)).toEqual([target]);

    // The feature state: a later event of the user now counts one fraud label.
    expect(await userFraudLabelsAt('probe-after', Date.now() + MINUTE)).toBe(1);
    const lines = readFileSync(join(registry.root, 'labels', 'labels-analyst.jsonl'), 'utf8').trim().split('\n');
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual([{ eventId: target, label: 'fraud', ts: labelled.labelledAt, source: 'analyst' }]);
  });
});
