import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValidationError } from '../core/errors';
import { FEATURE_SET_VERSION, type ScoredEventType } from '../features/definitions';
import type { DenyListLookup } from '../features/pipeline';
import { DAY } from '../features/transforms/time';
import { applyCalibrator, type Calibrator } from '../models/calibrator';
import type { Manifest, Thresholds } from '../models/manifest';
import { OnnxSession } from '../models/onnx/onnx-session';
import { ModelRegistry, sha256Hex } from '../models/registry';
import { chooseCalibrator } from './calibration/choose-calibrator';
import { fitCandidate, type Algorithm, type Candidate, type FitOptions } from './candidates';
import { dayOf, dayRange, inRange, type DayRange } from './dates';
import { evaluate } from './metrics/evaluate';
import { averagePrecision } from './metrics/average-precision';
import { thresholdForRate } from './metrics/thresholds';
import { checkOnnxFile, type CheckerResult } from './onnx-checker';
import { permutationImportance } from './permutation-importance';
import { buildReportData, type ReportData } from './report/report-data';
import { renderReport } from './report/render-report';
import { buildTrainingData, labelsKnownBefore, readTruth, selectRows, type TrainingTable } from './training-set';

export interface TrainOptions {
  events: string;
  labels: string;
  trainFrom: string;
  trainTo: string;
  testFrom: string;
  testTo: string;
  /** Registry root for the new versions; when it is the configured model dir, first models become champions. */
  registryRoot: string;
  /** Whether first models of an event type become champions (true for VIGIL_MODEL_DIR, false for `--out`). */
  promoteFirst: boolean;
  algo: Algorithm | 'auto';
  types: ScoredEventType[];
  truth?: string;
  denyLists?: DenyListLookup;
  /** Target share of events stepped up / held / blocked, set on validation. */
  rates: { stepUp: number; hold: number; block: number };
  /** The lowest fraud probability a login is blocked at (see {@link DEFAULT_MIN_BLOCK_SCORE}). @defaultValue 0.5 */
  minBlockScore?: number;
  fit?: FitOptions;
  onProgress?: (message: string) => void;
  /** Fit progress of each candidate (rounds or epochs), for progress bars. */
  onStep?: (label: string, done: number, total: number) => void;
}

/** Share of the training days kept back (the latest ones) for early stopping, calibration and thresholds. */
const VALIDATION_SHARE = 0.2;
/** Largest |ONNX − in-process| probability accepted on the test set. */
export const PARITY_TOLERANCE = 1e-5;

export interface TrainedVersion {
  version: string;
  eventType: ScoredEventType;
  algorithm: Algorithm;
  dir: string;
  champion: boolean;
  metrics: Record<string, unknown>;
}

type TargetRates = TrainOptions['rates'];

/**
 * A login is blocked only at this fraud probability or above, whatever the block rate gives: a block turns the user
 * away outright, and below even odds most of those turned away would be the account's owners, for whom a step-up is
 * the proportionate answer. Where the model rarely reaches it (login fraud rare, or labels few) logins are blocked
 * rarely, and stepped up instead.
 */
export const DEFAULT_MIN_BLOCK_SCORE = 0.5;

/**
 * The two target rates of each event type's thresholds, the stricter action's first. decide() (serving/decision.ts)
 * takes the strictest threshold a score reaches, so the stricter action's threshold must be at or above the milder
 * one's: its rate at or below the milder one's, since a higher rate gives a lower threshold.
 */
const RATES_STRICTER_FIRST: Record<ScoredEventType, readonly [keyof TargetRates, keyof TargetRates]> = { login: ['block', 'stepUp'], withdrawal: ['hold', 'stepUp'] };
const RATE_OPTIONS: Record<keyof TargetRates, string> = { stepUp: '--step-up-rate', hold: '--hold-rate', block: '--block-rate' };

