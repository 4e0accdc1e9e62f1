import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { reportAndExit } from '../core/cli';
import { VigilError } from '../core/errors';
import { PROJECT_ROOT, programArgs } from '../core/runtime';

const BENCH_DIR = join(PROJECT_ROOT, 'bench');

const benchNames = (): string[] =>
  existsSync(BENCH_DIR) ? readdirSync(BENCH_DIR).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3)).sort() : [];

/**
 * `vigil bench NAME [args…]` runs `bench/NAME.ts` (compiled, when this process is) in its own process (a benchmark
 * must not share its process with the command line's), passing the arguments on; it prints one JSON line of figures.
 */
export function registerBenchCommand(program: Command): void {
  program
    .command('bench')
    .description(`Run a benchmark from bench/ (${benchNames().join(', ')}); it prints one JSON line of figures`)
    .argument('<name>', 'benchmark name')
    .argument('[args...]', 'arguments for the benchmark')
    .allowUnknownOption()
    .action((name: string, args: string[]) => {
      if (!benchNames().includes(name)) {
        reportAndExit(new VigilError('invalid_input', `bench: unknown benchmark '${name}'; expected one of ${benchNames().join(', ')}`, 400));
      }
      const child = spawn(process.execPath, [...programArgs(`bench/${name}`), ...args], { stdio: 'inherit' });
      child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
    });
}
