import { z } from 'zod';

/**
 * Configuration, read once from the environment at start-up. Every variable is documented in the
 * README with its default. A bad value stops the process with one message naming every bad variable.
 */

export interface UpstreamConfig {
  /** Null: start the embedded simulator and talk to it. */
  readonly baseUrl: string | null;
}

export interface GatewayConfig {
  readonly port: number;
  readonly host: string;
  readonly production: boolean;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Absolute base URL clients use to reach the gateway (for file links); derived from the request when null. */
  readonly publicBaseUrl: string | null;
  readonly upstreamTimeoutMs: number;
  readonly upstreamConnections: number;
  readonly uploadMaxBytes: number;
  readonly uploadDir: string | null;
  readonly customerDirectoryFile: string | null;
  readonly iqm: UpstreamConfig & {
    /** Service credentials; when null the caller's Authorization and X-IAA-OW-ID are forwarded. */
    readonly token: string | null;
    readonly organizationWorkspaceId: number | null;
    readonly currencyCode: string;
  };
  readonly intact: UpstreamConfig & { readonly token: string | null };
  readonly refrens: UpstreamConfig & { readonly token: string | null; readonly currencyCode: string };
  readonly iqmetrix: UpstreamConfig & {
    readonly token: string | null;
    readonly companyId: number | null;
    readonly currencyCode: string;
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

const optionalText = z
  .string()
  .transform((value) => value.trim())
  .optional()
  .transform((value) => (value ? value : null));
const httpUrl = z
  .string()
  .trim()
  .optional()
  .transform((value) => (value ? value : null))
  .refine((value) => value === null || /^https?:\/\/[^\s]+$/.test(value) && URL.canParse(value), 'must be an http(s) URL');
const integer = (fallback: number, min: number, max: number) =>
  z
    .string()
    .trim()
    .optional()
    .transform((value) => (value ? value : String(fallback)))
    .refine((value) => /^\d+$/.test(value), 'must be a whole number')
    .transform(Number)
    .refine((value) => value >= min && value <= max, `must be between ${min} and ${max}`);
const optionalInteger = z
  .string()
  .trim()
  .optional()
  .transform((value) => (value ? value : null))
  .refine((value) => value === null || /^\d+$/.test(value), 'must be a whole number')
  .transform((value) => (value === null ? null : Number(value)));
const currency = (fallback: string) =>
  z
    .string()
    .trim()
    .optional()
    .transform((value) => (value ? value.toUpperCase() : fallback))
    .refine((value) => /^[A-Z]{3}$/.test(value), 'must be an ISO-4217 code such as USD');

const environmentSchema = z.object({
  PORT: integer(4000, 0, 65535),
  HOST: z.string().trim().optional().transform((value) => value || '0.0.0.0'),
  NODE_ENV: z.enum(['development', 'production', 'test']).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
  PUBLIC_BASE_URL: httpUrl,
  UPSTREAM_TIMEOUT_MS: integer(10_000, 100, 120_000),
  UPSTREAM_CONNECTIONS: integer(32, 1, 1024),
  UPLOAD_MAX_BYTES: integer(10 * 1024 * 1024, 1024, 100 * 1024 * 1024),
  UPLOAD_DIR: optionalText,
  CUSTOMER_DIRECTORY_FILE: optionalText,
  IQM_BASE_URL: httpUrl,
  IQM_TOKEN: optionalText,
  IQM_OW_ID: optionalInteger,
  IQM_CURRENCY: currency('USD'),
  INTACT_BASE_URL: httpUrl,
  INTACT_TOKEN: optionalText,
  REFRENS_BASE_URL: httpUrl,
  REFRENS_TOKEN: optionalText,
  REFRENS_CURRENCY: currency('INR'),
  IQMETRIX_BASE_URL: httpUrl,
  IQMETRIX_TOKEN: optionalText,
  IQMETRIX_COMPANY_ID: optionalInteger,
  IQMETRIX_CURRENCY: currency('CAD'),
});

/** Reads and validates the configuration; throws one ConfigError naming every bad variable. */
export function loadConfig(environment: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const parsed = environmentSchema.safeParse(environment);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError([...new Set(problems)].sort());
  }
  const env = parsed.data;
  const problems: string[] = [];
  if (env.IQM_TOKEN && env.IQM_OW_ID === null) problems.push('IQM_OW_ID: required when IQM_TOKEN is set');
  if (env.IQM_OW_ID !== null && !env.IQM_TOKEN) problems.push('IQM_TOKEN: required when IQM_OW_ID is set');
  if (problems.length > 0) throw new ConfigError(problems);
  const production = env.NODE_ENV === 'production';
  return {
    port: env.PORT,
    host: env.HOST,
    production,
    logLevel: env.LOG_LEVEL ?? (env.NODE_ENV === 'test' ? 'silent' : 'info'),
    publicBaseUrl: env.PUBLIC_BASE_URL?.replace(/\/+$/, '') ?? null,
    upstreamTimeoutMs: env.UPSTREAM_TIMEOUT_MS,
    upstreamConnections: env.UPSTREAM_CONNECTIONS,
    uploadMaxBytes: env.UPLOAD_MAX_BYTES,
    uploadDir: env.UPLOAD_DIR,
    customerDirectoryFile: env.CUSTOMER_DIRECTORY_FILE,
    iqm: { baseUrl: env.IQM_BASE_URL, token: env.IQM_TOKEN, organizationWorkspaceId: env.IQM_OW_ID, currencyCode: env.IQM_CURRENCY },
    intact: { baseUrl: env.INTACT_BASE_URL, token: env.INTACT_TOKEN },
    refrens: { baseUrl: env.REFRENS_BASE_URL, token: env.REFRENS_TOKEN, currencyCode: env.REFRENS_CURRENCY },
    iqmetrix: {
      baseUrl: env.IQMETRIX_BASE_URL,
      token: env.IQMETRIX_TOKEN,
      companyId: env.IQMETRIX_COMPANY_ID,
      currencyCode: env.IQMETRIX_CURRENCY,
    },
  };
}