/** Refuses target rates that would give inverted thresholds to any of `types`, naming both options. */
export function assertRatesOrdered(rates: TargetRates, types: readonly ScoredEventType[]): void {
  for (const type of types) {
    const [stricter, milder] = RATES_STRICTER_FIRST[type];
    if (rates[stricter] > rates[milder]) {
      throw new ValidationError(
        `${RATE_OPTIONS[stricter]} ${rates[stricter]} is above ${RATE_OPTIONS[milder]} ${rates[milder]}: the stricter action must flag at most as many ${type}s as the milder one`,
        [{ path: [RATE_OPTIONS[stricter]], message: `above ${RATE_OPTIONS[milder]}` }],
      );
    }
  }
}

/** `vigil train`: one model per event type, trained, calibrated, checked, evaluated, exported and registered. */
export async function train(options: TrainOptions): Promise<{ versions: TrainedVersion[] }> {
  const progress = options.onProgress ?? (() => {});
  const ranges = {
    train: dayRange('--train-from', options.trainFrom, '--train-to', options.trainTo),
    test: dayRange('--test-from', options.testFrom, '--test-to', options.testTo),
  };
  if (ranges.test.from < ranges.train.to) {
    throw new ValidationError(`--test-from: the test period must start after --train-to (${options.trainTo})`, [{ path: ['--test-from'], message: 'overlaps training' }]);
  }
  const trainDays = Math.round((ranges.train.to - ranges.train.from) / DAY);
  if (trainDays < 2) throw new ValidationError('--train-from/--train-to: need at least 2 training days (the last ones validate)', [{ path: ['--train-to'], message: 'too short' }]);
  const validationFrom = ranges.train.to - Math.max(1, Math.round(trainDays * VALIDATION_SHARE)) * DAY;
  assertRatesOrdered(options.rates, options.types);

  // Every input is checked before anything is fitted, and every model is built before any is written: a failure on
  // one event type must not leave another's version in the registry, or made champion without its audit entry.
  const truth = options.truth ? await readTruth(options.truth) : undefined;
  progress('replaying events and labels (point in time)');
  const data = await buildTrainingData({ events: options.events, labels: options.labels, denyLists: options.denyLists });
  const splits = options.types.map((type) => splitPeriods(data.tables[type], { ...ranges, validationFrom }));
  const built: BuiltModel[] = [];
  for (const split of splits) built.push(await buildModel(split, data.dataHashes, truth, options, progress));
  return { versions: await register(built, new ModelRegistry(options.registryRoot), options.promoteFirst, progress) };
}

/** One event type's rows in the training, validation and test periods, with the labels training may use. */
interface Split {
  table: TrainingTable;
  ranges: { train: DayRange; test: DayRange; validationFrom: number };
  /** Labels known by then count in training. */
  knownBy: number;
  fit: TrainingTable;
  validation: TrainingTable;
  test: TrainingTable;
  yFit: Uint8Array;
  yVal: Uint8Array;
}

/** Splits a table into its periods; refuses a period without events or known frauds. */
function splitPeriods(table: TrainingTable, ranges: Split['ranges']): Split {
  // Labels arrive late: training may use only those known when the test period starts.
  const knownBy = ranges.test.from;
  const fit = selectRows(table, (i) => inRange(ranges.train, table.ts[i] as number) && (table.ts[i] as number) < ranges.validationFrom);
  const validation = selectRows(table, (i) => (table.ts[i] as number) >= ranges.validationFrom && (table.ts[i] as number) < ranges.train.to);
  const test = selectRows(table, (i) => inRange(ranges.test, table.ts[i] as number));
  const yFit = labelsKnownBefore(fit, knownBy);
  const yVal = labelsKnownBefore(validation, knownBy);
  for (const [name, t, y] of [['training', fit, yFit], ['validation', validation, yVal], ['test', test, test.label]] as const) {
    const positives = y.reduce((a, b) => a + b, 0);
    if (t.rows === 0 || positives === 0) {
      throw new ValidationError(`${table.type}: the ${name} period has ${t.rows} events and ${positives} known frauds; widen the dates`, [{ path: [name], message: 'no fraud to learn from' }]);
    }
  }
  return { table, ranges, knownBy, fit, validation, test, yFit, yVal };
}

