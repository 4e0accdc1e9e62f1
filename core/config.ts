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
    description:
      'Secret for personal data at rest: at least 32 bytes as hex or base64. Device ids and IPs are stored in Redis ' +
      'only as keyed hashes derived from it. Required when REDIS_URL is set; never logged.',
    schema: z
      .string()
      .transform((s) => (/^[0-9a-fA-F]+$/.test(s) && s.length % 2 === 0 ? Buffer.from(s, 'hex') : Buffer.from(s, 'base64')))
      .refine((b) => b.length >= 32, 'expected at least 32 bytes, hex or base64 encoded'),
  },
  VIGIL_MODEL_DIR: {
    default: 'models/registry',
    description: 'Directory of the model registry (one sub-directory per model version).',
    schema: z.string().min(1),
  },
  VIGIL_PORT: {
    default: '8080',
    description: 'Port of `vigil serve` (overridden by `--port`).',
    schema: intFrom(0, 65535),
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
  port: number;
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
    else issues.push({ path: [key], message: `${parsed.error.issues.map((i) => i.message).join(', ')} (got ${JSON.stringify(raw)})` });
  }
  if (values.REDIS_URL !== undefined && values.VIGIL_PII_KEY === undefined) {
    issues.push({ path: ['VIGIL_PII_KEY'], message: 'required when REDIS_URL is set (personal data in Redis is stored only as keyed hashes)' });
  }
  if (issues.length) throw new ConfigError(issues);
  return {
    logLevel: values.VIGIL_LOG_LEVEL as Config['logLevel'],
    redisUrls: values.REDIS_URL as string[] | undefined,
    redisKeyPrefix: values.VIGIL_REDIS_KEY_PREFIX as string,
    piiKey: values.VIGIL_PII_KEY as Buffer | undefined,
    modelDir: values.VIGIL_MODEL_DIR as string,
    port: values.VIGIL_PORT as number,
  };
}
