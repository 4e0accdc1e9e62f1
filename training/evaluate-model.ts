import { createCsvWriter } from '../data/io/csv';
import type { DenyListLookup } from '../features/pipeline';
import { OnnxSession } from '../models/onnx/onnx-session';
import { loadArtifact } from '../models/registry';
import { dayOf, dayRange, inRange } from './dates';
import { evaluate } from './metrics/evaluate';
import { perGroupRecall } from './metrics/per-group-recall';
import { buildTrainingData, readTruth, selectRows, type TrainingTable } from './training-set';

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
 * features, and computes the metrics contract against the labels file's final labels. Every input is read and checked
 * before the scores file is written, so a bad one leaves no output behind.
 */
export async function evaluateModel(options: EvaluateOptions) {
  const artifact = await loadArtifact(options.model);
  const range = dayRange('--from', options.from, '--to', options.to);
  const truth = options.truth ? await readTruth(options.truth) : undefined;
  const data = await buildTrainingData({ events: options.events, labels: options.labels, denyLists: options.denyLists });
  const table = selectRows(data.tables[artifact.manifest.eventType], (i) => inRange(range, data.tables[artifact.manifest.eventType].ts[i] as number));
  const session = await OnnxSession.load(artifact.onnx, table.featureNames.length);
  const scores = Float64Array.from(await session.predict(table.X));
  await session.close();
  const metrics = evaluate({ scores, labels: table.label, userIds: table.userIds, days: Array.from(table.ts, dayOf) });
  const t = artifact.manifest.thresholds;
  const groups = truth ? table.eventIds.map((id) => truth.get(id) ?? '') : undefined;
  if (options.scoresOut) await writeScores(options.scoresOut, table, scores);
  return {
    model: { name: artifact.manifest.name, version: artifact.manifest.version },
    eventType: artifact.manifest.eventType,
    period: range.label,
    ...metrics,
    ...(groups ? { perScenarioRecallAtStepUp: perGroupRecall(scores, groups, t.step_up) } : {}),
    ...(options.scoresOut ? { scoresOut: options.scoresOut } : {}),
  };
}

/** Writes `eventId,userId,ts,score` through a temporary file: the target appears whole or not at all. */
async function writeScores(path: string, table: TrainingTable, scores: Float64Array): Promise<void> {
  const writer = createCsvWriter(path, ['eventId', 'userId', 'ts', 'score']);
  try {
    for (let i = 0; i < table.rows; i++) {
      await writer.writeRow([table.eventIds[i], table.userIds[i], new Date(table.ts[i] as number).toISOString(), scores[i]]);
    }
    await writer.close();
  } catch (err) {
    await writer.abort();
    throw err;
  }
}
