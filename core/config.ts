import { z } from 'zod';
import { ConfigError } from './errors';

/**
 * The only place that reads the environment. Each variable is declared once here with its default and meaning;
 * README's configuration table lists the same variables (a test keeps the two in step).
 */
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const intFrom = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'expected a whole number')
    .transform(Number)
    .refine((n) => n >= min && n <= max, `expected a number between ${min} and ${max}`);

/** Every variable Vigil reads, with its default (`undefined` = optional) and a one-line description. */
export const CONFIG_VARIABLES = {
  VIGIL_LOG_LEVEL: {
    default: 'info',
    description: 'Log level of the JSON logs on stderr: fatal, error, warn, info, debug, trace or silent.',
    schema: z.enum(LOG_LEVELS),
  },
  REDIS_URL: {
    default: undefined,
    // A URL may hold the server's password.
    secret: true,
    description:
      'Redis feature store: `redis://host:port` or `rediss://…` (TLS), or a comma-separated list of cluster nodes. ' +
      'Unset: the embedded in-process memory store (state is lost on exit).',
    schema: z
      .string()
      .trim()
      .min(1)
      .transform((s) => s.split(',').map((u) => u.trim()))
      .refine((urls) => urls.every((u) => /^rediss?:\/\/[^\s]+$/.test(u)), 'expected redis://host:port or rediss://host:port, comma-separated for a cluster'),
  },
  VIGIL_REDIS_KEY_PREFIX: {
    default: 'vigil:',
    description: 'Prefix of every Redis key Vigil writes.',
    schema: z.string().regex(/^[A-Za-z0-9:_-]*$/, 'letters, digits, ":", "_" and "-" only'),
  },
  VIGIL_PII_KEY: {
    default: undefined,
    secret: true,
    description:
      'Secret for personal data at rest: at least 32 bytes as hex or base64. Device ids and IPs are stored in Redis ' +
      'only as keyed hashes derived from it. Required when REDIS_URL is set; never logged.',
    schema: z
      .string()
      .transform((s) => (/^[0-9a-fA-F]+$/.test(s) && s.length % 2 === 0 ? Buffer.from(s, 'hex') : Buffer.from(s, 'base64')))
      .refine((b) => b.length >= 32, 'expected at least 32 bytes, hex or base64 encoded'),
  },
  VIGIL_POLICY_FILE: {
    default: undefined,
    description: 'Decision policy (JSON: threshold overrides, fail modes, allow lists, ordered rules), validated at start-up. Unset: the built-in policy.',
    schema: z.string().min(1),
  },
  VIGIL_MAX_CLOCK_SKEW_MS: {
    default: '300000',
    description:
      'How far ahead of the server clock an event or label sent over HTTP, or queued for `vigil worker`, may be timed, ms; ' +
      'one timed later gets a 400 naming `ts` (from the queue: a dead letter naming `ts`) and changes nothing (feature state ' +
      'trusts event time: one event far ahead would make its user ignore every real one after it). ' +
      'A staging service fed simulated traffic stamped ahead of today (as `vigil bench serve` does) may set it as wide as it needs.',
    schema: intFrom(0, Number.MAX_SAFE_INTEGER),
  },
  VIGIL_SCORE_DEADLINE_MS: {
    default: '50',
    description: 'How long scoring waits for the feature store before answering with the fail mode, ms.',
    schema: intFrom(1, 60_000),
  },
  VIGIL_RATE_LIMIT_PER_SECOND: {
    default: '1000',
    description: 'Requests per second allowed per API key (bursts up to the same number); beyond it: 429 with Retry-After.',
    schema: intFrom(1, 1_000_000),
  },
  VIGIL_AUDIT_RETENTION_DAYS: {
    default: '400',
    description: 'How long audit entries are kept in the Redis audit stream, days.',
    schema: intFrom(1, 10_000),
  },
  VIGIL_SPOOL_DIR: {
    default: 'spool',
    description: 'Directory where events answered while the feature store was down wait (JSONL) until it is back.',
    schema: z.string().min(1),
  },
  VIGIL_LABELS_DIR: {
    default: 'labels',
    description: 'Directory where labels given by analysts on the review page are appended (labels-analyst.jsonl, a labels file for the next `vigil train`).',
    schema: z.string().min(1),
  },
  VIGIL_BODY_LIMIT: {
    default: '1mb',
    description: 'Largest accepted request body (bytes, or with a kb/mb unit); larger bodies get 413. 1mb holds a batch of 1,000 events.',
    schema: z.string().regex(/^\d+(b|kb|mb)?$/i, 'expected a size such as 256kb'),
  },
  VIGIL_TLS_CERT: {
    default: undefined,
    description: 'PEM certificate file: with VIGIL_TLS_KEY, `vigil serve` speaks HTTPS only, TLS 1.3 minimum.',
    schema: z.string().min(1),
  },
  VIGIL_TLS_KEY: {
    default: undefined,
    description: 'PEM private key file of VIGIL_TLS_CERT.',
    schema: z.string().min(1),
  },
  VIGIL_MODEL_DIR: {
    default: 'models/registry',
    description: 'Directory of the model registry (one sub-directory per model version).',
    schema: z.string().min(1),
  },
  VIGIL_MODEL_SYNC_MS: {
    default: '10000',
    description:
      'How often `vigil serve` reads the registry again to serve the champions and challengers it names (a promotion ' +
      'made with `vigil models promote` or through another instance on the same VIGIL_MODEL_DIR), ms. With REDIS_URL a ' +
      'change made through any instance is also announced to the others at once.',
    schema: intFrom(100, 3_600_000),
  },
  VIGIL_LIST_DIR: {
    default: 'lists',
    description: 'Directory of the deny lists (`vigil lists load`) when REDIS_URL is unset, relative to the working directory.',
    schema: z.string().min(1),
  },
  VIGIL_PORT: {
    default: '8080',
    description: 'Port of `vigil serve` (overridden by `--port`).',
    schema: intFrom(0, 65535),
  },
  VIGIL_WORKERS: {
    default: '1',
    description:
      'Processes of `vigil serve` sharing its port (node:cluster; overridden by `--workers`): one per core uses every core. ' +
      'More than one needs REDIS_URL, where the workers keep their shared state.',
    schema: intFrom(1, 64),
  },
} as const;

