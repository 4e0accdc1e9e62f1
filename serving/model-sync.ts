import { randomUUID } from 'node:crypto';
import type { Logger } from '../core/logger';
import type { RedisConnection } from '../core/redis';
import type { ModelHolder } from './scorer/model-holder';

export interface ModelSyncOptions {
  models: ModelHolder;
  log: Logger;
  /** How often the registry is read again, ms. */
  intervalMs: number;
  /** With Redis: the channel where changes made here are announced, and those made elsewhere heard of at once. */
  announce?: {
    publisher: Pick<RedisConnection, 'publish'>;
    /** A connection of its own: a subscribed connection takes no other commands. Closed by {@link ModelSync.stop}. */
    subscriber: Pick<RedisConnection, 'subscribe' | 'close'>;
    channel: string;
  };
}

export interface ModelSync {
  stop(): Promise<void>;
}

/**
 * Keeps the models in service in line with the registry, which every `vigil serve` on the same VIGIL_MODEL_DIR shares:
 * a promotion or shadowing made through one instance or worker, or with `vigil models promote`, reaches the others
 * at their next read of the registry, every `intervalMs`. With Redis, a change made here is also announced on a
 * channel, and an announcement from another process makes this one read the registry at once; an announcement lost
 * (Redis away) is made up for by the next periodic read.
 */
export async function startModelSync(o: ModelSyncOptions): Promise<ModelSync> {
  const origin = randomUUID();
  // The failure last logged: a registry entry that cannot be loaded is reported once, not on every read.
  let failing = '';
  const sync = (why: 'read' | 'announced') =>
    o.models.sync().then(
      (changes) => {
        failing = '';
        for (const change of changes) o.log.info({ change, why }, 'followed a model change made elsewhere');
      },
      (err: unknown) => {
        const message = err instanceof Error ? err.message : String(err);
        if (message === failing) return;
        failing = message;
        o.log.error({ err: message, why }, 'cannot serve what the model registry names; the models in service stay');
      },
    );
  const timer = setInterval(() => void sync('read'), o.intervalMs);
  timer.unref(); // reading alone must not keep a process alive

  const announce = o.announce;
  if (announce) {
    o.models.onChange((change) => {
      announce.publisher.publish(announce.channel, JSON.stringify({ origin, change })).catch((err: unknown) => {
        o.log.warn({ err: String(err), change }, 'could not announce a model change; other processes follow it at their next registry read');
      });
    });
    await announce.subscriber.subscribe(announce.channel, (message: string) => {
      if (originOf(message) !== origin) void sync('announced');
    });
  }
  return {
    async stop() {
      clearInterval(timer);
      await announce?.subscriber.close();
    },
  };
}

/** The announcing process of a message on the channel (`undefined` for a message not of Vigil's making). */
function originOf(message: string): string | undefined {
  try {
    return (JSON.parse(message) as { origin?: string }).origin;
  } catch {
    return undefined;
  }
}
