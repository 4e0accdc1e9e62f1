import type { ResponseStore, ScoreResponse } from './serving-stores';
import { guardRedis } from './redis-errors';

/**
 * How long an answer is remembered, seconds. Clients retry within minutes; queues redeliver within hours to a few
 * days after an outage; a week covers both with room, and the feature store's own exactly-once horizon is longer.
 */
export const RESPONSE_TTL_SECONDS = 7 * 24 * 3600;

/** The commands the store sends (a node-redis client or cluster). */
export interface ResponseCommands {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, options: { NX: true; EX: number }): Promise<string | null>;
}

export interface RedisResponseStoreOptions {
  /** Prefix of every key. @defaultValue `vigil:` */
  keyPrefix?: string;
}

/** Answers by event id in Redis: `<prefix>resp:<eventId>`, the JSON answer, SET NX with a 7-day TTL. */
export class RedisResponseStore implements ResponseStore {
  private readonly prefix: string;

  constructor(
    private readonly redis: ResponseCommands,
    options: RedisResponseStoreOptions = {},
  ) {
    this.prefix = `${options.keyPrefix ?? 'vigil:'}resp:`;
  }

  async get(eventId: string): Promise<ScoreResponse | undefined> {
    const json = await guardRedis(this.redis.get(`${this.prefix}${eventId}`));
    return json === null ? undefined : (JSON.parse(json) as ScoreResponse);
  }

  /** Keeps the first answer for an event id (NX): two racing requests for one event both get the stored one next time. */
  async put(response: ScoreResponse): Promise<void> {
    await guardRedis(this.redis.set(`${this.prefix}${response.eventId}`, JSON.stringify(response), { NX: true, EX: RESPONSE_TTL_SECONDS }));
  }
}
