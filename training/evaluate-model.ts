import { createCsvWriter } from '../data/io/csv';
import type { DenyListLookup } from '../features/pipeline';
import { OnnxSession } from '../models/onnx/onnx-session';
import { loadArtifact } from '../models/registry';
import { dayOf, dayRange, inRange } from './dates';
import { evaluate } from './metrics/evaluate';
import { perGroupRecall } from './metrics/per-group-recall';
import { buildTrainingData, readTruth, selectRows } from './training-set';

export interface EvaluateOptions {
  model: string;
  events: string;
  labels: string;
  from: string;
  to: string;
  scoresOut?: string;
  truth?: string;
  denyLists?: DenyListLookup;
}

/**
 * `vigil evaluate`: scores a period with a saved model through ONNX Runtime (the serving path) from point-in-time
 * features, and computes the metrics contract against the labels file's final labels.
 */
export async function evaluateModel(options: EvaluateOptions) {
  const artifact = await loadArtifact(options.model);
  const range = dayRange('--from', options.from, '--to', options.to);
  const data = await buildTrainingData({ events: options.events, labels: options.labels, denyLists: options.denyLists });
  const table = selectRows(data.tables[artifact.manifest.eventType], (i) => inRange(range, data.tables[artifact.manifest.eventType].ts[i] as number));
  const session = await OnnxSession.load(artifact.onnx, table.featureNames.length);
  const scores = Float64Array.from(await session.predict(table.X));
  await session.close();
  if (options.scoresOut) {
    const writer = createCsvWriter(options.scoresOut, ['eventId', 'userId', 'ts', 'score']);
    for (let i = 0; i < table.rows; i++) {
      await writer.writeRow([table.eventIds[i], table.userIds[i], new Date(table.ts[i] as number).toISOString(), scores[i]]);
    }
    await writer.close();
  }
  const metrics = evaluate({ scores, labels: table.label, userIds: table.userIds, days: Array.from(table.ts, dayOf) });
  const truth = options.truth ? await readTruth(options.truth) : undefined;
  const t = artifact.manifest.thresholds;
  const groups = truth ? table.eventIds.map((id) => truth.get(id) ?? '') : undefined;
  return {
    model: { name: artifact.manifest.name, version: artifact.manifest.version },
    eventType: artifact.manifest.eventType,
    period: range.label,
    ...metrics,
    ...(groups ? { perScenarioRecallAtStepUp: perGroupRecall(scores, groups, t.step_up) } : {}),
    ...(options.scoresOut ? { scoresOut: options.scoresOut } : {}),
  };
}
