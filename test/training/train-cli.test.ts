/**
 * @jest-environment ./test/serving/fixtures/onnx-test-environment.ts
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { onnx } from 'onnx-proto';
import { featureNames } from '../../features/definitions';
import { manifestSchema } from '../../models/manifest';
import { loadArtifact, ModelRegistry, RegistryFileError, sha256Hex } from '../../models/registry';
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

const PERIODS = ['--train-from', '2026-01-01', '--train-to', '2026-01-14', '--test-from', '2026-01-15', '--test-to', '2026-01-20'];

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
      // This small world's login model stays far below even odds: the block rate alone would block at about 5%.
      if (type === 'login') expect(manifest.thresholds.block).toBe(0.5);
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

  it('sets the login block threshold from --block-rate where that is above --min-block-score', async () => {
    const out = join(world.root, 'min-block-score');
    const base = ['train', '--events', join(world.dataDir, 'events.jsonl'), '--labels', join(world.dataDir, 'labels.jsonl'), ...PERIODS];
    const { stdout } = await vigil([...base, '--type', 'login', '--algo', 'gbdt', '--out', out, '--min-block-score', '0.001']);
    const [version] = JSON.parse(stdout.trim().split('\n').pop() as string).versions as { dir: string }[];
    const manifest = manifestSchema.parse(JSON.parse(await readFile(join(version?.dir as string, 'manifest.json'), 'utf8')));
    expect(manifest.thresholds.block).toBeGreaterThan(0.001);
    expect(manifest.thresholds.block).toBeLessThan(0.5);
    expect(manifest.thresholds.block).toBeGreaterThan(manifest.thresholds.step_up);
    await expect(vigil([...base, '--min-block-score', '1.5'])).rejects.toMatchObject({ stderr: expect.stringContaining('--min-block-score: expected a number between 0 and 1, got "1.5"') });
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

  it('refuses target rates that would invert the thresholds, naming both options, before reading anything', async () => {
    const base = ['train', '--events', join(world.root, 'no-such-events.jsonl'), '--labels', join(world.dataDir, 'labels.jsonl'), ...PERIODS, '--out', join(world.root, 'unused')];
    await expect(vigil([...base, '--step-up-rate', '0.01', '--hold-rate', '0.2'])).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--hold-rate 0.2 is above --step-up-rate 0.01'),
    });
    await expect(vigil([...base, '--type', 'login', '--step-up-rate', '0.01', '--block-rate', '0.02'])).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--block-rate 0.02 is above --step-up-rate 0.01'),
    });
  });

  it('refuses an --out that is a file before reading anything', async () => {
    const file = join(world.root, 'a-file');
    await writeFile(file, '');
    await expect(vigil(['train', '--events', join(world.dataDir, 'events.jsonl'), '--labels', join(world.dataDir, 'labels.jsonl'), ...PERIODS, '--out', file])).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining(`--out: ${file} exists and is not a directory`),
    });
  });

  it('checks every event type before fitting any: a period without known frauds writes no version and no champion', async () => {
    const dir = join(world.root, 'no-test-withdrawal-labels');
    await mkdir(dir);
    const events = (await readFile(join(world.dataDir, 'events.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    const testWithdrawals = new Set(events.filter((e) => e.type === 'withdrawal' && e.ts >= '2026-01-15').map((e) => e.eventId));
    const labels = (await readFile(join(world.dataDir, 'labels.jsonl'), 'utf8')).trim().split('\n');
    const kept = labels.filter((l) => !testWithdrawals.has(JSON.parse(l).eventId));
    expect(kept.length).toBeLessThan(labels.length);
    await writeFile(join(dir, 'labels.jsonl'), `${kept.join('\n')}\n`);
    const modelDir = join(dir, 'registry');
    const args = ['train', '--events', join(world.dataDir, 'events.jsonl'), '--labels', join(dir, 'labels.jsonl'), ...PERIODS, '--algo', 'gbdt'];
    await expect(vigil(args, { VIGIL_MODEL_DIR: modelDir })).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/withdrawal: the test period has \d+ events and 0 known frauds/),
    });
    // Login, trained first, passed every check: neither its version nor champions.json may have been written.
    expect(await readdir(modelDir).catch(() => [])).toEqual([]);
  }, 120_000);
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

  it('reads every input before writing: a bad truth file exits 2 and leaves no scores file', async () => {
    const dir = join(world.root, 'evaluate-bad-truth');
    await mkdir(dir);
    const truth = join(dir, 'truth.jsonl');
    await writeFile(truth, '{"eventId": 1}\n');
    await expect(vigil([
      'evaluate', '--model', join(world.modelDir, world.champions.withdrawal), '--events', join(world.dataDir, 'events.jsonl'),
      '--labels', join(world.dataDir, 'labels.jsonl'), '--from', '2026-01-15', '--to', '2026-01-20', '--scores-out', join(dir, 'scores.csv'), '--truth', truth,
    ])).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining(`${truth}:1`) }); // prettier-ignore
    expect(await readdir(dir)).toEqual(['truth.jsonl']);
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

describe('the registry checks the ONNX file and the directory against the manifest', () => {
  const source = () => join(world.modelDir, world.champions.withdrawal);
  const copy = async (root: string, name: string, manifest: (m: Record<string, unknown>) => Record<string, unknown> = (m) => m) => {
    await cp(source(), join(root, name), { recursive: true });
    const original = JSON.parse(await readFile(join(source(), 'manifest.json'), 'utf8'));
    await writeFile(join(root, name, 'manifest.json'), JSON.stringify(manifest(original)));
  };

  it('refuses an ONNX file that does not take the manifest\'s features or event type, or a directory not named for its version', async () => {
    const root = join(world.root, 'mismatched');
    const registry = new ModelRegistry(root);
    // A withdrawal model whose manifest was edited into a login model: its sha256s still match.
    await copy(root, 'relabelled', (m) => ({ ...m, version: 'relabelled', eventType: 'login', featureNames: featureNames('login') }));
    await expect(registry.promote('relabelled')).rejects.toThrow(`model.onnx takes ${featureNames('withdrawal').length} features but the manifest lists ${featureNames('login').length}`);

    // The same width, but exported for logins (the sha256 updated to the new file).
    const model = onnx.ModelProto.decode(await readFile(join(source(), 'model.onnx')));
    model.metadataProps = model.metadataProps.map((p) => onnx.StringStringEntryProto.create({ key: p.key, value: p.key === 'event_type' ? 'login' : p.value }));
    const reexported = onnx.ModelProto.encode(model).finish();
    await copy(root, 'reexported', (m) => ({ ...m, version: 'reexported', onnxSha256: sha256Hex(reexported) }));
    await writeFile(join(root, 'reexported', 'model.onnx'), reexported);
    await expect(registry.promote('reexported')).rejects.toThrow("model.onnx was exported with event_type 'login' but the manifest says 'withdrawal'");

    // A copy under another name would be listed as one version and promoted as another.
    await copy(root, 'copied');
    await expect(registry.promote('copied')).rejects.toThrow(`manifest.json names version '${world.champions.withdrawal}' but the directory is 'copied'`);
    expect(await registry.champions()).toEqual({});

    // Under its own name, the same files promote.
    await copy(root, world.champions.withdrawal);
    await expect(registry.promote(world.champions.withdrawal)).resolves.toEqual({ eventType: 'withdrawal', previous: undefined });
  });

  it('refuses to read an unreadable champions.json as "no champions", so a promotion cannot overwrite it', async () => {
    const root = join(world.root, 'corrupt');
    const registry = new ModelRegistry(root);
    await copy(root, world.champions.withdrawal);
    const file = join(root, 'champions.json');
    const truncated = JSON.stringify({ login: 'login-a', withdrawal: 'withdrawal-b' }, null, 2).slice(0, -8);
    await writeFile(file, truncated);
    await expect(registry.champions()).rejects.toThrow(`cannot read the model registry's ${file}: not JSON`);
    await expect(registry.promote(world.champions.withdrawal)).rejects.toThrow(RegistryFileError);
    expect(await readFile(file, 'utf8')).toBe(truncated);
    await writeFile(file, '["login-a"]');
    await expect(registry.champions()).rejects.toThrow(`cannot read the model registry's ${file}`);
    // Only a missing file means no champions.
    await rm(file);
    await expect(registry.champions()).resolves.toEqual({});
  });
});
