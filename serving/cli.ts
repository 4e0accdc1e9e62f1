import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { action, type CommandContext } from '../core/cli';
import { ValidationError, VigilError } from '../core/errors';
import type { AuditChampion } from '../models/cli';
import { KEY_CACHE_TTL_MS } from './auth/api-key-authenticator';
import { isKeyId } from './auth/api-key-format';
import { createServingSecurity, type ServingSecurity } from './auth/create-serving-security';
import { promotionEntry } from './stores/serving-stores';

/** The command line's actor in the audit trail. */
const CLI_ACTOR = 'cli';

/** A command that needs shared state refused without Redis: in the embedded default that state lives in `vigil serve`'s process. */
class NeedsRedisError extends VigilError {
  constructor(what: string) {
    super('needs_redis', `${what} need REDIS_URL: without it, API keys and the audit trail live inside the \`vigil serve\` process (which creates its own key at start) and no other command can reach them`, 400);
  }
}

/**
 * Audits a change of champion made by `vigil models promote` or by `vigil train` (a first model). The trail is in
 * Redis; without REDIS_URL each `vigil serve` keeps its own in memory and no command can reach it, which is said on
 * stderr. A promotion whose entry cannot be written stands (serving may already follow it) and the command fails
 * saying so, so that it is not taken for audited.
 */
export const auditChampionChange: AuditChampion = async (ctx, change) => {
  if (!ctx.config.redisUrls) {
    ctx.log.warn({ version: change.version }, 'no REDIS_URL: the promotion is not audited (without Redis the audit trail lives in the vigil serve process)');
    return;
  }
  const security = await createServingSecurity(ctx.config, ctx.log);
  try {
    await security.audit.append(promotionEntry(CLI_ACTOR, change.version, change));
  } catch (err) {
    throw new VigilError('not_audited', `${change.version} is now the ${change.eventType} champion, but its audit entry could not be written: ${(err as Error).message}`, 503);
  } finally {
    await security.close();
  }
};

/** Commands of the service's own security: API keys and the audit trail. */
export function registerServingSecurityCommands(program: Command): void {
  const keys = program.command('keys').description('API keys of the HTTP API (stored in Redis; the secret is shown once)');
  keys
    .command('create')
    .description('Create a key; the last stdout line is {"id", "key"}, the only time the key is shown')
    .requiredOption('--name <name>', 'who or what uses the key (1 to 64 letters, digits, spaces or . _ @ : / -)')
    .requiredOption('--scopes <list>', 'comma-separated scopes: score, ingest, label, review, admin', commaList)
    .option('--allow-ip <cidr>', 'only from this IPv4/IPv6 network or address (repeatable); default: any address', collect, [] as string[])
    .action(
      action(async (ctx, opts: { name: string; scopes: string[]; allowIp: string[] }) =>
        withSecurity(ctx, 'API keys', async ({ keys }) => {
          const issued = await keys.create({ name: opts.name, scopes: opts.scopes, allowIps: opts.allowIp }, CLI_ACTOR);
          ctx.log.info({ id: issued.id, name: issued.info.name, scopes: issued.info.scopes, allowedCidrs: issued.info.allowedCidrs }, 'API key created');
          return { id: issued.id, key: issued.key };
        }),
      ),
    );
  keys
    .command('revoke')
    .description(`Revoke a key: refused by every instance within ${KEY_CACHE_TTL_MS / 1000} s`)
    .argument('<id>', 'the key id (the 12 characters after "vgl_")', keyIdArgument)
    .action(
      action(async (ctx, id: string) =>
        withSecurity(ctx, 'API keys', async ({ keys }) => {
          const info = await keys.revoke(id, CLI_ACTOR);
          ctx.log.info({ id, name: info.name }, 'API key revoked');
          return { id, revokedAt: info.revokedAt };
        }),
      ),
    );
  keys
    .command('list')
    .description('Every key with its name, scopes, allowlist and dates (never a secret)')
    .action(action(async (ctx) => withSecurity(ctx, 'API keys', async ({ keys }) => ({ keys: await keys.list() }))));

  const audit = program.command('audit').description('The append-only audit trail (decisions, labels, keys, promotions)');
  audit
    .command('export')
    .description('Write the audit entries of a time range to a JSONL file, oldest first')
    .requiredOption('--out <file>', 'output file (.jsonl); written whole or not at all')
    .option('--since <iso>', 'first instant included (ISO 8601; a date alone is its first instant)', isoInstant)
    .option('--until <iso>', 'last instant included (ISO 8601; a date alone is its last instant, so the whole day is in)', isoUntil)
    .action(
      action(async (ctx, opts: { out: string; since?: Date; until?: Date }) =>
        withSecurity(ctx, 'audit exports', async ({ audit }) => {
          if (opts.since && opts.until && opts.since > opts.until) {
            const message = `--since (${opts.since.toISOString()}) is after --until (${opts.until.toISOString()})`;
            throw new ValidationError(message, [{ path: ['since'], message: 'after --until' }]);
          }
          const entries = await writeJsonl(opts.out, audit.read({ since: opts.since, until: opts.until }), (n) => ctx.log.info({ entries: n }, 'audit export progress'));
          return { out: opts.out, entries, since: opts.since?.toISOString() ?? null, until: opts.until?.toISOString() ?? null };
        }),
      ),
    );
}

