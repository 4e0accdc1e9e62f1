import { stat } from 'node:fs/promises';
import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { action } from '../core/cli';
import { ValidationError } from '../core/errors';
import type { AuditChampion } from '../models/cli';
import type { ScoredEventType } from '../features/definitions';
import { loadListDirectory } from '../features/deny-lists/list-directory';
import { evaluateModel } from './evaluate-model';
import { DEFAULT_MIN_BLOCK_SCORE, train } from './train';

/** A command-line number strictly between 0 and 1 (a share of events, a probability). */
function fractionOption(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!(n > 0 && n < 1)) throw new InvalidArgumentError(`${name}: expected a number between 0 and 1, got "${value}"`);
    return n;
  };
}

interface TrainCliOptions {
  events: string;
  labels: string;
  trainFrom: string;
  trainTo: string;
  testFrom: string;
  testTo: string;
  out?: string;
  algo: 'gbdt' | 'mlp' | 'auto';
  type: ScoredEventType | 'all';
  truth?: string;
  lists?: string;
  stepUpRate: number;
  holdRate: number;
  blockRate: number;
  minBlockScore: number;
}

/**
 * Progress bars on stderr, one per model being fitted, when stderr is a terminal (the logs say the same in files
 * and CI).
 */
function createProgressBars(): { onStep: (label: string, done: number, total: number) => void; stop: () => void } {
  let bars: MultiBar | undefined;
  const byLabel = new Map<string, SingleBar>();
  return {
    onStep(label, done, total) {
      if (!process.stderr.isTTY) return;
      bars ??= new MultiBar({ stream: process.stderr, format: '{label} [{bar}] {value}/{total}', hideCursor: true }, Presets.shades_classic);
      let bar = byLabel.get(label);
      if (!bar) byLabel.set(label, (bar = bars.create(total, 0, { label: label.padEnd(16) })));
      bar.setTotal(total);
      bar.update(done);
    },
    stop: () => bars?.stop(),
  };
}

/** The registry root must be a directory or not exist yet: found out when the first version is written, it wastes the fit. */
async function assertDirectoryOrAbsent(option: string, path: string): Promise<void> {
  const found = await stat(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw new ValidationError(`${option}: cannot use ${path}: ${err.message}`, [{ path: [option], message: 'not usable as a directory' }]);
  });
  if (found && !found.isDirectory()) throw new ValidationError(`${option}: ${path} exists and is not a directory`, [{ path: [option], message: 'not a directory' }]);
}

async function denyListsFrom(dir: string | undefined) {
  return dir === undefined ? undefined : (await loadListDirectory(dir)).lists.lookupFn;
}

/** Commands of the training area: `train` and `evaluate`. */
export function registerTrainingCommands(program: Command, auditChampion: AuditChampion): void {
  program
    .command('train')
    .description('Train, calibrate, evaluate and export a model per event type (ONNX + manifest + metrics + report)')
    .requiredOption('--events <file>', 'events file')
    .requiredOption('--labels <file>', 'labels file')
    .requiredOption('--train-from <date>', 'first training day, YYYY-MM-DD (UTC)')
    .requiredOption('--train-to <date>', 'last training day, included; its last 20% of days validate')
    .requiredOption('--test-from <date>', 'first test day')
    .requiredOption('--test-to <date>', 'last test day, included')
    .option('--out <dir>', 'write versions here instead of VIGIL_MODEL_DIR (no champion is set)')
    .addOption(new Option('--algo <algo>', 'model kind; auto keeps the better on validation').choices(['gbdt', 'mlp', 'auto']).default('auto'))
    .addOption(new Option('--type <type>', 'event type to train').choices(['login', 'withdrawal', 'all']).default('all'))
    .option('--truth <file>', 'truth.jsonl of a generated data set: per-scenario recall in the report')
    .option('--lists <dir>', "deny lists for the addr_deny_listed feature: every <name>-<chain>.txt file of this directory")
    .option('--step-up-rate <share>', 'share of validation events at or above the step-up threshold', fractionOption('--step-up-rate'), 0.03)
    .option('--hold-rate <share>', 'share of validation withdrawals at or above the hold threshold', fractionOption('--hold-rate'), 0.005)
    .option('--block-rate <share>', 'share of validation logins at or above the block threshold', fractionOption('--block-rate'), 0.002)
    .option('--min-block-score <probability>', 'lowest fraud probability a login is blocked at, whatever --block-rate gives', fractionOption('--min-block-score'), DEFAULT_MIN_BLOCK_SCORE)
    .action(
      action(async (ctx, o: TrainCliOptions) => {
        const { config, log } = ctx;
        await assertDirectoryOrAbsent(o.out === undefined ? 'VIGIL_MODEL_DIR' : '--out', o.out ?? config.modelDir);
        const bars = createProgressBars();
        const trained = await train({
          events: o.events,
          labels: o.labels,
          trainFrom: o.trainFrom,
          trainTo: o.trainTo,
          testFrom: o.testFrom,
          testTo: o.testTo,
          registryRoot: o.out ?? config.modelDir,
          promoteFirst: o.out === undefined,
          algo: o.algo,
          types: o.type === 'all' ? ['login', 'withdrawal'] : [o.type],
          truth: o.truth,
          denyLists: await denyListsFrom(o.lists),
          rates: { stepUp: o.stepUpRate, hold: o.holdRate, block: o.blockRate },
          minBlockScore: o.minBlockScore,
          onProgress: (m) => log.info(m),
          onStep: bars.onStep,
        }).finally(bars.stop);
        // The first model of an event type became its champion: a promotion like any other.
        for (const v of trained.versions) if (v.champion) await auditChampion(ctx, { version: v.version, eventType: v.eventType, previous: undefined });
        return trained;
      }),
    );

  program
    .command('evaluate')
    .description('Score a period with a saved model through ONNX Runtime and compute its metrics')
    .requiredOption('--model <dir>', 'model version directory (model.onnx + manifest.json)')
    .requiredOption('--events <file>', 'events file')
    .requiredOption('--labels <file>', 'labels file')
    .requiredOption('--from <date>', 'first day, YYYY-MM-DD (UTC)')
    .requiredOption('--to <date>', 'last day, included')
    .option('--scores-out <file>', 'write eventId,userId,ts,score for every scored event')
    .option('--truth <file>', 'truth.jsonl: per-scenario recall')
    .option('--lists <dir>', 'deny lists, as for train')
    .action(
      action(async (_ctx, o: { model: string; events: string; labels: string; from: string; to: string; scoresOut?: string; truth?: string; lists?: string }) =>
        evaluateModel({ ...o, denyLists: await denyListsFrom(o.lists) }),
      ),
    );
}
