import type { Registry } from 'prom-client';
import type { Logger } from '../core/logger';
import type { Authenticator, RateLimiter } from './auth/authenticator';
import type { ScoringService } from './scoring-service';
import type { ModelHolder } from './scorer/model-holder';
import type { AuditLog } from './stores/serving-stores';

/** Readiness of the service's dependencies for `/readyz`. */
export interface Readiness {
  ready: boolean;
  checks: Record<string, { ok: boolean; detail?: string }>;
}

/** Accepts events and labels without scoring (`/v1/events`, `/v1/labels`). */
export interface Ingestor {
  events(body: unknown, actor: string): Promise<{ accepted: number; duplicates: number }>;
  labels(body: unknown, actor: string): Promise<{ accepted: number; unknownEvents: number }>;
}

/** Cases for analysts (`/v1/cases…`). */
export interface CaseService {
  list(query: Record<string, unknown>): Promise<unknown>;
  get(id: string): Promise<unknown>;
  label(id: string, body: unknown, actor: string): Promise<unknown>;
}

/** Everything the HTTP app needs; `createApp` wires routes to these and never listens. */
export interface ServingDeps {
  log: Logger;
  scoring: ScoringService;
  ingest: Ingestor;
  models: ModelHolder;
  cases: CaseService;
  auth: Authenticator;
  rateLimiter: RateLimiter;
  audit: AuditLog;
  readiness: () => Promise<Readiness>;
  /** Where the service's metrics are registered. */
  metrics: Registry;
  /** The text of `/metrics`. @defaultValue this process's registry (a worker of `vigil serve --workers` asks every worker) */
  scrapeMetrics?: () => Promise<string>;
  /** Largest accepted JSON body. @defaultValue '1mb' */
  bodyLimit?: string;
}
