import { z } from 'zod';
import { accountChangeEventSchema, labelSchema, loginEventSchema, withdrawalEventSchema } from '../data/schemas';
import { manifestSchema, thresholdsSchema } from '../models/manifest';
import { MAX_NOTE_LENGTH, MAX_PAGE_SIZE } from './cases/case-query';
import { CASE_STATUSES, type CaseDetail, type CaseSummary } from './cases/case-record';
import type { CaseLabelResponse, CaseListResponse } from './cases/case-service';
import type { Readiness } from './deps';
import { MAX_INGEST_ITEMS } from './ingestor';
import type { Reason } from './reasons';
import type { ScoreResponse } from './stores/serving-stores';

/*
 * Response schemas exist for the document only (the service builds its answers with typed code), so each one is
 * checked against the type it describes: a field added to ScoreResponse without its schema fails to compile.
 */
const decisionSchema = z.enum(['allow', 'step_up', 'hold', 'block']);

const reasonSchema = z.object({
  code: z.string().describe('Stable identifier: a policy rule name, a feature name, or a fail-mode reason'),
  text: z.string(),
  feature: z.string().optional(),
  value: z.number().nullable().optional(),
  contribution: z.number().optional().describe('Push of the feature on the log-odds of the score'),
  list: z.string().optional().describe('Deny list holding the destination address'),
}) satisfies z.ZodType<Reason>;

const modelRefSchema = z.object({ name: z.string(), version: z.string() });

const scoreResponseSchema = z.object({
  eventId: z.string(),
  score: z.number().min(0).max(1).nullable().describe('Calibrated fraud probability; null in the fail mode'),
  decision: decisionSchema,
  reasons: z.array(reasonSchema),
  model: modelRefSchema.nullable().describe('Model that scored; null in the fail mode'),
}) satisfies z.ZodType<ScoreResponse>;

const errorSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z
      .array(z.object({ path: z.array(z.union([z.string(), z.number()])), message: z.string() }))
      .optional()
      .describe('Every field at fault (400)'),
  }),
});

const eventItemSchema = z.union([loginEventSchema, withdrawalEventSchema, accountChangeEventSchema]);
const eventsBodySchema = z.strictObject({ events: z.array(eventItemSchema).min(1).max(MAX_INGEST_ITEMS) });
const labelsBodySchema = z.strictObject({ labels: z.array(labelSchema).min(1).max(MAX_INGEST_ITEMS) });
const eventsAcceptedSchema = z.object({
  accepted: z.number().int().describe('Events not seen before'),
  duplicates: z.number().int().describe('Events whose id was applied before (changed nothing)'),
});
const labelsAcceptedSchema = z.object({
  accepted: z.number().int(),
  unknownEvents: z.number().int().describe('Labels of events the feature store does not know, or timed before their event (changed nothing)'),
});

const readinessSchema = z.object({
  ready: z.boolean(),
  checks: z.record(z.string(), z.object({ ok: z.boolean(), detail: z.string().optional() })),
}) satisfies z.ZodType<Readiness>;

const scoredTypeSchema = z.enum(['login', 'withdrawal']);
const modelListSchema = z.object({
  champions: z.record(scoredTypeSchema, z.string()),
  challengers: z.record(scoredTypeSchema, z.string()),
  versions: z.array(
    manifestSchema.pick({ name: true, version: true, eventType: true, algorithm: true, createdAt: true, metrics: true }).extend({ thresholds: thresholdsSchema }),
  ),
});
const promotionSchema = z.object({ version: z.string(), eventType: scoredTypeSchema, previous: z.string().optional().describe('Champion before: promote it to roll back') });
const shadowBodySchema = z.strictObject({ enabled: z.boolean() });
const shadowSchema = z.object({ version: z.string(), eventType: scoredTypeSchema, shadow: z.boolean() });

const caseSummarySchema = z
  .object({
    id: z.string().describe('The event id'),
    type: scoredTypeSchema,
    userId: z.string(),
    ts: z.string(),
    openedAt: z.string(),
    score: z.number().nullable(),
    decision: decisionSchema,
    reasons: z.array(reasonSchema),
    model: modelRefSchema.nullable(),
    status: z.enum(CASE_STATUSES),
    label: z.enum(['fraud', 'legit']).optional(),
    labelledBy: z.string().optional(),
    labelledAt: z.string().optional(),
  })
  .describe('A held or stepped-up event, its answer and its latest label') satisfies z.ZodType<CaseSummary>;
