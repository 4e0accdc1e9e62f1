import { isIP } from 'node:net';
import countries from 'i18n-iso-countries';
import { z } from 'zod';
import { chainOf, checkAddress } from './addresses';
import { ValidationError, type FieldIssue } from '../core/errors';

/**
 * The data contract: one zod schema per event kind, exactly the fields of DESIGN.md (extended, never renamed).
 * In files, each line carries `type`; when it is absent the kind is inferred from the fields that only one kind
 * has (`change`, `address`, `success`). Unknown extra fields are dropped, so newer producers may add fields.
 */

const id = z.string().trim().min(1, 'must not be empty').max(200, 'at most 200 characters');

/** ISO 8601 date-time with `Z` or an explicit offset; kept as written (outputs echo it), compared as epoch ms. */
const timestamp = z.iso.datetime({ offset: true, message: 'expected an ISO 8601 date-time such as 2026-01-31T12:00:00Z' });

const ip = z.string().refine((s) => isIP(s) !== 0, 'expected an IPv4 or IPv6 address');
const country = z
  .string()
  .regex(/^[A-Z]{2}$/, 'expected an upper-case ISO 3166-1 alpha-2 code such as "DE"')
  .refine((c) => countries.isValid(c), 'not an ISO 3166-1 alpha-2 country code');
const lat = z.number().min(-90, 'latitude must be in [-90, 90]').max(90, 'latitude must be in [-90, 90]');
const lon = z.number().min(-180, 'longitude must be in [-180, 180]').max(180, 'longitude must be in [-180, 180]');
const nonNegative = z.number().finite('must be finite').nonnegative('must not be negative');
const shortText = z.string().max(512, 'at most 512 characters');

export const ACCOUNT_CHANGES = ['password_reset', 'mfa_reset', 'email_change', 'api_key_created', 'address_whitelisted'] as const;

export const loginEventSchema = z.object({
  type: z.literal('login'),
  eventId: id,
  userId: id,
  ts: timestamp,
  ip,
  deviceId: id,
  success: z.boolean(),
  country: country.optional(),
  city: shortText.optional(),
  lat: lat.optional(),
  lon: lon.optional(),
  userAgent: shortText.optional(),
  mfa: z.boolean().optional(),
  channel: z.string().min(1).max(32).optional(),
});

export const withdrawalEventSchema = z
  .object({
    type: z.literal('withdrawal'),
    eventId: id,
    userId: id,
    ts: timestamp,
    asset: z.string().regex(/^[A-Za-z0-9.]{1,16}$/, 'expected an asset symbol such as BTC'),
    amount: nonNegative,
    address: z.string().min(1, 'must not be empty').max(128, 'at most 128 characters'),
    chain: z.string().regex(/^[a-z0-9-]{1,32}$/, 'expected a lower-case chain name such as "bitcoin"').optional(),
    amountUsd: nonNegative.optional(),
    ip: ip.optional(),
    deviceId: id.optional(),
    country: country.optional(),
    lat: lat.optional(),
    lon: lon.optional(),
  })
  .superRefine((w, ctx) => {
    const chain = chainOf(w.chain, w.asset);
    if (!chain) return;
    const check = checkAddress(chain, w.address);
    if (!check.ok) ctx.addIssue({ code: 'custom', path: ['address'], message: `invalid ${chain} address: ${check.reason}` });
  });

export const accountChangeEventSchema = z.object({
  type: z.literal('account_change'),
  eventId: id,
  userId: id,
  ts: timestamp,
  change: z.enum(ACCOUNT_CHANGES),
});

export const labelSchema = z.object({
  eventId: id,
  label: z.enum(['fraud', 'legit']),
  ts: timestamp,
  source: z.string().min(1).max(64).optional(),
});

export const eventSchema = z.discriminatedUnion('type', [loginEventSchema, withdrawalEventSchema, accountChangeEventSchema]);

export type LoginEvent = z.infer<typeof loginEventSchema>;
export type WithdrawalEvent = z.infer<typeof withdrawalEventSchema>;
export type AccountChangeEvent = z.infer<typeof accountChangeEventSchema>;
export type VigilEvent = z.infer<typeof eventSchema>;
export type EventType = VigilEvent['type'];
export type Label = z.infer<typeof labelSchema>;
export type AccountChange = (typeof ACCOUNT_CHANGES)[number];

export const EVENT_TYPES: readonly EventType[] = ['login', 'withdrawal', 'account_change'];

/** Result of a parse: the value, or every field issue found. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; issues: FieldIssue[] };

function toIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((i) => ({ path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)), message: i.message }));
}

/** The kind of an event object: its `type`, or the kind whose distinctive field it carries. */
function inferType(obj: Record<string, unknown>): unknown {
  if (obj.type !== undefined) return obj.type;
  if ('change' in obj) return 'account_change';
  if ('address' in obj || 'amount' in obj) return 'withdrawal';
  if ('success' in obj || 'deviceId' in obj) return 'login';
  return undefined;
}

export function safeParseEvent(input: unknown): Parsed<VigilEvent> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, issues: [{ path: [], message: 'expected a JSON object' }] };
  }
  const obj = input as Record<string, unknown>;
  const type = inferType(obj);
  if (type === undefined) {
    return { ok: false, issues: [{ path: ['type'], message: 'missing, and the fields match no event kind (login, withdrawal, account_change)' }] };
  }
  const result = eventSchema.safeParse(obj.type === undefined ? { ...obj, type } : obj);
  return result.success ? { ok: true, value: result.data } : { ok: false, issues: toIssues(result.error) };
}

/** Parses one event of a known kind (the HTTP routes know it from the path). */
export function safeParseEventOf<T extends EventType>(type: T, input: unknown): Parsed<Extract<VigilEvent, { type: T }>> {
  if (typeof input === 'object' && input !== null && !Array.isArray(input)) {
    const declared = (input as Record<string, unknown>).type;
    if (declared !== undefined && declared !== type) {
      return { ok: false, issues: [{ path: ['type'], message: `expected "${type}", got ${JSON.stringify(declared)}` }] };
    }
  }
  const parsed = safeParseEvent(typeof input === 'object' && input !== null && !Array.isArray(input) ? { ...input, type } : input);
  return parsed as Parsed<Extract<VigilEvent, { type: T }>>;
}

export function safeParseLabel(input: unknown): Parsed<Label> {
  const result = labelSchema.safeParse(input);
  return result.success ? { ok: true, value: result.data } : { ok: false, issues: toIssues(result.error) };
}

/** Parses or throws a {@link ValidationError} listing every field at fault. */
export function parseEvent(input: unknown): VigilEvent {
  const parsed = safeParseEvent(input);
  if (!parsed.ok) throw new ValidationError('invalid event', parsed.issues);
  return parsed.value;
}

/** Epoch milliseconds of a validated timestamp. */
export function tsMillis(ts: string): number {
  return Date.parse(ts);
}
