import { z } from 'zod';
import path from 'node:path';

/**
 * Every setting Baton reads from the environment, in one schema. `loadConfig` reports
 * every invalid or missing key at once, so a deploy is fixed in one round trip.
 */

const port = z.coerce.number().int().min(1).max(65535);
const optionalPort = z.coerce.number().int().min(0).max(65535);
const url = z.string().url();
const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

/** Env names with their schema; docker-compose.yml and the README are checked against these keys. */
export const envSchema = z.object({
  BATON_HOME: z.string().default('.baton'),
  BATON_DATABASE_URL: z.string().optional(),
  BATON_MAPPINGS_DIR: z.string().default('mappings'),
  BATON_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  BATON_TASK_QUEUE: z.string().min(1).default('baton'),
  BATON_SYNC_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(5),
  BATON_SERVER_HOST: z.string().default('127.0.0.1'),
  BATON_SERVER_PORT: port.default(7480),
  /** How often a handover waiting for a rep's first touch looks for a Task or status change in Salesforce. */
  BATON_FIRST_TOUCH_POLL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
  /** How often the sync reads HubSpot's recycle bin for archived contacts (one call per 100 in it). */
  BATON_RECYCLE_BIN_CHECK_SECONDS: z.coerce.number().int().min(0).max(86_400).default(600),

  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_CLI_PATH: z.preprocess(blankToUndefined, z.string().optional()),
  TEMPORAL_TEST_SERVER_PATH: z.preprocess(blankToUndefined, z.string().optional()),

  HUBSPOT_BASE_PATH: z.preprocess(blankToUndefined, url.optional()),
  HUBSPOT_ACCESS_TOKEN: z.preprocess(blankToUndefined, z.string().optional()),
  HUBSPOT_CLIENT_SECRET: z.preprocess(blankToUndefined, z.string().optional()),

  SALESFORCE_INSTANCE_URL: z.preprocess(blankToUndefined, url.optional()),
  SALESFORCE_ACCESS_TOKEN: z.preprocess(blankToUndefined, z.string().optional()),
  SALESFORCE_API_VERSION: z
    .string()
    .regex(/^\d+\.\d$/, 'must look like 62.0')
    .default('62.0'),
  SALESFORCE_LOGIN_URL: z.preprocess(blankToUndefined, url.optional()),
  SALESFORCE_CLIENT_ID: z.preprocess(blankToUndefined, z.string().optional()),
  SALESFORCE_CLIENT_SECRET: z.preprocess(blankToUndefined, z.string().optional()),
  SALESFORCE_REFRESH_TOKEN: z.preprocess(blankToUndefined, z.string().optional()),

  // `baton dev` only: where the embedded stack listens. 0 picks a free port.
  BATON_DEV_HOST: z.string().default('127.0.0.1'),
  BATON_DEV_TEMPORAL_PORT: port.default(7233),
  BATON_DEV_TEMPORAL_UI_PORT: port.default(8233),
  BATON_DEV_HUBSPOT_PORT: optionalPort.default(7481),
  BATON_DEV_SALESFORCE_PORT: optionalPort.default(7482),
  /** Play marketing and sales life in the sandboxes (scores rising, reps logging Tasks) so the demo moves. */
  BATON_DEV_SIMULATE: z.enum(['true', 'false', '1', '0'], { error: 'must be true or false' }).default('true'),
  BATON_DEV_SIMULATE_TICK_MS: z.coerce.number().int().min(100).max(3_600_000).default(2000),
});

export type Env = z.infer<typeof envSchema>;
export const ENV_KEYS = Object.keys(envSchema.shape) as (keyof Env)[];

