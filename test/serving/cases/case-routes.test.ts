import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import type { ScoreResponse } from '../../../serving/stores/serving-stores';
import { startTestService, type TestService } from '../fixtures/test-service';

/**
 * The case routes as `vigil serve` wires them, with the embedded backends and no model: every withdrawal gets the
 * fail mode (hold, reason model_unavailable), which opens a case without training anything.
 */
let service: TestService;
let root: string;
let reviewer: string;
let scorer: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'vigil-case-routes-'));
  service = await startTestService({ redisUrl: undefined, modelDir: join(root, 'registry'), env: { VIGIL_LABELS_DIR: join(root, 'labels') } });
  reviewer = `Bearer ${(await service.runtime.security.keys.create({ name: 'reviewer', scopes: ['review'] }, 'test')).key}`;
  scorer = `Bearer ${(await service.runtime.security.keys.create({ name: 'scorer', scopes: ['score'] }, 'test')).key}`;
});

afterAll(async () => {
  await service?.close();
  rmSync(root, { recursive: true, force: true });
});

const held = {
  eventId: 'routes-wd-1',
  userId: 'routes-user',
  ts: new Date().toISOString(),
  asset: 'BTC',
  amount: 0.1,
  address: 'bc1qa6cl8nzkq7e794qjzvzpu374v39n5zeg8sv78h',
  ip: '192.0.2.44',
};

describe('/v1/cases', () => {
  it('opens a case for a held withdrawal and serves it to the review scope only', async () => {
    const scored = (await request(service.app).post('/v1/score/withdrawal').set('Authorization', scorer).send(held).expect(200)).body as ScoreResponse;
    expect(scored).toMatchObject({ decision: 'hold', score: null, reasons: [{ code: 'model_unavailable' }] });

    await request(service.app).get('/v1/cases').expect(401);
    const forbidden = await request(service.app).get('/v1/cases').set('Authorization', scorer).expect(403);
    expect(forbidden.body.error.code).toBe('forbidden');

    const list = await request(service.app).get('/v1/cases?type=withdrawal&decision=hold').set('Authorization', reviewer).expect(200);
    expect(list.body).toEqual({ cases: [expect.objectContaining({ id: 'routes-wd-1', score: null, status: 'open', model: null })], next: null });
    const one = await request(service.app).get('/v1/cases/routes-wd-1').set('Authorization', reviewer).expect(200);
    expect(one.body.details).toEqual({ asset: 'BTC', amount: 0.1, address: held.address, ip: '192.0.2.44' });
  });

  it('answers bad queries and bodies with 400 naming the field, unknown cases with 404', async () => {
    const badLimit = await request(service.app).get('/v1/cases?limit=500').set('Authorization', reviewer).expect(400);
    expect(badLimit.body.error).toMatchObject({ code: 'invalid_input', details: [{ path: ['limit'], message: expect.stringContaining('1 to 100') }] });
    const unknownParam = await request(service.app).get('/v1/cases?order=asc').set('Authorization', reviewer).expect(400);
    expect(unknownParam.body.error.details).toEqual([{ path: ['order'], message: 'unknown parameter' }]);

    const missing = await request(service.app).get('/v1/cases/no-such-event').set('Authorization', reviewer).expect(404);
    expect(missing.body.error).toEqual({ code: 'not_found', message: "no case for event 'no-such-event'" });
    await request(service.app).post('/v1/cases/no-such-event/label').set('Authorization', reviewer).send({ label: 'fraud' }).expect(404);

    const badLabel = await request(service.app).post('/v1/cases/routes-wd-1/label').set('Authorization', reviewer).send({ label: 'probably' }).expect(400);
    expect(badLabel.body.error.details).toEqual([{ path: ['label'], message: 'expected "fraud" or "legit"' }]);
    expect((await request(service.app).get('/v1/cases/routes-wd-1').set('Authorization', reviewer).expect(200)).body.status).toBe('open');
  });

  it('labels a case and says the label reached the feature state', async () => {
    const res = await request(service.app).post('/v1/cases/routes-wd-1/label').set('Authorization', reviewer).send({ label: 'legit', note: 'known customer' }).expect(200);
    expect(res.body).toMatchObject({ id: 'routes-wd-1', status: 'labelled', label: 'legit', featureState: 'applied' });
    const state = await service.runtime.featureStore.store.readState('user', 'routes-user');
    expect(state?.labels.get('routes-wd-1')?.[1]).toBe(0);
  });
});

describe('/review', () => {
  it('serves the page, its script and its style, with a policy that allows nothing from elsewhere', async () => {
    const page = await request(service.app).get('/review/').expect(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.text).toContain("default-src 'none'; script-src 'self'");
    expect(page.text).not.toMatch(/https?:\/\//);
    await request(service.app).get('/review/review.js').expect(200).expect('content-type', /javascript/);
    await request(service.app).get('/review/review.css').expect(200).expect('content-type', /css/);
    const missing = await request(service.app).get('/review/missing.js').expect(404);
    expect(missing.body).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
  });
});
