import type { Command } from 'commander';

/** Commands of the data area: generating synthetic data sets and checking event files. */
export function registerDataCommands(program: Command): void {
  void program;
}
