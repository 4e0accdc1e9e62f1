import { AggregatorRegistry, type Registry } from 'prom-client';
import { isClusterMessage, type ClusterMessage } from './cluster-messages';

/** How long a worker waits for the primary's aggregated metrics, ms (prom-client gives workers 5 s to answer it). */
const METRICS_TIMEOUT_MS = 6_000;

/**
 * Joins a worker of `vigil serve --workers N` to the others, through the primary (cluster-primary.ts), so that
 * `/metrics` answers with every worker's metrics. Returns the scrape function for `/metrics`.
 */
export function joinCluster(o: { registry: Registry }): () => Promise<string> {
  const channel = process as NodeJS.Process & { send(message: ClusterMessage): boolean };
  // prom-client answers the primary's requests with these registries (its default is the global one).
  AggregatorRegistry.setRegistries([o.registry]);
  new AggregatorRegistry(); // registers prom-client's listener for those requests in this worker

  const waiting = new Map<number, { resolve: (text: string) => void; reject: (err: Error) => void }>();
  process.on('message', (message: unknown) => {
    if (!isClusterMessage(message) || message.type !== 'vigil:metrics') return;
    const w = waiting.get(message.id);
    waiting.delete(message.id);
    if (message.text !== undefined) w?.resolve(message.text);
    else w?.reject(new Error(`aggregating the workers' metrics failed: ${message.error}`));
  });

  let next = 0;
  return () =>
    new Promise<string>((resolve, reject) => {
      const id = next++;
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error("the primary did not answer with the workers' metrics"));
      }, METRICS_TIMEOUT_MS);
      const settle = <T>(f: (v: T) => void) => (v: T) => {
        clearTimeout(timer);
        f(v);
      };
      waiting.set(id, { resolve: settle(resolve), reject: settle(reject) });
      channel.send({ type: 'vigil:metrics-request', id });
    });
}
