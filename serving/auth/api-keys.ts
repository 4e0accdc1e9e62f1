import { ValidationError, formatIssues, type FieldIssue } from '../../core/errors';
import type { ApiKeyInfo, ApiKeyRecord, ApiKeyStore } from '../stores/api-key-store';
import type { AuditLog } from '../stores/serving-stores';
import { generateApiKey, hashSecret } from './api-key-format';
import { SCOPES, type Scope } from './authenticator';
import { parseCidr } from './ip-allowlist';

/** What a new key is given: a name for people, its scopes, and optionally the networks it may be used from. */
export interface NewApiKey {
  name: string;
  scopes: readonly string[];
  /** CIDR blocks or single addresses, IPv4 or IPv6; empty or absent: any address. */
  allowIps?: readonly string[];
}

/** A created key: the full key is in this answer only. */
export interface IssuedApiKey {
  id: string;
  key: string;
  info: ApiKeyInfo;
}

const NAME_PATTERN = /^[\p{L}\p{N} ._@:/-]{1,64}$/u;

/**
 * Creates, revokes and lists API keys, and audits the changes (`key_created`, `key_revoked`) with the actor who
 * made them, whichever way they came (command line, `vigil serve` at start, the demo).
 */
export class ApiKeyService {
  /** @param hashKey - the key secrets are hashed with: `deriveKey(piiKey, API_KEY_HASH_PURPOSE)` */
  constructor(
    private readonly store: ApiKeyStore,
    private readonly audit: AuditLog,
    private readonly hashKey: Buffer,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Validates the input (every problem at once, as {@link ValidationError} with field paths), stores the key with
   * only a hash of its secret, audits it, and returns the full key. A key whose creation cannot be audited is
   * revoked again and not handed out.
   */
  async create(input: NewApiKey, actor: string): Promise<IssuedApiKey> {
    const valid = parseNewApiKey(input);
    const generated = generateApiKey();
    const record: ApiKeyRecord = { id: generated.id, ...valid, createdAt: this.now().toISOString(), secretHash: hashSecret(this.hashKey, generated.secret) };
    await this.store.create(record);
    try {
      await this.audit.append({ kind: 'key_created', actor, subject: record.id, data: { name: record.name, scopes: record.scopes, allowedCidrs: record.allowedCidrs } });
    } catch (err) {
      await this.store.revoke(record.id, this.now()).catch(() => undefined);
      throw err;
    }
    return { id: record.id, key: generated.key, info: infoOf(record) };
  }

  /** Revokes a key (NotFoundError if unknown, ConflictError if already revoked) and audits it. */
  async revoke(id: string, actor: string): Promise<ApiKeyInfo> {
    const record = await this.store.revoke(id, this.now());
    await this.audit.append({ kind: 'key_revoked', actor, subject: id, data: { name: record.name, revokedAt: record.revokedAt } });
    return infoOf(record);
  }

  /** Every key, oldest first, without secret hashes. */
  async list(): Promise<ApiKeyInfo[]> {
    return (await this.store.list()).map(infoOf);
  }
}

/** Checks a new key's name, scopes and allowlist; returns them in stored form (canonical CIDRs, scopes in order). */
export function parseNewApiKey(input: NewApiKey): Pick<ApiKeyRecord, 'name' | 'scopes' | 'allowedCidrs'> {
  const issues: FieldIssue[] = [];
  if (!NAME_PATTERN.test(input.name)) {
    issues.push({ path: ['name'], message: `"${input.name}" is not a key name: 1 to 64 letters, digits, spaces or . _ @ : / -` });
  }
  if (input.scopes.length === 0) issues.push({ path: ['scopes'], message: `at least one scope is needed (${SCOPES.join(', ')})` });
  input.scopes.forEach((scope, i) => {
    if (!(SCOPES as readonly string[]).includes(scope)) issues.push({ path: ['scopes', i], message: `unknown scope "${scope}"; expected one of ${SCOPES.join(', ')}` });
  });
  const allowedCidrs: string[] = [];
  (input.allowIps ?? []).forEach((text, i) => {
    const cidr = parseCidr(text);
    if ('problem' in cidr) issues.push({ path: ['allowIps', i], message: cidr.problem });
    else if (!allowedCidrs.includes(cidr.text)) allowedCidrs.push(cidr.text);
  });
  if (issues.length) throw new ValidationError(`invalid API key: ${formatIssues(issues)}`, issues);
  const scopes = SCOPES.filter((s): s is Scope => input.scopes.includes(s));
  return { name: input.name, scopes, allowedCidrs };
}

function infoOf(record: ApiKeyRecord): ApiKeyInfo {
  const { secretHash: _hash, ...info } = record;
  return info;
}
