import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnVigil, vigilEnv } from '../features/ingest/vigil-process';
import { testRedisUrl, uniqueKeyPrefix } from '../harness/redis';
import { buildTrainedRegistry, removeTrainedRegistry, WORLD_START, type TrainedRegistry } from '../serving/fixtures/trained-registry';

/*
 * Promotions made from the command line are audited like those made through the HTTP API: `vigil models promote`,
 * and `vigil train` making the first model of an event type its champion.
 */

let registry: TrainedRegistry;
let out: string;
beforeAll(async () => {
  registry = await buildTrainedRegistry({ challengers: true });
  out = await mkdtemp(join(tmpdir(), 'vigil-promotion-audit-'));
}, 120_000);
afterAll(async () => {
  await removeTrainedRegistry(registry);
  await rm(out, { recursive: true, force: true });
});

async function auditEntries(env: NodeJS.ProcessEnv): Promise<{ kind: string; actor: string; subject: string; data: Record<string, unknown> }[]> {
  const file = join(out, `${uniqueKeyPrefix()}audit.jsonl`);
  const run = await spawnVigil(['audit', 'export', '--out', file], env).done;
  expect(run.code).toBe(0);
  return (await readFile(file, 'utf8'))
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l));
}

it('audits vigil models promote, naming the version, its event type and the champion it replaced', async () => {
  const env = vigilEnv(testRedisUrl(), uniqueKeyPrefix(), { VIGIL_MODEL_DIR: registry.modelDir });
  const version = registry.challengers.login as string;
  const run = await spawnVigil(['models', 'promote', version], env).done;
  expect(run.code).toBe(0);
  expect(await auditEntries(env)).toEqual([
    expect.objectContaining({ kind: 'promotion', actor: 'cli', subject: version, data: { eventType: 'login', previous: registry.champions.login } }),
  ]);
}, 60_000);

it('audits the champion vigil train makes of the first model of an event type', async () => {
  const modelDir = join(out, 'fresh-registry');
  const env = vigilEnv(testRedisUrl(), uniqueKeyPrefix(), { VIGIL_MODEL_DIR: modelDir });
  const data = registry.dataDir;
  const args = ['train', '--events', join(data, 'events.jsonl'), '--labels', join(data, 'labels.jsonl'), '--train-from', WORLD_START, '--train-to', '2026-01-14'];
  const run = await spawnVigil([...args, '--test-from', '2026-01-15', '--test-to', '2026-01-20', '--algo', 'gbdt', '--type', 'login'], env).done;
  expect(run.code).toBe(0);
  const champion = JSON.parse(await readFile(join(modelDir, 'champions.json'), 'utf8')).login as string;
  expect(await auditEntries(env)).toEqual([expect.objectContaining({ kind: 'promotion', actor: 'cli', subject: champion, data: { eventType: 'login' } })]);
}, 120_000);
