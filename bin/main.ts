import { Command } from 'commander';
import { reportAndExit } from '../core/cli';
import { registerBenchCommand } from './bench-command';
import { registerDemoCommand } from './demo';
import { registerDataCommands } from '../data/cli';
import { registerFeatureCommands } from '../features/cli';
import { registerModelCommands } from '../models/cli';
import { auditChampionChange, registerServingSecurityCommands } from '../serving/cli';
import { registerServeCommand } from '../serving/serve-command';
import { registerTrainingCommands } from '../training/cli';

const program = new Command('vigil')
  .description('Vigil: fraud scoring for logins and crypto withdrawals, with its own feature store.')
  .showHelpAfterError()
  .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) })
  // Commander exits 1 on a bad option or argument (after printing why); bad input is exit 2 everywhere in vigil
  // (core/cli.ts), and 1 means a failure. Set before the commands are registered: they inherit it.
  .exitOverride((err) => process.exit(err.exitCode === 1 ? 2 : err.exitCode));

// Each area registers its own commands; this file only dispatches, and hands the audit trail (serving's) to the
// commands below serving that change champions.
registerDataCommands(program);
registerFeatureCommands(program);
registerTrainingCommands(program, auditChampionChange);
registerModelCommands(program, auditChampionChange);
registerServingSecurityCommands(program);
registerServeCommand(program);
registerDemoCommand(program);

registerBenchCommand(program);

program.parseAsync(process.argv).catch(reportAndExit);