const caseDetailSchema = caseSummarySchema.extend({
  details: z.record(z.string(), z.unknown()).describe("The event's other fields (IP, device, address, amounts), decrypted"),
  note: z.string().optional(),
}) satisfies z.ZodType<CaseDetail>;
const caseListSchema = z.object({
  cases: z.array(caseSummarySchema),
  next: z.string().nullable().describe('`cursor` of the next page; null on the last'),
}) satisfies z.ZodType<CaseListResponse>;
const caseLabelledSchema = caseSummarySchema.extend({
  featureState: z.enum(['applied', 'unknown_event']).describe('Whether the label reached the feature state of the event'),
}) satisfies z.ZodType<CaseLabelResponse>;
const caseLabelBodySchema = z.strictObject({ label: z.enum(['fraud', 'legit']), note: z.string().max(MAX_NOTE_LENGTH).optional() });

/** Request bodies, documented as clients may send them. */
const REQUESTS = {
  LoginEvent: loginEventSchema,
  WithdrawalEvent: withdrawalEventSchema,
  AccountChangeEvent: accountChangeEventSchema,
  Label: labelSchema,
  EventsBody: eventsBodySchema,
  LabelsBody: labelsBodySchema,
  ShadowBody: shadowBodySchema,
  CaseLabelBody: caseLabelBodySchema,
};

/** Response bodies, documented as the service sends them. */
const RESPONSES = {
  ScoreResponse: scoreResponseSchema,
  Reason: reasonSchema,
  Error: errorSchema,
  EventsAccepted: eventsAcceptedSchema,
  LabelsAccepted: labelsAcceptedSchema,
  Readiness: readinessSchema,
  ModelList: modelListSchema,
  Promotion: promotionSchema,
  Shadow: shadowSchema,
  CaseSummary: caseSummarySchema,
  Case: caseDetailSchema,
  CaseList: caseListSchema,
  CaseLabelled: caseLabelledSchema,
};

/** Event kinds whose `type` the server infers (from the route, or from the fields in a batch). */
const TYPE_INFERRED = new Set(['LoginEvent', 'WithdrawalEvent', 'AccountChangeEvent']);

type JsonSchema = Record<string, unknown>;

/** JSON Schemas of one registry, cross-referenced through `#/components/schemas/<name>`. */
function componentSchemas(schemas: Record<string, z.ZodType>, io: 'input' | 'output'): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(schemas)) registry.add(schema, { id });
  const generated = z.toJSONSchema(registry, { io, unrepresentable: 'any', uri: (id) => `#/components/schemas/${id}` }).schemas as Record<string, JsonSchema>;
  for (const [id, schema] of Object.entries(generated)) {
    // Inside an OpenAPI document the component's location is its identity; these would only confuse tools.
    delete schema.$schema;
    delete schema.$id;
    if (TYPE_INFERRED.has(id) && Array.isArray(schema.required)) schema.required = schema.required.filter((f) => f !== 'type');
  }
  return generated;
}

const ref = (name: keyof typeof REQUESTS | keyof typeof RESPONSES) => ({ $ref: `#/components/schemas/${name}` });
const json = (name: keyof typeof REQUESTS | keyof typeof RESPONSES, description: string) => ({ description, content: { 'application/json': { schema: ref(name) } } });
const errors = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [String(s), json('Error', ERROR_TEXT[s] ?? 'error')]));
const body = (name: keyof typeof REQUESTS) => ({ required: true, content: { 'application/json': { schema: ref(name) } } });

const ERROR_TEXT: Record<number, string> = {
  400: 'Invalid input: `details` lists every field path at fault; nothing changed',
  401: 'No, malformed, unknown or revoked API key',
  403: 'The key lacks the scope, or the client IP is outside its allowlist',
  404: 'No such resource',
  409: 'Conflict with the current state',
  413: 'Request body larger than the configured limit',
  429: 'Rate limit of the key exceeded; see Retry-After',
  503: 'A dependency is unavailable; see Retry-After where given',
};
/** Every `/v1` route answers these. */
const COMMON = [400, 401, 403, 413, 429];

function v1(scope: string, summary: string, operation: Record<string, unknown>) {
  return { summary, description: `Scope: \`${scope}\`.`, ...operation, responses: { ...(operation.responses as object), ...errors(...COMMON) } };
}

