import { readFileSync } from 'node:fs';

/** The parts of a V8 `.cpuprofile` (written by `node --cpu-prof`) that self time needs. */
interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

/** One function's share of the sampled time spent in its own code (not in what it calls). */
export interface SelfTime {
  fn: string;
  /** File name and 1-based line of the function. */
  at: string;
  /** Percent of all samples, idle included. */
  percent: number;
}

/**
 * The functions with the most self time in a `.cpuprofile`: samples are attributed to the frame they landed in,
 * weighted by the time until the next sample. `(idle)` is the event loop waiting, `(program)` native code outside
 * JavaScript (parsing HTTP, the ONNX Runtime call), `(garbage collector)` GC.
 */
export function topSelfTime(file: string, count: number): SelfTime[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const byFunction = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    // timeDeltas[i] is the time before sample i; the time after it is the next delta.
    const weight = profile.timeDeltas[i + 1] ?? 0;
    const frame = frames.get(id);
    if (!frame) return;
    const at = frame.url ? `${frame.url.split('/').slice(-2).join('/')}:${frame.lineNumber + 1}` : '';
    const name = `${frame.functionName || '(anonymous)'}\t${at}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + weight);
    total += weight;
  });
  return [...byFunction]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, time]) => {
      const [fn = '', at = ''] = name.split('\t');
      return { fn, at, percent: Math.round((time / total) * 1000) / 10 };
    });
}