/** A trained, checked and evaluated model with the files of its version, not yet written. */
interface BuiltModel {
  version: string;
  eventType: ScoredEventType;
  algorithm: Algorithm;
  files: Record<string, Uint8Array | string>;
  metrics: Record<string, unknown>;
}

async function buildModel(
  split: Split,
  dataHashes: { events: string; labels: string },
  truth: Map<string, string> | undefined,
  options: TrainOptions,
  progress: (m: string) => void,
): Promise<BuiltModel> {
  const { table, ranges, knownBy, fit, validation, test, yFit, yVal } = split;
  const type = table.type;
  progress(`${type}: ${fit.rows} training rows, ${validation.rows} validation rows, ${test.rows} test rows`);
  const algorithms: Algorithm[] = options.algo === 'auto' ? ['gbdt', 'mlp'] : [options.algo];
  const fitted: { candidate: Candidate; calibrator: Calibrator; validationAp: number; calibrationChoice: string }[] = [];
  for (const algorithm of algorithms) {
    progress(`${type}: fitting ${algorithm}`);
    const candidate = await fitCandidate(algorithm, fit, yFit, validation, yVal, {
      ...options.fit,
      onProgress: (m) => progress(`${type}: ${m}`),
      onStep: (a, done, total) => options.onStep?.(`${type} ${a}`, done, total),
    });
    const raw = candidate.predictRaw(validation.X);
    const choice = chooseCalibrator(raw, yVal);
    const validationAp = averagePrecision(raw, yVal);
    progress(`${type}: ${algorithm} validation AP ${validationAp.toFixed(4)}, calibration ${choice.calibrator.kind}`);
    fitted.push({ candidate, calibrator: choice.calibrator, validationAp, calibrationChoice: choice.reason });
  }
  const best = fitted.reduce((a, b) => (b.validationAp > a.validationAp ? b : a));
  const { candidate, calibrator } = best;

  const calibrate = (raw: Float64Array) => raw.map((s) => applyCalibrator(calibrator, s));
  const pValidation = calibrate(candidate.predictRaw(validation.X));
  const thresholds: Thresholds =
    type === 'withdrawal'
      ? { step_up: thresholdForRate(pValidation, options.rates.stepUp), hold: thresholdForRate(pValidation, options.rates.hold) }
      : {
          step_up: thresholdForRate(pValidation, options.rates.stepUp),
          block: Math.max(thresholdForRate(pValidation, options.rates.block), options.minBlockScore ?? DEFAULT_MIN_BLOCK_SCORE),
        };

  const createdAt = new Date().toISOString();
  const metadata = { event_type: type, feature_set_version: FEATURE_SET_VERSION };
  const onnx = candidate.exportOnnx(calibrator, table.featureNames, metadata);
  const onnxSha256 = sha256Hex(onnx);
  const modelJson = JSON.stringify(candidate.toJson());
  const version = `${type}-${candidate.algorithm}-${createdAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${onnxSha256.slice(0, 8)}`;

  // Score the test period through ONNX Runtime (the serving path) and check it against the in-process model.
  const session = await OnnxSession.load(onnx, table.featureNames.length);
  const pTest = Float64Array.from(await session.predict(test.X));
  await session.close();
  const pTestInProcess = calibrate(candidate.predictRaw(test.X));
  let parity = 0;
  for (let i = 0; i < test.rows; i++) parity = Math.max(parity, Math.abs((pTest[i] as number) - (pTestInProcess[i] as number)));
  if (!(parity <= PARITY_TOLERANCE)) throw new Error(`${type}: ONNX export differs from the in-process model by ${parity} (> ${PARITY_TOLERANCE})`);
  const checker = await checkExport(onnx);
  if (checker.status === 'failed') throw new Error(`${type}: the ONNX checker rejected the export: ${checker.message}`);

  const testDays = Array.from(test.ts, dayOf);
  const metrics = evaluate({ scores: pTest, labels: test.label, userIds: test.userIds, days: testDays });
  const importance = candidate.importance ?? permutationImportance((X) => candidate.predictRaw(X), validation.X, table.featureNames.length, yVal);
  const report: ReportData = buildReportData({
    version,
    type,
    algorithm: candidate.algorithm,
    featureNames: table.featureNames,
    importance,
    test: { scores: pTest, labels: test.label, eventIds: test.eventIds },
    validation: { scores: pValidation, labels: yVal },
    thresholds,
    truth,
    metrics,
    candidates: fitted.map((f) => ({ algorithm: f.candidate.algorithm, validationAp: f.validationAp, fit: f.candidate.fitInfo, calibration: f.calibrator.kind })),
    ranges: { train: ranges.train.label, validationFrom: dayOf(ranges.validationFrom), test: ranges.test.label },
  });
  const metricsJson = {
    ...metrics,
    test: ranges.test.label,
    thresholds,
    perScenario: report.perScenario,
    thresholdTable: report.thresholdTable,
    calibrationCurve: report.calibrationCurve,
    validation: { averagePrecision: best.validationAp, rows: validation.rows },
    candidates: report.candidates,
    onnx: { parityMaxAbsDiff: parity, checker: checker.status },
  };
  const manifest: Manifest = {
    name: `vigil-${type}`,
    version,
    eventType: type,
    algorithm: candidate.algorithm,
    featureSetVersion: FEATURE_SET_VERSION,
    featureNames: table.featureNames,
    thresholds,
    calibration: calibrator,
    onnxSha256,
    modelJsonSha256: sha256Hex(modelJson),
    createdAt,
    training: {
      trainFrom: options.trainFrom,
      trainTo: options.trainTo,
      validationFrom: dayOf(ranges.validationFrom),
      testFrom: options.testFrom,
      testTo: options.testTo,
      rows: fit.rows,
      positives: yFit.reduce((a, b) => a + b, 0),
      labelsKnownBy: new Date(knownBy).toISOString(),
    },
    dataHashes,
    metrics: metrics as unknown as Record<string, unknown>,
  };
  return {
    version,
    eventType: type,
    algorithm: candidate.algorithm,
    files: {
      'model.onnx': onnx,
      'model.json': modelJson,
      'manifest.json': `${JSON.stringify(manifest, null, 2)}\n`,
      'metrics.json': `${JSON.stringify(metricsJson, null, 2)}\n`,
      'report.html': renderReport(report),
    },
    metrics: metricsJson,
  };
}

/**
 * Writes every version, then, with `promoteFirst`, makes the first model of each event type its champion (one write
 * of champions.json).
 */
async function register(built: BuiltModel[], registry: ModelRegistry, promoteFirst: boolean, progress: (m: string) => void): Promise<TrainedVersion[]> {
  const dirs: string[] = [];
  for (const m of built) {
    dirs.push(await registry.add(m.version, m.files));
    progress(`${m.eventType}: wrote ${dirs.at(-1)}`);
  }
  const champions = promoteFirst ? await registry.promoteWhereNoChampion(Object.fromEntries(built.map((m) => [m.eventType, m.version]))) : {};
  return built.map((m, i) => {
    const champion = champions[m.eventType] === m.version;
    if (champion) progress(`${m.eventType}: ${m.version} is the champion`);
    return { version: m.version, eventType: m.eventType, algorithm: m.algorithm, dir: dirs[i] as string, champion, metrics: m.metrics };
  });
}

/** The checker reads a file: write the bytes to a temporary one. */
async function checkExport(onnx: Uint8Array): Promise<CheckerResult> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-onnx-'));
  try {
    const path = join(dir, 'model.onnx');
    await writeFile(path, onnx);
    return await checkOnnxFile(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