function paths() {
  const retryAfter = { 'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer' } } };
  const scoring = (type: 'login' | 'withdrawal', event: 'LoginEvent' | 'WithdrawalEvent') => ({
    post: v1('score', `Score a ${type}`, {
      operationId: `score${type === 'login' ? 'Login' : 'Withdrawal'}`,
      description:
        'Scope: `score`. Reads the features from the state before the event and applies the event. A repeated event id ' +
        'gets the first answer and changes nothing. Without the feature store or a model, the policy fail mode answers ' +
        '(score null, reason `feature_store_unavailable` or `model_unavailable`).',
      requestBody: body(event),
      responses: { '200': json('ScoreResponse', 'The decision'), ...errors(409) },
    }),
  });
  const id = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
  const version = { name: 'version', in: 'path', required: true, schema: { type: 'string' } };
  return {
    '/healthz': { get: { summary: 'Liveness', security: [], responses: { '200': { description: 'The process runs' } } } },
    '/readyz': {
      get: {
        summary: 'Readiness: feature store, champions, spool',
        security: [],
        responses: { '200': json('Readiness', 'Ready'), '503': json('Readiness', 'Not ready: see the failing checks') },
      },
    },
    '/metrics': { get: { summary: 'Prometheus metrics', security: [], responses: { '200': { description: 'Text exposition format', content: { 'text/plain': {} } } } } },
    '/review': { get: { summary: 'The analysts’ review page', security: [], responses: { '200': { description: 'HTML', content: { 'text/html': {} } } } } },
    '/v1/openapi.json': { get: v1('any', 'This document', { responses: { '200': { description: 'OpenAPI 3.1', content: { 'application/json': {} } } } }) },
    '/v1/score/login': scoring('login', 'LoginEvent'),
    '/v1/score/withdrawal': scoring('withdrawal', 'WithdrawalEvent'),
    '/v1/events': {
      post: v1('ingest', 'Ingest events without scoring', {
        description: `Scope: \`ingest\`. 1 to ${MAX_INGEST_ITEMS} events; one invalid event rejects the request (its index is in the field path).`,
        requestBody: body('EventsBody'),
        responses: { '202': json('EventsAccepted', 'Applied'), '503': { ...json('Error', ERROR_TEXT[503] as string), headers: retryAfter } },
      }),
    },
    '/v1/labels': {
      post: v1('label', 'Ingest labels', {
        description: `Scope: \`label\`. 1 to ${MAX_INGEST_ITEMS} labels; one invalid label rejects the request.`,
        requestBody: body('LabelsBody'),
        responses: { '202': json('LabelsAccepted', 'Applied'), '503': { ...json('Error', ERROR_TEXT[503] as string), headers: retryAfter } },
      }),
    },
    '/v1/cases': {
      get: v1('review', 'List cases, newest first', {
        parameters: [
          { name: 'status', in: 'query', schema: { type: 'string', enum: ['open', 'labelled', 'all'], default: 'open' } },
          { name: 'type', in: 'query', schema: { type: 'string', enum: ['login', 'withdrawal'] } },
          { name: 'decision', in: 'query', schema: { type: 'string', enum: ['allow', 'step_up', 'hold', 'block'] } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE } },
          { name: 'cursor', in: 'query', schema: { type: 'string' }, description: '`next` of the previous page' },
        ],
        responses: { '200': json('CaseList', 'One page of cases') },
      }),
    },
    '/v1/cases/{id}': { get: v1('review', 'One case', { parameters: [id], responses: { '200': json('Case', 'The case'), ...errors(404) } }) },
    '/v1/cases/{id}/label': {
      post: v1('review', 'Label a case', { parameters: [id], requestBody: body('CaseLabelBody'), responses: { '200': json('CaseLabelled', 'The labelled case'), ...errors(404) } }),
    },
    '/v1/models': { get: v1('admin', 'Models: versions, champions, challengers', { responses: { '200': json('ModelList', 'The registry') } }) },
    '/v1/models/{version}/promote': {
      post: v1('admin', 'Make a version its event type’s champion (rollback: promote the previous one)', {
        parameters: [version],
        responses: { '200': json('Promotion', 'Promoted and in service'), ...errors(404, 409) },
      }),
    },
    '/v1/models/{version}/shadow': {
      post: v1('admin', 'Score a version in shadow next to its champion, or stop', {
        parameters: [version],
        requestBody: body('ShadowBody'),
        responses: { '200': json('Shadow', 'Shadowing changed'), ...errors(404, 409) },
      }),
    },
  };
}

let cached: unknown;

/** The OpenAPI 3.1 document of the service, its schemas generated from the same zod schemas that validate requests. */
export function openApiDocument(): unknown {
  cached ??= {
    openapi: '3.1.0',
    info: { title: 'Vigil', version: '1', description: 'Fraud scoring for logins and crypto withdrawals.' },
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } },
      schemas: { ...componentSchemas(REQUESTS, 'input'), ...componentSchemas(RESPONSES, 'output') },
    },
    security: [{ apiKey: [] }],
    paths: paths(),
  };
  return cached;
}
