import type { Command } from 'commander';
import { action, addReadModeOptions, intOption, readModeOf } from '../../core/cli';
import { ingestFiles } from './bulk-ingest';
import { enqueueFiles } from './enqueue-files';
import { runWorker } from './run-worker';

interface FileOptions {
  events: string;
  labels?: string;
  skipInvalid?: boolean;
  batchSize?: number;
}

const withFileOptions = (command: Command, defaultBatch: number): Command =>
  addReadModeOptions(
    command
      .requiredOption('--events <file>', 'events file (.jsonl or .csv, optionally .gz)')
      .option('--labels <file>', 'labels file; labels count from their own timestamp'),
  ).option('--batch-size <n>', `items per batch (default ${defaultBatch})`, intOption('--batch-size', 1));

/** `vigil ingest`, `vigil enqueue`, `vigil worker`: getting events into the Redis feature store. */
export function registerIngestCommands(program: Command): void {
  withFileOptions(
    program.command('ingest').description('Bulk-load events and labels into the Redis feature store (REDIS_URL), in time order'),
    5000,
  ).action(
    action(async ({ config, log }, opts: FileOptions) =>
      ingestFiles({ ...files(opts), batchSize: opts.batchSize, config, log }),
    ),
  );

  withFileOptions(program.command('enqueue').description('Put events and labels on the event queue, in time order, for `vigil worker`'), 1000).action(
    action(async ({ config, log }, opts: FileOptions) => enqueueFiles({ ...files(opts), batchSize: opts.batchSize, config, log })),
  );

  program
    .command('worker')
    .description('Apply queued event batches to the Redis feature store until stopped (SIGTERM/SIGINT); logs JSON on stderr')
    .option('--concurrency <n>', 'batches at a time across all workers; keep 1, order matters (default 1)', intOption('--concurrency', 1))
    .option('--lock-duration <ms>', "how long a running batch stays locked without renewal; bounds a dead worker's delay (default 30000)", intOption('--lock-duration', 100))
    .option('--stalled-interval <ms>', 'how often to look for batches of dead workers (default 30000)', intOption('--stalled-interval', 100))
    .action(
      action(async ({ config, log }, opts: { concurrency?: number; lockDuration?: number; stalledInterval?: number }) =>
        runWorker({ config, log, concurrency: opts.concurrency, lockDurationMs: opts.lockDuration, stalledIntervalMs: opts.stalledInterval }),
      ),
    );
}

function files(opts: FileOptions) {
  return { events: opts.events, labels: opts.labels, mode: readModeOf(opts) };
}
