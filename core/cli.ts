import { Command, InvalidArgumentError, Option } from 'commander';
import { VigilError, formatIssues } from './errors';
import { loadConfig, type Config } from './config';
import { createLogger, type Logger } from './logger';

/** What every command gets: the validated configuration and a logger on stderr. */
export interface CommandContext {
  config: Config;
  log: Logger;
}

/**
 * Every command prints progress to stderr and its result as one JSON line, the last line of stdout. Errors print
 * `vigil: <message>` to stderr and exit 1 (2 for bad input), so scripts can tell them apart.
 */
export function action<A extends unknown[]>(run: (ctx: CommandContext, ...args: A) => Promise<unknown>) {
  return async (...args: A): Promise<void> => {
    try {
      const config = loadConfig();
      const log = createLogger(config.logLevel);
      const result = await run({ config, log }, ...args);
      if (result !== undefined) process.stdout.write(`${JSON.stringify(result)}\n`);
    } catch (err) {
      reportAndExit(err);
    }
  };
}

export function reportAndExit(err: unknown): never {
  if (err instanceof VigilError) {
    const issues = Array.isArray(err.details) && err.details.length ? formatIssues(err.details) : '';
    const detail = issues && !err.message.includes(issues) && !err.message.includes('\n') ? ` (${issues})` : '';
    process.stderr.write(`vigil: ${err.message}${detail}\n`);
    process.exit(err.httpStatus >= 400 && err.httpStatus < 500 ? 2 : 1);
  }
  process.stderr.write(`vigil: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
}

/** Parses a whole-number option, naming the option in the error. */
export function intOption(name: string, min = 0) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < min) {
      throw new InvalidArgumentError(`expected a whole number >= ${min}, got "${value}"`);
    }
    return Number(value);
  };
}

/** `--strict` (the default: the first bad line stops the run, nothing changed) or `--skip-invalid`. */
export function addReadModeOptions(command: Command): Command {
  return command
    .addOption(new Option('--strict', 'stop at the first invalid line, naming its line and field (default)').conflicts('skipInvalid'))
    .option('--skip-invalid', 'count invalid lines, report the first 20 and go on with the valid ones');
}

/** The read mode the options of {@link addReadModeOptions} chose. */
export const readModeOf = (opts: { skipInvalid?: boolean }): 'strict' | 'skip-invalid' => (opts.skipInvalid ? 'skip-invalid' : 'strict');

export { Command };
