import { readFile } from 'node:fs/promises';
import type { Config } from '../core/config';
import { ConfigError } from '../core/errors';
import type { Logger } from '../core/logger';
import { connectRedis, shareConnection } from '../core/redis';
import { createDenyListStore } from '../features/deny-lists/create-deny-list-store';
import { DenyListRefresher } from '../features/deny-lists/refresher';
import { FeaturePipeline } from '../features/pipeline';
import { createFeatureStore, type FeatureStoreBackend } from '../features/store/create-feature-store';
import { FEATURE_STORE_SCRIPTS } from '../features/store/redis-scripts';
import { SCORED_EVENT_TYPES } from '../features/definitions';
import { ModelRegistry } from '../models/registry';
import { createServingSecurity, type ServingSecurity } from './auth/create-serving-security';
import { createCaseServices } from './cases/create-case-services';
import { CASE_SCRIPTS } from './cases/redis-case-repository';
import type { ServingDeps } from './deps';
import { PipelineIngestor } from './ingestor';
import { createServingMetrics } from './metrics';
import { startModelSync } from './model-sync';
import { FallbackRateLimiter, OutageWatch, RememberingAuthenticator } from './outage-fallbacks';
import { DEFAULT_POLICY_INPUT, policySchema, type Policy } from './policy/policy-schema';
import { createReadiness } from './readiness';
import { ScoringService } from './scoring-service';
import { ModelHolder } from './scorer/model-holder';
import { FileEventSpool } from './spool';
import { MemoryRateLimiter } from './stores/memory-rate-limiter';
import { RATE_LIMIT_SCRIPTS } from './stores/redis-rate-limiter';

export interface ServingRuntimeOptions {
  /** How often the deny lists' version is polled, ms. @defaultValue 5000 */
  denyListRefreshMs?: number;
  /** How often the spool tries to drain while events wait, ms. @defaultValue 1000 */
  spoolDrainIntervalMs?: number;
}

/** The wired service: what createApp needs, the parts a process manages, and one close for all of it. */
export interface ServingRuntime {
  deps: ServingDeps;
  /** Which backends serve: `memory` (embedded default) or `redis`. */
  kind: 'memory' | 'redis';
  security: ServingSecurity;
  featureStore: FeatureStoreBackend;
  denyLists: DenyListRefresher;
  spool: FileEventSpool;
  models: ModelHolder;
  policy: Policy;
  /** Stops background work and closes every store and model session, newest first. */
  close(): Promise<void>;
}

/**
 * Builds everything the HTTP app needs from the configuration: the policy (a bad file stops start-up with every
 * issue listed), the champions of the model registry, the feature store with its pseudonymizer and the deny lists
 * (refreshed while serving, so `vigil lists load` takes effect without a restart), the security stores and case
 * services of the configured backend, the spool, the metrics, readiness and the scoring service.
 *
 * Against Redis, the API keys and rate limits live in the same Redis as the features; while it is away, keys that
 * authenticated recently keep working and rate limits are kept per instance (outage-fallbacks.ts), so scoring can
 * give its fail-mode answers rather than 503s.
 */