type Vars = typeof CONFIG_VARIABLES;
type Key = keyof Vars;

export interface Config {
  logLevel: (typeof LOG_LEVELS)[number];
  /** Redis node URLs; more than one means a cluster. `undefined`: the embedded memory store. */
  redisUrls: string[] | undefined;
  redisKeyPrefix: string;
  /** Master secret for pseudonyms and encryption at rest; present whenever `redisUrls` is. */
  piiKey: Buffer | undefined;
  modelDir: string;
  /** How often serving reads the model registry again, ms. */
  modelSyncMs: number;
  policyFile: string | undefined;
  scoreDeadlineMs: number;
  maxClockSkewMs: number;
  rateLimitPerSecond: number;
  auditRetentionDays: number;
  spoolDir: string;
  /** Directory of the analysts' labels file. */
  labelsDir: string;
  bodyLimit: string;
  tls: { cert: string; key: string } | undefined;
  /** Directory of the deny lists without Redis. */
  listDir: string;
  port: number;
  /** Processes of `vigil serve`. */
  workers: number;
}

/**
 * Reads and validates the configuration. Every bad variable is reported at once in one {@link ConfigError}.
 * An empty string counts as unset, so `REDIS_URL= vigil …` means the default.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const issues: { path: string[]; message: string }[] = [];
  const values: Partial<Record<Key, unknown>> = {};
  for (const key of Object.keys(CONFIG_VARIABLES) as Key[]) {
    const spec: Vars[Key] = CONFIG_VARIABLES[key];
    const raw = env[key] === '' ? undefined : env[key];
    const input = raw ?? spec.default;
    if (input === undefined) continue;
    const parsed = (spec.schema as z.ZodType).safeParse(input);
    if (parsed.success) values[key] = parsed.data;
    else {
      // A secret's value is never echoed: error messages end up in terminals, CI logs and log collectors.
      const got = 'secret' in spec ? 'value not shown' : `got ${JSON.stringify(raw)}`;
      issues.push({ path: [key], message: `${parsed.error.issues.map((i) => i.message).join(', ')} (${got})` });
    }
  }
  // Only when it is unset: an invalid key is already reported above.
  if (values.REDIS_URL !== undefined && !env.VIGIL_PII_KEY) {
    issues.push({ path: ['VIGIL_PII_KEY'], message: 'required when REDIS_URL is set (personal data in Redis is stored only as keyed hashes)' });
  }
  if ((values.VIGIL_TLS_CERT === undefined) !== (values.VIGIL_TLS_KEY === undefined)) {
    issues.push({ path: [values.VIGIL_TLS_CERT === undefined ? 'VIGIL_TLS_CERT' : 'VIGIL_TLS_KEY'], message: 'VIGIL_TLS_CERT and VIGIL_TLS_KEY go together' });
  }
  if (issues.length) throw new ConfigError(issues);
  return {
    logLevel: values.VIGIL_LOG_LEVEL as Config['logLevel'],
    redisUrls: values.REDIS_URL as string[] | undefined,
    redisKeyPrefix: values.VIGIL_REDIS_KEY_PREFIX as string,
    piiKey: values.VIGIL_PII_KEY as Buffer | undefined,
    modelDir: values.VIGIL_MODEL_DIR as string,
    modelSyncMs: values.VIGIL_MODEL_SYNC_MS as number,
    policyFile: values.VIGIL_POLICY_FILE as string | undefined,
    scoreDeadlineMs: values.VIGIL_SCORE_DEADLINE_MS as number,
    maxClockSkewMs: values.VIGIL_MAX_CLOCK_SKEW_MS as number,
    rateLimitPerSecond: values.VIGIL_RATE_LIMIT_PER_SECOND as number,
    auditRetentionDays: values.VIGIL_AUDIT_RETENTION_DAYS as number,
    spoolDir: values.VIGIL_SPOOL_DIR as string,
    labelsDir: values.VIGIL_LABELS_DIR as string,
    bodyLimit: values.VIGIL_BODY_LIMIT as string,
    tls: values.VIGIL_TLS_CERT ? { cert: values.VIGIL_TLS_CERT as string, key: values.VIGIL_TLS_KEY as string } : undefined,
    listDir: values.VIGIL_LIST_DIR as string,
    port: values.VIGIL_PORT as number,
    workers: values.VIGIL_WORKERS as number,
  };
}