async function withSecurity<T>(ctx: CommandContext, what: string, run: (security: ServingSecurity) => Promise<T>): Promise<T> {
  if (!ctx.config.redisUrls) throw new NeedsRedisError(what);
  const security = await createServingSecurity(ctx.config, ctx.log);
  try {
    return await run(security);
  } finally {
    await security.close();
  }
}

/**
 * Writes the entries to `<out>.partial` and renames it at the end, so a failed export leaves no half file under
 * the requested name (and an existing file there is only replaced by a complete one).
 */
async function writeJsonl(out: string, entries: AsyncIterable<unknown>, progress: (n: number) => void): Promise<number> {
  await mkdir(dirname(out), { recursive: true });
  const partial = `${out}.partial`;
  const stream = createWriteStream(partial);
  let count = 0;
  try {
    await once(stream, 'open');
    for await (const entry of entries) {
      if (!stream.write(`${JSON.stringify(entry)}\n`)) await once(stream, 'drain');
      if (++count % 10_000 === 0) progress(count);
    }
    stream.end();
    await once(stream, 'finish');
    await rename(partial, out);
    return count;
  } catch (err) {
    stream.destroy();
    await rm(partial, { force: true });
    throw err;
  }
}

function commaList(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function keyIdArgument(value: string): string {
  if (!isKeyId(value)) throw new InvalidArgumentError(`"${value}" is not a key id: 12 letters and digits (the part after "vgl_" and before the next "_")`);
  return value;
}

/** {@link isoInstant}, except that a date alone is the last millisecond of that UTC day: dates include both ends. */
function isoUntil(value: string): Date {
  const instant = isoInstant(value);
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(instant.getTime() + 86_400_000 - 1) : instant;
}

function isoInstant(value: string): Date {
  // A date alone (2026-01-31) is midnight UTC; a time must carry its zone, so no instant depends on the machine.
  const m = /^(\d{4})-(\d{2})-(\d{2})(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/.exec(value);
  const date = new Date(value);
  if (!m || Number.isNaN(date.getTime())) {
    throw new InvalidArgumentError(`"${value}" is not an ISO 8601 date or instant with a zone (e.g. 2026-01-31 or 2026-01-31T12:00:00Z)`);
  }
  // Date accepts 2026-02-30 as March 2nd; a calendar date must exist as written.
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const day = new Date(Date.UTC(y, mo - 1, d));
  if (day.getUTCFullYear() !== y || day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d) throw new InvalidArgumentError(`"${value}": no such calendar date`);
  return date;
}
