import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { action, addReadModeOptions, intOption, readModeOf } from '../core/cli';
import { GENERATE_DEFAULTS, generateDataset } from './generator/generate';
import { validateFiles } from './io/validate-files';

/** Commands of the data area: generating synthetic data sets and checking event files. */
export function registerDataCommands(program: Command): void {
  registerGenerate(program);

  addReadModeOptions(
    program
      .command('validate')
      .description('Check event and label files (JSONL or CSV, optionally .gz) against the data contract')
      .requiredOption('--events <file>', 'events file')
      .option('--labels <file>', 'labels file'),
  ).action(
    action(async ({ log }, opts: { events: string; labels?: string; skipInvalid?: boolean }) =>
      validateFiles({ events: opts.events, labels: opts.labels, mode: readModeOf(opts), log }),
    ),
  );
}

/** `vigil generate`: a synthetic data set (see data/generator/generate.ts). */
function registerGenerate(program: Command): void {
  const d = GENERATE_DEFAULTS;
  program
    .command('generate')
    .description('Generate a synthetic data set: events.jsonl, labels.jsonl, truth.jsonl and lists/scam-<chain>.txt')
    .requiredOption('--out <dir>', 'output directory (created if missing; its data set files are replaced)')
    .option('--users <n>', 'number of users', intOption('users', 1), d.users)
    .option('--days <n>', 'length of the window in days', intOption('days', 1), d.days)
    .option('--seed <n>', 'random seed: the same seed gives the same bytes', intOption('seed', 0), d.seed)
    .option('--start <date>', 'first day of the window (UTC), YYYY-MM-DD', d.start)
    .option('--fraud-scale <x>', 'multiplies the rate of every fraud scenario', parseScale, d.fraudScale)
    .action(
      action(async ({ log }, opts: { out: string; users: number; days: number; seed: number; start: string; fraudScale: number }) => {
        const every = Math.max(1, Math.ceil(opts.days / 10));
        return generateDataset({
          ...opts,
          onProgress: ({ day, days, events }) => {
            if (day % every === 0 || day === days) log.info({ day, days, events }, 'generated');
          },
        });
      }),
    );
}

/** Parses `--fraud-scale`: a finite number >= 0 (the upper bound is checked with the other options). */
function parseScale(value: string): number {
  const x = Number(value);
  if (value.trim() === '' || !Number.isFinite(x) || x < 0) throw new InvalidArgumentError(`expected a number >= 0, got "${value}"`);
  return x;
}