export async function createServingDeps(config: Config, log: Logger, options: ServingRuntimeOptions = {}): Promise<ServingRuntime> {
  const policy = await loadPolicy(config.policyFile);
  const closers: (() => Promise<void>)[] = [];
  const close = async (): Promise<void> => {
    for (const closer of closers.splice(0).reverse()) {
      await closer().catch((err: unknown) => log.error({ err: String(err) }, 'closing a serving dependency failed'));
    }
  };
  try {
    const models = new ModelHolder(new ModelRegistry(config.modelDir));
    closers.push(() => models.close());
    // A registry naming what cannot be served is a configuration error: start-up stops with each version and why.
    await models.sync().catch((err: unknown) => {
      const failures: unknown[] = err instanceof AggregateError ? err.errors : [err];
      throw new ConfigError(failures.map((e) => ({ path: ['VIGIL_MODEL_DIR'], message: e instanceof Error ? e.message : String(e) })));
    });
    for (const type of SCORED_EVENT_TYPES) {
      const champion = models.champion(type);
      if (champion) log.info({ type, version: champion.manifest.version }, 'champion in service');
      else log.warn({ type, modelDir: config.modelDir }, 'no champion: these events get the fail mode (model_unavailable)');
      const challenger = models.challenger(type);
      if (challenger) log.info({ type, version: challenger.manifest.version }, 'challenger in shadow');
    }

    // One connection for the feature, security and case stores: a request's commands to them leave in one write.
    const shared = config.redisUrls
      ? shareConnection(
          await connectRedis(config.redisUrls, { scripts: { ...FEATURE_STORE_SCRIPTS, ...RATE_LIMIT_SCRIPTS, ...CASE_SCRIPTS } }, (err) =>
            log.warn({ err: err.message }, 'serving connection error'),
          ),
          4,
        )
      : [];
    // Each store closes its handle; this also closes those of stores a failed start never made.
    closers.push(async () => void (await Promise.all(shared.map((handle) => handle.close()))));
    const [featureConnection, securityConnection, caseConnection, modelConnection] = shared;
    const modelSync = await startModelSync({
      models,
      log,
      intervalMs: config.modelSyncMs,
      announce:
        config.redisUrls && modelConnection
          ? {
              publisher: modelConnection,
              subscriber: await connectRedis(config.redisUrls, {}, (err) => log.warn({ err: err.message }, 'model announcement connection error')),
              channel: `${config.redisKeyPrefix}models`,
            }
          : undefined,
    });
    closers.push(() => modelSync.stop());
    const featureStore = await createFeatureStore(config, log, {}, featureConnection);
    closers.push(() => featureStore.store.close());
    const denyListStore = await createDenyListStore(config, log);
    closers.push(() => denyListStore.store.close());
    const denyLists = new DenyListRefresher(denyListStore.store, {
      intervalMs: options.denyListRefreshMs,
      onError: oncePerMinute((err) => log.warn({ err: String(err) }, 'deny list refresh failing; the lists in use stay')),
      onSwap: (version) => log.info({ version }, 'deny lists refreshed'),
    });
    // Screening without the lists would let listed destinations through: no lists, no start.
    await denyLists.start();
    closers.push(async () => denyLists.stop());

    const pipeline = new FeaturePipeline({ store: featureStore.store, denyLists: denyLists.lookup, pseudonymize: featureStore.pseudonymize, locations: featureStore.locations });
    const security = await createServingSecurity({ ...config, storeDeadlineMs: config.scoreDeadlineMs }, log, securityConnection);
    closers.push(() => security.close());
    const cases = await createCaseServices(config, log, { audit: security.audit, pipeline, connection: caseConnection });
    closers.push(() => cases.close());

    const stores = { responses: security.responses, cases: cases.store, audit: security.audit };
    const spool = await FileEventSpool.open({ dir: config.spoolDir, pipeline, stores, piiKey: config.piiKey, log, drainIntervalMs: options.spoolDrainIntervalMs });
    closers.push(() => spool.close());
    spool.start();

    const metrics = createServingMetrics({ models, spoolBacklog: () => spool.backlog() });
    const scoring = new ScoringService({
      pipeline,
      models,
      policy,
      ...stores,
      spool,
      observer: metrics.observer,
      log,
      deadlineMs: config.scoreDeadlineMs,
      maxAheadMs: config.maxClockSkewMs,
    });
    const redis = featureStore.kind === 'redis';
    const watch = new OutageWatch({ log });
    const limit = { ratePerSecond: config.rateLimitPerSecond, burst: config.rateLimitPerSecond };
    const deps: ServingDeps = {
      log,
      scoring,
      ingest: new PipelineIngestor({ pipeline, audit: security.audit, log, maxAheadMs: config.maxClockSkewMs }),
      models,
      cases: cases.service,
      auth: redis ? new RememberingAuthenticator(security.authenticator, { watch }) : security.authenticator,
      rateLimiter: redis ? new FallbackRateLimiter(security.rateLimiter, new MemoryRateLimiter(limit), watch) : security.rateLimiter,
      audit: security.audit,
      readiness: createReadiness({ store: featureStore.store, models, spoolBacklog: () => spool.backlog(), deadlineMs: config.scoreDeadlineMs }),
      metrics: metrics.registry,
      bodyLimit: config.bodyLimit,
    };
    return { deps, kind: featureStore.kind, security, featureStore, denyLists, spool, models, policy, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** The polls run every few seconds: an outage is worth a line a minute, not one per poll. */
function oncePerMinute(report: (err: unknown) => void): (err: unknown) => void {
  let last = 0;
  return (err) => {
    if (Date.now() - last < 60_000) return;
    last = Date.now();
    report(err);
  };
}

/**
 * The decision policy: VIGIL_POLICY_FILE (JSON) or the built-in {@link DEFAULT_POLICY_INPUT}. A file that cannot be
 * read, is not JSON, or breaks the schema is a {@link ConfigError} listing every issue with its path in the file.
 */
export async function loadPolicy(file: string | undefined): Promise<Policy> {
  let input: unknown = DEFAULT_POLICY_INPUT;
  if (file !== undefined) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw new ConfigError([{ path: ['VIGIL_POLICY_FILE'], message: `cannot read ${file}: ${(err as Error).message}` }]);
    }
    try {
      input = JSON.parse(text);
    } catch (err) {
      throw new ConfigError([{ path: ['VIGIL_POLICY_FILE'], message: `${file} is not JSON: ${(err as Error).message}` }]);
    }
  }
  const parsed = policySchema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => ({ path: [file ?? '(built-in policy)', ...i.path.map(String)], message: i.message })));
  }
  return parsed.data;
}
