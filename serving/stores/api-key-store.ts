import { ConflictError, NotFoundError } from '../../core/errors';
import type { Scope } from '../auth/authenticator';

/** An API key as stored: everything but the secret, of which only a keyed hash is kept. */
export interface ApiKeyRecord {
  /** 12 base62 characters; the `<id>` of `vgl_<id>_<secret>`. */
  id: string;
  name: string;
  scopes: Scope[];
  /** Canonical CIDR blocks the key may be used from; empty: any address. */
  allowedCidrs: string[];
  /** ISO 8601 UTC. */
  createdAt: string;
  /** ISO 8601 UTC; absent while the key is valid. */
  revokedAt?: string;
  /** `hashSecret(hashKey, secret)` (serving/auth/api-key-format.ts), base64url. */
  secretHash: string;
}

/** What may be shown of a key: its record without the secret's hash. */
export type ApiKeyInfo = Omit<ApiKeyRecord, 'secretHash'>;

/**
 * Where API keys live: in Redis (RedisApiKeyStore) or in process (MemoryApiKeyStore, the embedded default). Both
 * raise the same errors.
 */
export interface ApiKeyStore {
  /** Stores a new key; {@link ConflictError} if the id is taken (a fresh random id practically never is). */
  create(record: ApiKeyRecord): Promise<void>;
  /** The key with this id, revoked or not; `undefined` if there is none. */
  get(id: string): Promise<ApiKeyRecord | undefined>;
  /** Marks a key revoked at `at`; {@link NotFoundError} if unknown, {@link ConflictError} if already revoked. */
  revoke(id: string, at: Date): Promise<ApiKeyRecord>;
  /** Every key, revoked ones included, oldest first. */
  list(): Promise<ApiKeyRecord[]>;
  close(): Promise<void>;
}

export function unknownKeyError(id: string): NotFoundError {
  return new NotFoundError(`no API key with id ${id}`);
}

export function alreadyRevokedError(record: ApiKeyRecord): ConflictError {
  return new ConflictError(`API key ${record.id} was already revoked at ${record.revokedAt}`);
}

export function takenIdError(id: string): ConflictError {
  return new ConflictError(`an API key with id ${id} already exists`);
}

/** Sorts keys oldest first, ties by id, so both stores list in the same order. */
export function byCreation(a: ApiKeyRecord, b: ApiKeyRecord): number {
  return a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
