import { Repository, Schema, type Entity, type RedisConnection as RedisOmConnection } from 'redis-om';
import { SCOPES, type Scope } from '../auth/authenticator';
import { alreadyRevokedError, byCreation, takenIdError, unknownKeyError, type ApiKeyRecord, type ApiKeyStore } from './api-key-store';
import { guardRedis } from './redis-errors';

/** The commands the store sends itself (a node-redis client or cluster); redis-om sends its HASH commands. */
export interface ApiKeyCommands {
  sAdd(key: string, member: string): Promise<number>;
  sRem(key: string, member: string): Promise<number>;
  sMembers(key: string): Promise<string[]>;
}

export interface RedisApiKeyStoreOptions {
  /** Prefix of every key. @defaultValue `vigil:` */
  keyPrefix?: string;
}

/**
 * API keys in Redis, one HASH per key written through redis-om, plus our own index: RediSearch (redis-om's search)
 * is not part of plain Redis 7, so the ids are kept in a SET.
 *
 * Keys: `<prefix>apikey:<id>` HASH with fields name, scopes (`|`-joined), allowedCidrs (`|`-joined), createdAt,
 * revokedAt (absent while valid), secretHash; `<prefix>apikeys` SET of every id. Each command touches one key, so
 * the store works unchanged on a cluster.
 */
export class RedisApiKeyStore implements ApiKeyStore {
  private readonly repository: Repository;
  private readonly indexKey: string;

  constructor(
    private readonly redis: ApiKeyCommands,
    options: RedisApiKeyStoreOptions = {},
  ) {
    const prefix = options.keyPrefix ?? 'vigil:';
    this.indexKey = `${prefix}apikeys`;
    const schema = new Schema(
      `${prefix}apikey`,
      {
        name: { type: 'string', indexed: false },
        scopes: { type: 'string[]', indexed: false },
        allowedCidrs: { type: 'string[]', indexed: false },
        createdAt: { type: 'string', indexed: false },
        revokedAt: { type: 'string', indexed: false },
        secretHash: { type: 'string', indexed: false },
      },
      { dataStructure: 'HASH' },
    );
    // redis-om is typed against node-redis 4; it only sends commands node-redis 6 has with the same signatures
    // (HGETALL, HSET, UNLINK in a MULTI), which the store's tests exercise.
    this.repository = new Repository(schema, redis as unknown as RedisOmConnection);
  }

  async create(record: ApiKeyRecord): Promise<void> {
    // Claiming the id in the index first makes a taken id a conflict rather than an overwrite.
    if ((await guardRedis(this.redis.sAdd(this.indexKey, record.id))) === 0) throw takenIdError(record.id);
    try {
      await guardRedis(this.repository.save(record.id, toEntity(record)));
    } catch (err) {
      await this.redis.sRem(this.indexKey, record.id).catch(() => undefined);
      throw err;
    }
  }

  async get(id: string): Promise<ApiKeyRecord | undefined> {
    return fromEntity(id, await guardRedis(this.repository.fetch(id)));
  }

  async revoke(id: string, at: Date): Promise<ApiKeyRecord> {
    const record = await this.get(id);
    if (!record) throw unknownKeyError(id);
    if (record.revokedAt !== undefined) throw alreadyRevokedError(record);
    const revoked = { ...record, revokedAt: at.toISOString() };
    await guardRedis(this.repository.save(id, toEntity(revoked)));
    return revoked;
  }

  async list(): Promise<ApiKeyRecord[]> {
    const ids = await guardRedis(this.redis.sMembers(this.indexKey));
    if (ids.length === 0) return [];
    const entities = await guardRedis(this.repository.fetch(ids));
    // An id without a hash is a create that failed half-way; it is not a key.
    return ids.flatMap((id, i) => fromEntity(id, entities[i]) ?? []).sort(byCreation);
  }

  async close(): Promise<void> {
    // The connection belongs to whoever opened it (create-security-stores.ts).
  }
}

function toEntity(record: ApiKeyRecord): Entity {
  const { id: _id, ...fields } = record;
  return { ...fields };
}

/** Reads a HASH back; `undefined` for an empty one (redis-om returns an entity with only its id for a missing key). */
function fromEntity(id: string, entity: Entity | undefined): ApiKeyRecord | undefined {
  if (!entity || typeof entity.name !== 'string' || typeof entity.secretHash !== 'string' || typeof entity.createdAt !== 'string') return undefined;
  const list = (value: unknown) => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v.length > 0) : []);
  return {
    id,
    name: entity.name,
    scopes: list(entity.scopes).filter((s): s is Scope => (SCOPES as readonly string[]).includes(s)),
    allowedCidrs: list(entity.allowedCidrs),
    createdAt: entity.createdAt,
    ...(typeof entity.revokedAt === 'string' ? { revokedAt: entity.revokedAt } : {}),
    secretHash: entity.secretHash,
  };
}
