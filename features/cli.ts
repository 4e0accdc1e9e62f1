import { InvalidArgumentError, type Command } from 'commander';
import { action, addReadModeOptions, readModeOf } from '../core/cli';
import { buildFeaturesCsv } from './build-training-csv';
import { registerIngestCommands } from './ingest/commands';
import { checkListed, loadList, withDenyListStore } from './deny-lists/commands';
import { loadListDirectory } from './deny-lists/list-directory';
import { chainNameProblem, listNameProblem } from './deny-lists/parse-list';

/** Commander argument parser from a "why is this value bad" check: commander names the option in its error. */
const checked = (problem: (value: string) => string | undefined) => (value: string): string => {
  const why = problem(value);
  if (why) throw new InvalidArgumentError(why);
  return value;
};

/** Commands of the feature area: training tables, ingestion, the queue worker, deny lists. */
export function registerFeatureCommands(program: Command): void {
  registerIngestCommands(program);
  const features = program.command('features').description('Point-in-time feature tables');
  addReadModeOptions(
    features
      .command('build')
      .description('Replay events (and labels) in time order and write one feature row per login and withdrawal')
      .requiredOption('--events <file>', 'events file (.jsonl or .csv, optionally .gz)')
      .option('--labels <file>', 'labels file; labels count from their own timestamp')
      .requiredOption('--out <file>', 'output CSV (.csv or .csv.gz)')
      .option('--lists <dir>', 'deny lists: every <name>-<chain>.txt file of this directory (e.g. the generator\'s DIR/lists)'),
  ).action(
      action(async ({ log }, opts: { events: string; labels?: string; out: string; lists?: string; skipInvalid?: boolean }) => {
        const lists = opts.lists === undefined ? undefined : await loadListDirectory(opts.lists);
        for (const f of lists?.files ?? []) {
          if (f.invalid > 0) log.warn({ file: f.file, invalid: f.invalid, first: f.errors[0] }, 'deny list: skipped invalid lines');
        }
        const result = await buildFeaturesCsv({
          events: opts.events,
          labels: opts.labels,
          out: opts.out,
          mode: readModeOf(opts),
          denyLists: lists?.lists.lookupFn,
          onProgress: (s) => log.info({ rows: s.rows, events: s.events }, 'features build progress'),
        });
        if (!lists) return result;
        const invalid = lists.files.reduce((n, f) => n + f.invalid, 0);
        return { ...result, lists: { files: lists.files.length, addresses: lists.lists.size, invalid } };
      }),
    );

  const lists = program.command('lists').description('Deny lists: addresses withdrawals are screened against (sanctions, scam reports)');
  lists
    .command('load')
    .description('Load (or replace) one list on one chain; invalid lines are reported and skipped')
    .requiredOption('--name <name>', 'list name: 1 to 64 of a-z, 0-9, "_" and "-"', checked(listNameProblem))
    .requiredOption('--chain <chain>', 'chain of the addresses: bitcoin, ethereum, tron, bsc, … (EVM chains share one address space)', checked(chainNameProblem))
    .argument('<file>', 'one address per line (optionally .gz); blank lines and # comments are ignored')
    .action(
      action(async ({ config, log }, file: string, opts: { name: string; chain: string }) =>
        withDenyListStore(config, log, (store) => loadList(store, { name: opts.name, chain: opts.chain, file, log })),
      ),
    );
  lists
    .command('check')
    .description('Whether an address is on a loaded list')
    .argument('<address>', 'the address, in any case form its chain allows')
    .option('--chain <chain>', 'its chain; without it, lists of every chain whose address form fits are searched', checked(chainNameProblem))
    .action(
      action(async ({ config, log }, address: string, opts: { chain?: string }) =>
        withDenyListStore(config, log, (store) => checkListed(store, address, opts.chain, log)),
      ),
    );
  lists
    .command('list')
    .description('The loaded lists: name, chain, count, loadedAt, version')
    .action(action(async ({ config, log }) => withDenyListStore(config, log, (store) => store.registry())));
}
