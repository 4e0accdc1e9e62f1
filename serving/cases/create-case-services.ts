import type { Config } from '../../core/config';
import type { Logger } from '../../core/logger';
import { connectRedis, type RedisConnection } from '../../core/redis';
import type { FeaturePipeline } from '../../features/pipeline';
import type { CaseService } from '../deps';
import type { AuditLog } from '../stores/serving-stores';
import type { CaseRepository } from './case-repository';
import { AnalystCaseService } from './case-service';
import { DetailsCipher } from './details-cipher';
import { JsonlLabelLog } from './label-log';
import { MemoryCaseRepository } from './memory-case-repository';
import { CASE_SCRIPTS, RedisCaseRepository, type CaseCommands } from './redis-case-repository';

export interface CaseServices {
  kind: 'memory' | 'redis';
  /** What scoring opens cases in (`ScoringServiceOptions.cases`), and what the service reads. */
  store: CaseRepository;
  /** What the `/v1/cases` routes call (`ServingDeps.cases`). */
  service: CaseService;
  /** Where analysts' labels are appended: `<VIGIL_LABELS_DIR>/labels-analyst.jsonl`. */
  labelsFile: string;
  /** Closes the Redis connection (nothing to do in memory). */
  close(): Promise<void>;
}

export interface CaseServicesOptions {
  audit: AuditLog;
  /** The serving pipeline: analysts' labels are applied to feature state through it. */
  pipeline: Pick<FeaturePipeline, 'process'>;
  /** Current time, ms. @defaultValue Date.now */
  now?: () => number;
  /** With Redis: the connection to use (registered with {@link CASE_SCRIPTS}; closed with the store) instead of one of its own. */
  connection?: RedisConnection;
}

/**
 * Picks the case store from the configuration, like the feature store: Redis (single node or cluster, its own
 * connection, keys under VIGIL_REDIS_KEY_PREFIX) when REDIS_URL is set, else in process. Case details are encrypted
 * under a key derived from VIGIL_PII_KEY (a random per-process key without it, when cases die with the process
 * anyway), and analysts' labels go to a JSONL labels file in VIGIL_LABELS_DIR.
 */
export async function createCaseServices(
  config: Pick<Config, 'redisUrls' | 'redisKeyPrefix' | 'piiKey' | 'labelsDir'>,
  log: Logger,
  options: CaseServicesOptions,
): Promise<CaseServices> {
  const labelLog = new JsonlLabelLog(config.labelsDir);
  await labelLog.checkWritable();
  const cipher = new DetailsCipher(config.piiKey);
  let store: CaseRepository;
  if (config.redisUrls) {
    if (!config.piiKey) throw new Error('VIGIL_PII_KEY is required with REDIS_URL'); // loadConfig already refuses this
    const redis =
      options.connection ?? (await connectRedis(config.redisUrls, { scripts: CASE_SCRIPTS }, (err) => log.warn({ err: err.message }, 'case store connection error')));
    store = new RedisCaseRepository(redis as unknown as CaseCommands, { cipher, keyPrefix: config.redisKeyPrefix, now: options.now });
  } else {
    store = new MemoryCaseRepository({ cipher, now: options.now });
  }
  return {
    kind: config.redisUrls ? 'redis' : 'memory',
    store,
    service: new AnalystCaseService({ cases: store, pipeline: options.pipeline, labelLog, audit: options.audit, log, now: options.now }),
    labelsFile: labelLog.file,
    close: () => store.close(),
  };
}
