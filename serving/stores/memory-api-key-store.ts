import { alreadyRevokedError, byCreation, takenIdError, unknownKeyError, type ApiKeyRecord, type ApiKeyStore } from './api-key-store';

/** API keys in process, for the embedded default: `vigil serve` and the demo create theirs at start; lost on exit. */
export class MemoryApiKeyStore implements ApiKeyStore {
  private readonly keys = new Map<string, ApiKeyRecord>();

  async create(record: ApiKeyRecord): Promise<void> {
    if (this.keys.has(record.id)) throw takenIdError(record.id);
    this.keys.set(record.id, copy(record));
  }

  async get(id: string): Promise<ApiKeyRecord | undefined> {
    const record = this.keys.get(id);
    return record && copy(record);
  }

  async revoke(id: string, at: Date): Promise<ApiKeyRecord> {
    const record = this.keys.get(id);
    if (!record) throw unknownKeyError(id);
    if (record.revokedAt !== undefined) throw alreadyRevokedError(record);
    record.revokedAt = at.toISOString();
    return copy(record);
  }

  async list(): Promise<ApiKeyRecord[]> {
    return [...this.keys.values()].map(copy).sort(byCreation);
  }

  async close(): Promise<void> {}
}

/** Callers get copies, as they would from Redis, so changing a returned record changes nothing stored. */
function copy(record: ApiKeyRecord): ApiKeyRecord {
  return { ...record, scopes: [...record.scopes], allowedCidrs: [...record.allowedCidrs] };
}
