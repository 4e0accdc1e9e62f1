import type { Command } from 'commander';
import { action, type CommandContext } from '../core/cli';
import { ModelRegistry, type Promotion } from './registry';

/** A change of champion made from the command line, for the audit trail. */
export interface ChampionChange extends Promotion {
  version: string;
}

/** Records a change of champion in the audit trail (which lives with the serving side: bin/ wires it). */
export type AuditChampion = (ctx: CommandContext, change: ChampionChange) => Promise<void>;

/** `vigil models list|show|promote`: the registry under VIGIL_MODEL_DIR; promotions are audited. */
export function registerModelCommands(program: Command, audit: AuditChampion): void {
  const models = program.command('models').description('The model registry (VIGIL_MODEL_DIR)');
  models
    .command('list')
    .description('List model versions, the champion of each event type and the challenger scored in shadow')
    .action(
      action(async ({ config }) => {
        const registry = new ModelRegistry(config.modelDir);
        const [champions, challengers] = await Promise.all([registry.champions(), registry.challengers()]);
        const versions = (await registry.list()).map((m) => ({
          version: m.version,
          eventType: m.eventType,
          algorithm: m.algorithm,
          createdAt: m.createdAt,
          averagePrecision: m.metrics.averagePrecision,
          champion: champions[m.eventType] === m.version,
          challenger: challengers[m.eventType] === m.version,
        }));
        return { champions, challengers, versions };
      }),
    );
  models
    .command('show')
    .description("Show a version's manifest (checked against its ONNX file and the running features)")
    .argument('<version>')
    .action(action(async ({ config }, version: string) => (await new ModelRegistry(config.modelDir).load(version)).manifest));
  models
    .command('promote')
    .description('Make a version the champion of its event type (running services follow within VIGIL_MODEL_SYNC_MS)')
    .argument('<version>')
    .action(
      action(async (ctx, version: string) => {
        const change = { version, ...(await new ModelRegistry(ctx.config.modelDir).promote(version)) };
        await audit(ctx, change);
        return change;
      }),
    );
}
