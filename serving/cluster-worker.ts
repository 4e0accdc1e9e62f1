import { AggregatorRegistry, type Registry } from 'prom-client';
import type { Logger } from '../core/logger';
import { isClusterMessage, type ClusterMessage } from './cluster-messages';
import type { ModelHolder } from './scorer/model-holder';

/** How long a worker waits for the primary's aggregated metrics, ms (prom-client gives workers 5 s to answer it). */
const METRICS_TIMEOUT_MS = 6_000;

/**
 * Joins a worker of `vigil serve --workers N` to the others, through the primary (cluster-primary.ts): model changes
 * made here are sent out and those made in another worker are followed; `/metrics` answers with every worker's
 * metrics. Returns the scrape function for `/metrics`.
 */
export function joinCluster(o: { models: ModelHolder; registry: Registry; log: Logger }): () => Promise<string> {
  const channel = process as NodeJS.Process & { send(message: ClusterMessage, handle?: undefined, options?: object, callback?: (err: Error | null) => void): boolean };
  // prom-client answers the primary's requests with these registries (its default is the global one).
  AggregatorRegistry.setRegistries([o.registry]);
  new AggregatorRegistry(); // registers prom-client's listener for those requests in this worker

  // Answered only once the primary's channel has the change, so a worker that dies right after its answer still
  // passes it on.
  o.models.onChange(
    (change) => new Promise<void>((resolve, reject) => channel.send({ type: 'vigil:model-change', change }, undefined, {}, (err) => (err ? reject(err) : resolve()))),
  );
  const waiting = new Map<number, { resolve: (text: string) => void; reject: (err: Error) => void }>();
  // Changes are followed one after the other, in the order they came: two promotions in a row must end on the second
  // even when the first model takes longer to load.
  let following = Promise.resolve();
  process.on('message', (message: unknown) => {
    if (!isClusterMessage(message)) return;
    if (message.type === 'vigil:model-change') {
      following = following.then(() => o.models.follow(message.change)).then(
        () => o.log.info({ change: message.change }, 'followed a model change made by another worker'),
        (err: unknown) => o.log.error({ err: String(err), change: message.change }, 'could not follow a model change made by another worker'),
      );
    } else if (message.type === 'vigil:metrics') {
      const w = waiting.get(message.id);
      waiting.delete(message.id);
      if (message.text !== undefined) w?.resolve(message.text);
      else w?.reject(new Error(`aggregating the workers' metrics failed: ${message.error}`));
    }
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
