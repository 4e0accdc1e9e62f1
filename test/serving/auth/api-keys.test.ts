import { ConflictError, NotFoundError, ValidationError } from '../../../core/errors';
import { ApiKeyService, parseNewApiKey } from '../../../serving/auth/api-keys';
import { MemoryApiKeyStore } from '../../../serving/stores/memory-api-key-store';
import { MemoryAuditLog } from '../../../serving/stores/memory-audit-log';
import type { AuditEntry, AuditRecord } from '../../../serving/stores/serving-stores';

const HASH_KEY = Buffer.alloc(32, 9);

async function entries(audit: MemoryAuditLog): Promise<AuditRecord[]> {
  const out: AuditRecord[] = [];
  for await (const r of audit.read()) out.push(r);
  return out;
}

function setup() {
  const store = new MemoryApiKeyStore();
  const audit = new MemoryAuditLog();
  const clock = { now: new Date('2026-02-01T10:00:00.000Z') };
  return { store, audit, clock, service: new ApiKeyService(store, audit, HASH_KEY, () => clock.now) };
}

describe('ApiKeyService', () => {
  it('creates a key, stores it with canonical scopes and networks, and audits who created it', async () => {
    const { store, audit, service } = setup();
    const issued = await service.create({ name: 'payments', scopes: ['ingest', 'score', 'score'], allowIps: ['10.0.0.0/8', '2001:DB8::/32', '10.0.0.0/8', '192.0.2.1'] }, 'cli');
    expect(issued.info).toEqual({ id: issued.id, name: 'payments', scopes: ['score', 'ingest'], allowedCidrs: ['10.0.0.0/8', '2001:db8::/32', '192.0.2.1/32'], createdAt: '2026-02-01T10:00:00.000Z' });
    expect(issued.key.startsWith(`vgl_${issued.id}_`)).toBe(true);
    expect((await store.get(issued.id))?.secretHash).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await entries(audit)).map(({ id: _i, ts: _t, ...e }) => e)).toEqual<AuditEntry[]>([
      { kind: 'key_created', actor: 'cli', subject: issued.id, data: { name: 'payments', scopes: ['score', 'ingest'], allowedCidrs: ['10.0.0.0/8', '2001:db8::/32', '192.0.2.1/32'] } },
    ]);
  });

  it('revokes and audits the revocation; a second revoke or an unknown id changes nothing', async () => {
    const { audit, clock, service } = setup();
    const issued = await service.create({ name: 'payments', scopes: ['score'] }, 'cli');
    clock.now = new Date('2026-02-02T00:00:00.000Z');
    expect(await service.revoke(issued.id, 'admin-key')).toMatchObject({ id: issued.id, revokedAt: '2026-02-02T00:00:00.000Z' });
    await expect(service.revoke(issued.id, 'cli')).rejects.toThrow(ConflictError);
    await expect(service.revoke('AAAAAAAAAAAA', 'cli')).rejects.toThrow(NotFoundError);
    expect((await entries(audit)).map((e) => [e.kind, e.actor, e.subject])).toEqual([
      ['key_created', 'cli', issued.id],
      ['key_revoked', 'admin-key', issued.id],
    ]);
  });

  it('lists keys without their secret hashes', async () => {
    const { service } = setup();
    const a = await service.create({ name: 'a', scopes: ['score'] }, 'cli');
    const listed = await service.list();
    expect(listed).toEqual([a.info]);
    expect(listed[0]).not.toHaveProperty('secretHash');
  });

  it('refuses bad input naming every field at fault, and stores and audits nothing', async () => {
    const { store, audit, service } = setup();
    const err = await service.create({ name: '', scopes: ['score', 'root', 'Admin'], allowIps: ['10.0.0.0/8', '10.1.2.3/8', 'localhost'] }, 'cli').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    const v = err as ValidationError;
    expect(v.issues.map((i) => i.path)).toEqual([['name'], ['scopes', 1], ['scopes', 2], ['allowIps', 1], ['allowIps', 2]]);
    expect(v.message).toMatch(/scopes\.1: unknown scope "root"; expected one of score, ingest, label, review, admin/);
    expect(v.message).toMatch(/allowIps\.1: "10\.1\.2\.3\/8" has host bits set/);
    expect(v.message).toMatch(/allowIps\.2: "localhost" is not an IPv4 or IPv6 address/);
    expect(await store.list()).toEqual([]);
    expect(await entries(audit)).toEqual([]);
  });

  it('needs at least one scope and a sensible name', () => {
    expect(() => parseNewApiKey({ name: 'x', scopes: [] })).toThrow(/scopes: at least one scope is needed/);
    expect(() => parseNewApiKey({ name: 'a'.repeat(65), scopes: ['score'] })).toThrow(/name: .* is not a key name/);
    expect(() => parseNewApiKey({ name: 'bad\nname', scopes: ['score'] })).toThrow(/name:/);
    expect(parseNewApiKey({ name: 'Zahlungen Zürich @eu-1', scopes: ['admin'] })).toEqual({ name: 'Zahlungen Zürich @eu-1', scopes: ['admin'], allowedCidrs: [] });
  });

  it('does not hand out a key whose creation could not be audited, and revokes it', async () => {
    const store = new MemoryApiKeyStore();
    const failingAudit = { append: async () => Promise.reject(new Error('audit down')) };
    const service = new ApiKeyService(store, failingAudit, HASH_KEY);
    await expect(service.create({ name: 'a', scopes: ['score'] }, 'cli')).rejects.toThrow('audit down');
    const [stored] = await store.list();
    expect(stored?.revokedAt).toBeDefined();
  });
});