export interface BatonConfig {
  home: string;
  databaseUrl: string;
  mappingsDir: string;
  logLevel: Env['BATON_LOG_LEVEL'];
  taskQueue: string;
  syncIntervalSeconds: number;
  handover: { firstTouchPollMs: number };
  /** The shortest time between two reads of HubSpot's recycle bin. */
  recycleBinEveryMs: number;
  server: { host: string; port: number; hubspotClientSecret?: string };
  temporal: { address: string; namespace: string; cliPath?: string; testServerPath?: string };
  hubspot: { basePath?: string; accessToken?: string };
  salesforce: {
    instanceUrl?: string;
    accessToken?: string;
    version: string;
    loginUrl?: string;
    clientId?: string;
    clientSecret?: string;
    refreshToken?: string;
  };
  dev: {
    host: string;
    temporalPort: number;
    temporalUiPort: number;
    hubspotPort: number;
    salesforcePort: number;
    simulate: boolean;
    simulateTickMs: number;
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p}`).join('\n') +
        '\nSet these environment variables (see README, "Configuration") and start again.',
    );
    this.name = 'ConfigError';
  }
}

export interface LoadConfigOptions {
  /** When true, the CRM credentials must be present (a worker against real accounts). */
  requireCrm?: boolean;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: LoadConfigOptions = {}): BatonConfig {
  const picked: Record<string, string | undefined> = {};
  for (const key of ENV_KEYS) picked[key] = env[key];
  const parsed = envSchema.safeParse(picked);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = issue.path.join('.');
      const raw = picked[key];
      problems.push(`${key}: ${issue.message}${raw === undefined ? '' : ` (got ${JSON.stringify(redact(key, raw))})`}`);
    }
  }
  if (parsed.success && options.requireCrm) {
    const e = parsed.data;
    const required: (keyof Env)[] = ['HUBSPOT_BASE_PATH', 'HUBSPOT_ACCESS_TOKEN', 'SALESFORCE_INSTANCE_URL'];
    for (const key of required) if (e[key] === undefined) problems.push(`${key}: required to reach the CRM`);
    if (e.SALESFORCE_ACCESS_TOKEN === undefined && e.SALESFORCE_REFRESH_TOKEN === undefined) {
      problems.push('SALESFORCE_ACCESS_TOKEN: required (or SALESFORCE_REFRESH_TOKEN with SALESFORCE_CLIENT_ID)');
    }
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  const e = parsed.data;
  return {
    home: e.BATON_HOME,
    databaseUrl: e.BATON_DATABASE_URL ?? `sqlite://${path.resolve(e.BATON_HOME, 'baton.db')}`,
    mappingsDir: e.BATON_MAPPINGS_DIR,
    logLevel: e.BATON_LOG_LEVEL,
    taskQueue: e.BATON_TASK_QUEUE,
    syncIntervalSeconds: e.BATON_SYNC_INTERVAL_SECONDS,
    handover: { firstTouchPollMs: e.BATON_FIRST_TOUCH_POLL_SECONDS * 1000 },
    recycleBinEveryMs: e.BATON_RECYCLE_BIN_CHECK_SECONDS * 1000,
    server: { host: e.BATON_SERVER_HOST, port: e.BATON_SERVER_PORT, hubspotClientSecret: e.HUBSPOT_CLIENT_SECRET },
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      cliPath: e.TEMPORAL_CLI_PATH,
      testServerPath: e.TEMPORAL_TEST_SERVER_PATH,
    },
    hubspot: { basePath: e.HUBSPOT_BASE_PATH, accessToken: e.HUBSPOT_ACCESS_TOKEN },
    salesforce: {
      instanceUrl: e.SALESFORCE_INSTANCE_URL,
      accessToken: e.SALESFORCE_ACCESS_TOKEN,
      version: e.SALESFORCE_API_VERSION,
      loginUrl: e.SALESFORCE_LOGIN_URL,
      clientId: e.SALESFORCE_CLIENT_ID,
      clientSecret: e.SALESFORCE_CLIENT_SECRET,
      refreshToken: e.SALESFORCE_REFRESH_TOKEN,
    },
    dev: {
      host: e.BATON_DEV_HOST,
      temporalPort: e.BATON_DEV_TEMPORAL_PORT,
      temporalUiPort: e.BATON_DEV_TEMPORAL_UI_PORT,
      hubspotPort: e.BATON_DEV_HUBSPOT_PORT,
      salesforcePort: e.BATON_DEV_SALESFORCE_PORT,
      simulate: e.BATON_DEV_SIMULATE === 'true' || e.BATON_DEV_SIMULATE === '1',
      simulateTickMs: e.BATON_DEV_SIMULATE_TICK_MS,
    },
  };
}

function redact(key: string, value: string): string {
  return /TOKEN|SECRET|PASSWORD/.test(key) ? '***' : value;
}
