import { Option, type Command } from 'commander';
import { action } from '../core/cli';
import { buildFeaturesCsv } from './build-training-csv';

const modeOption = () =>
  new Option('--skip-invalid', 'count and skip invalid lines instead of stopping at the first one (the default, --strict)');

/** Commands of the feature area: training tables, ingestion, the queue worker, deny lists. */
export function registerFeatureCommands(program: Command): void {
  const features = program.command('features').description('Point-in-time feature tables');
  features
    .command('build')
    .description('Replay events (and labels) in time order and write one feature row per login and withdrawal')
    .requiredOption('--events <file>', 'events file (.jsonl or .csv, optionally .gz)')
    .option('--labels <file>', 'labels file; labels count from their own timestamp')
    .requiredOption('--out <file>', 'output CSV (.csv or .csv.gz)')
    .option('--strict', 'stop at the first invalid line (default)')
    .addOption(modeOption())
    .action(
      action(async ({ log }, opts: { events: string; labels?: string; out: string; skipInvalid?: boolean }) =>
        buildFeaturesCsv({
          events: opts.events,
          labels: opts.labels,
          out: opts.out,
          mode: opts.skipInvalid ? 'skip-invalid' : 'strict',
          onProgress: (s) => log.info({ rows: s.rows, events: s.events }, 'features build progress'),
        }),
      ),
    );
}
