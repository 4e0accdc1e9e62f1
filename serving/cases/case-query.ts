import { z } from 'zod';
import { ValidationError, type FieldIssue } from '../../core/errors';
import type { CaseLabel, CaseListQuery, CasePosition } from './case-record';

/** Cases per page when the query does not say. */
export const DEFAULT_PAGE_SIZE = 25;
export const MAX_PAGE_SIZE = 100;
/** Longest analyst note, characters. */
export const MAX_NOTE_LENGTH = 2000;

/** Query values arrive as strings; a repeated parameter arrives as an array, which no parameter accepts. */
const single = (message: string) => z.string({ error: (issue) => (Array.isArray(issue.input) ? 'given more than once' : message) });

const listQuerySchema = z.strictObject({
  status: single('expected open, labelled or all').pipe(z.enum(['open', 'labelled', 'all'], 'expected open, labelled or all')).default('open'),
  type: single('expected login or withdrawal').pipe(z.enum(['login', 'withdrawal'], 'expected login or withdrawal')).optional(),
  decision: single('expected step_up, hold, block or allow').pipe(z.enum(['step_up', 'hold', 'block', 'allow'], 'expected step_up, hold, block or allow')).optional(),
  limit: single(`expected a whole number from 1 to ${MAX_PAGE_SIZE}`)
    .regex(/^\d{1,3}$/, `expected a whole number from 1 to ${MAX_PAGE_SIZE}`)
    .transform(Number)
    .refine((n) => n >= 1 && n <= MAX_PAGE_SIZE, `expected a whole number from 1 to ${MAX_PAGE_SIZE}`)
    .optional(),
  cursor: single('expected the `next` value of a previous page').optional(),
});

const labelBodySchema = z.strictObject({
  label: z.enum(['fraud', 'legit'], 'expected "fraud" or "legit"'),
  note: z.string('expected a string').trim().max(MAX_NOTE_LENGTH, `at most ${MAX_NOTE_LENGTH} characters`).optional(),
});

/** A validated label request. */
export interface LabelRequest {
  label: CaseLabel;
  /** Undefined when absent or blank. */
  note: string | undefined;
}

/** Parses `GET /v1/cases` query parameters; throws a ValidationError naming each bad parameter. */
export function parseCaseListQuery(query: Record<string, unknown>): CaseListQuery {
  const parsed = listQuerySchema.safeParse(query);
  if (!parsed.success) throw new ValidationError('invalid case list query', issuesOf(parsed.error, 'unknown parameter'));
  const { status, type, decision, limit, cursor } = parsed.data;
  const after = cursor === undefined ? undefined : decodeCursor(cursor);
  if (after === null) throw new ValidationError('invalid case list query', [{ path: ['cursor'], message: 'not a cursor from a previous page' }]);
  return { status, type, decision, limit: limit ?? DEFAULT_PAGE_SIZE, after };
}

/** Parses the body of `POST /v1/cases/:id/label`; throws a ValidationError naming each bad field. */
export function parseLabelRequest(body: unknown): LabelRequest {
  const parsed = labelBodySchema.safeParse(body);
  if (!parsed.success) throw new ValidationError('invalid label', issuesOf(parsed.error, 'unknown field; the body is {label, note?}'));
  return { label: parsed.data.label, note: parsed.data.note || undefined };
}

/** The opaque `next` of a page: base64url of `[openedAt ms, id]`. */
export function encodeCursor(position: CasePosition): string {
  return Buffer.from(JSON.stringify([position.openedAtMs, position.id])).toString('base64url');
}

/** The position a cursor stands for, or null when it is not one {@link encodeCursor} made. */
export function decodeCursor(cursor: string): CasePosition | null {
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(cursor)) return null;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 2) return null;
    const [openedAtMs, id] = value as unknown[];
    if (typeof openedAtMs !== 'number' || !Number.isSafeInteger(openedAtMs) || typeof id !== 'string' || id === '') return null;
    return { openedAtMs, id };
  } catch {
    return null;
  }
}

/** zod issues as field issues; an unknown key is reported at its own path, so the message names it. */
function issuesOf(error: z.ZodError, unknownKey: string): FieldIssue[] {
  return error.issues.flatMap((issue) => {
    const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ path: [...path, key], message: unknownKey }));
    return [{ path, message: issue.message }];
  });
}
