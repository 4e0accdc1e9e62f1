/**
 * @jest-environment ./test/serving/fixtures/onnx-test-environment.ts
 */
import { execFile } from 'node:child_process';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { featureNames } from '../../features/definitions';
import { manifestSchema } from '../../models/manifest';
import { loadArtifact, ModelRegistry, sha256Hex } from '../../models/registry';
import { buildTrainedRegistry, removeTrainedRegistry, withoutVigilVariables, type TrainedRegistry } from '../serving/fixtures/trained-registry';

const run = promisify(execFile);
const VIGIL = join(__dirname, '../../bin/vigil.js');
const vigil = (args: string[], env: Record<string, string> = {}) =>
  run(process.execPath, [VIGIL, ...args], { env: { ...withoutVigilVariables(process.env), VIGIL_LOG_LEVEL: 'warn', ...env }, maxBuffer: 1 << 26 });

let world: TrainedRegistry;
beforeAll(async () => {
  world = await buildTrainedRegistry({ challengers: true });
}, 240_000);
afterAll(() => removeTrainedRegistry(world));

describe('vigil train', () => {
  it('writes a complete, self-consistent artifact per event type and makes the first model of each type champion', async () => {
    for (const type of ['login', 'withdrawal'] as const) {
      const dir = join(world.modelDir, world.champions[type]);
      expect((await readdir(dir)).sort()).toEqual(['manifest.json', 'metrics.json', 'model.json', 'model.onnx', 'report.html']);
      const manifest = manifestSchema.parse(JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')));
      expect(manifest.eventType).toBe(type);
      expect(manifest.featureNames).toEqual(featureNames(type));
      expect(manifest.onnxSha256).toBe(sha256Hex(await readFile(join(dir, 'model.onnx'))));
      expect(manifest.thresholds.step_up).toBeLessThan(type === 'withdrawal' ? (manifest.thresholds.hold as number) : (manifest.thresholds.block as number));
      const metrics = JSON.parse(await readFile(join(dir, 'metrics.json'), 'utf8'));
      for (const key of ['rocAuc', 'averagePrecision', 'cardPrecisionAt100', 'recallAtFpr', 'n', 'positives']) expect(metrics).toHaveProperty(key);
      expect(Object.keys(metrics.recallAtFpr)).toEqual(['0.001', '0.01']);
      expect(metrics.onnx.parityMaxAbsDiff).toBeLessThanOrEqual(1e-5);
      expect(metrics.onnx.checker).toBe('passed');
      expect(await readFile(join(dir, 'report.html'), 'utf8')).toContain(world.champions[type]);
    }
    // Versions trained with --out do not take the champion's place.
    const champions = await new ModelRegistry(world.modelDir).champions();
    expect(champions).toEqual(world.champions);
  });

  it('refuses overlapping periods and bad dates, naming the option', async () => {
    const data = (f: string) => join(world.dataDir, f);
    const base = ['train', '--events', data('events.jsonl'), '--labels', data('labels.jsonl'), '--out', join(world.root, 'unused')];
    await expect(vigil([...base, '--train-from', '2026-01-01', '--train-to', '2026-01-10', '--test-from', '2026-01-05', '--test-to', '2026-01-12'])).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--test-from'),
    });
    await expect(vigil([...base, '--train-from', '2026-02-30', '--train-to', '2026-03-10', '--test-from', '2026-03-11', '--test-to', '2026-03-12'])).rejects.toMatchObject({
      stderr: expect.stringContaining('--train-from: expected a date YYYY-MM-DD, got "2026-02-30"'),
    });
  });
});

describe('vigil evaluate', () => {
  it('scores a period through ONNX Runtime, writes eventId,userId,ts,score and reports the metrics contract', async () => {
    const model = join(world.modelDir, world.champions.withdrawal);
    const scores = join(world.root, 'scores.csv');
    const { stdout } = await vigil([
      'evaluate', '--model', model, '--events', join(world.dataDir, 'events.jsonl'), '--labels', join(world.dataDir, 'labels.jsonl'),
      '--from', '2026-01-15', '--to', '2026-01-20', '--scores-out', scores, '--truth', join(world.dataDir, 'truth.jsonl'),
    ]); // prettier-ignore
    const result = JSON.parse(stdout.trim().split('\n').pop() as string);
    expect(result.model.version).toBe(world.champions.withdrawal);
    expect(result.n).toBeGreaterThan(0);
    expect(result.rocAuc).toBeGreaterThan(0.5);
    const lines = (await readFile(scores, 'utf8')).trim().split('\n');
    expect(lines[0]).toBe('eventId,userId,ts,score');
    expect(lines).toHaveLength(result.n + 1);
    // The same scores as the test half of training (same rows, same ONNX path).
    const trained = JSON.parse(await readFile(join(model, 'metrics.json'), 'utf8'));
    expect(result.averagePrecision).toBeCloseTo(trained.averagePrecision, 10);
  });
});

describe('the registry refuses a model that does not match', () => {
  it('a changed ONNX file, a changed model.json, or features the running code does not compute', async () => {
    const registry = new ModelRegistry(world.modelDir);
    const version = world.challengers.login as string;
    const dir = registry.dirOf(version);
    await expect(loadArtifact(dir)).resolves.toMatchObject({ manifest: { version } });

    const onnx = await readFile(join(dir, 'model.onnx'));
    await writeFile(join(dir, 'model.onnx'), Buffer.concat([onnx, Buffer.from([0])]));
    await expect(registry.promote(version)).rejects.toThrow(/model\.onnx sha256 .* differs from the manifest/);
    await writeFile(join(dir, 'model.onnx'), onnx);
    const modelJson = await readFile(join(dir, 'model.json'), 'utf8');
    await writeFile(join(dir, 'model.json'), modelJson.replace('"kind"', ' "kind"'));
    await expect(loadArtifact(dir)).rejects.toThrow(/model\.json sha256 .* differs from the manifest/);
    await writeFile(join(dir, 'model.json'), modelJson);

    const manifestText = await readFile(join(dir, 'manifest.json'), 'utf8');
    const manifest = JSON.parse(manifestText);
    [manifest.featureNames[0], manifest.featureNames[1]] = [manifest.featureNames[1], manifest.featureNames[0]];
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));
    await expect(loadArtifact(dir)).rejects.toThrow(/feature 0 is '.*' in the manifest but '.*' in the running definitions/);
    await writeFile(join(dir, 'manifest.json'), JSON.stringify({ ...JSON.parse(manifestText), featureSetVersion: 'v0' }));
    await expect(loadArtifact(dir)).rejects.toThrow(/feature set v0 is not the running/);
    await writeFile(join(dir, 'manifest.json'), manifestText);

    // Unchanged, it promotes; promoting it again is a conflict; the champion file names it.
    await expect(registry.promote(version)).resolves.toEqual({ eventType: 'login', previous: world.champions.login });
    await expect(registry.promote(version)).rejects.toThrow(/already the login champion/);
    expect((await registry.champions()).login).toBe(version);
  });
});
