import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ASYMMETRIC_ALGORITHMS, type IssuerConfig, type TokenPolicy } from './auth/tokens.js';

/**
 * Configuration, read once from the environment at start-up. Every variable is documented in the
 * README with its default. A bad value stops the process with one message naming every bad variable.
 */

export interface UpstreamConfig {
  /** Null: start the embedded simulator and talk to it. */
  readonly baseUrl: string | null;
}

/**
 * How callers are authenticated (README, "Authentication and authorization"):
 * - `tokens`: bearer JWTs of the configured issuers;
 * - `development`: the embedded default's own issuer (`npm run token`), nothing configured;
 * - `open`: no authentication at all, only when AUTH_DISABLED=true says so (logged loudly).
 */
export type AuthMode = 'tokens' | 'development' | 'open';

export interface AuthConfig {
  readonly mode: AuthMode;
  readonly issuers: readonly IssuerConfig[];
  readonly policy: TokenPolicy;
  /** Development mode only: a request without a token is the demo tenant's read-only anonymous caller. */
  readonly demoAnonymous: boolean;
  /** Open mode: the tenant every request is bound to (null: the only tenant there is). */
  readonly openTenant: string | null;
  /** Development mode: where the development issuer's key pair is kept (null: the default cache file). */
  readonly devKeyFile: string | null;
}

export interface GatewayConfig {
  readonly port: number;
  /** HOST, or loopback while any upstream is simulated (the gateway then holds demo credentials), else every interface. */
  readonly host: string;
  /**
   * Port of the admin listener (/metrics and the detailed /readyz), on the same host; null: those
   * routes stay on the public port. Set, the public port serves only GraphQL, files and health.
   */
  readonly adminPort: number | null;
  readonly production: boolean;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** `auto`: pretty lines on a terminal outside production, JSON lines otherwise. */
  readonly logFormat: 'auto' | 'json' | 'pretty';
  /** Trusted documents (an operation safelist): manifests the client builds emit, see README. */
  readonly trustedDocuments: {
    /** `enforce`: only operations in a manifest run; `open`: their ids resolve and anything else runs too. */
    readonly mode: 'open' | 'enforce';
    /** Manifest files (`{ "<sha256>": "<document>" }`), read at start-up. */
    readonly files: readonly string[];
    /** Redis hash (field: sha256, value: document) read on demand when REDIS_URL is set; null without Redis. */
    readonly redisKey: string | null;
  };
  /** How long an automatic persisted query a client registered is kept (per tenant; in Redis when REDIS_URL is set). */
  readonly apqTtlSeconds: number;
  /**
   * Absolute base URL clients use to reach the gateway (file links); required in production. When
   * null, links are built from `X-Forwarded-Host` of a request that came through a trusted proxy,
   * else they are relative (`/files/…`): never from the request's own `Host`.
   */
  readonly publicBaseUrl: string | null;
  /** Addresses and CIDR ranges of the reverse proxies whose `X-Forwarded-Host`/`-Proto` are believed. */
  readonly trustedProxies: readonly string[];
  /**
   * Timeouts of a client connection (README, "Limits"): the whole request head, a body that stops
   * moving, the whole request (head and body), and an idle keep-alive connection.
   */
  readonly clientTimeouts: {
    readonly headersMs: number;
    readonly idleMs: number;
    readonly requestMs: number;
    readonly keepAliveMs: number;
  };
  /**
   * Per-tenant and per-subject rate limits over a fixed window (README, "Limits"), shared through
   * REDIS_URL when set. 0 switches a limit off.
   */
  readonly rateLimits: {
    readonly windowSeconds: number;
    readonly tenantRequests: number;
    readonly subjectRequests: number;
    readonly tenantUpstreamCalls: number;
    readonly subjectUpstreamCalls: number;
  };
  /** True when production was explicitly asked to serve the embedded simulators (UPSTREAM_SIMULATORS). */
  readonly simulatorsRequested: boolean;
  /** Budget for one GraphQL operation; every upstream timeout stays below it. */
  readonly requestTimeoutMs: number;
  readonly upstreamTimeoutMs: number;
  readonly upstreamConnections: number;
  /** Retries of reads, circuit breaker and bulkhead, per upstream (see README, "Reliability"). */
  readonly resilience: {
    /** Attempts of one GET in all (1 = no retry). Writes are never retried. */
    readonly retryAttempts: number;
    /** First backoff step; later steps double, each with full jitter. */
    readonly retryBaseDelayMs: number;
    /** Consecutive failures that open an upstream's breaker. */
    readonly breakerFailureThreshold: number;
    /** How long an open breaker fails fast before one probe call is let through. */
    readonly breakerCooldownMs: number;
    /** Calls in flight to one upstream at most (bulkhead); more wait in a queue. */
    readonly maxInFlight: number;
    /** Calls waiting for a slot at most; beyond that a call fails fast. */
    readonly maxQueued: number;
    /** The share of maxInFlight (and of maxQueued) one tenant may hold at once, in percent. */
    readonly tenantSharePercent: number;
  };
  /** Where idempotency keys of money-moving mutations are kept. */
  readonly idempotency: {
    /** Null: in process memory (one replica). */
    readonly redisUrl: string | null;
    readonly ttlSeconds: number;
    /** Live keys the in-memory store holds at most; a claim beyond is refused (IDEMPOTENCY_STORE_FULL). */
    readonly memoryMaxKeys: number;
    /** Production without REDIS_URL was explicitly accepted: one replica, keys lost on restart. */
    readonly volatileKeysAccepted: boolean;
    /**
     * How long after an ambiguous outcome the background reconciliation looks for the write, and the
     * least age of an attempt before missing evidence counts as "not applied" (a late write may still land).
     */
    readonly reconcileDelayMs: number;
  };
  /** Where the audit trail of mutations is kept (README, "Audit trail"). */
  readonly audit: {
    /** PostgreSQL shared by replicas; null: the embedded PGlite in `dataDir`. */
    readonly databaseUrl: string | null;
    /** PGlite's data directory (`memory://`: in memory, lost on exit); unused with a databaseUrl. */
    readonly dataDir: string;
  };
  /** Limits on what one request may ask for (see README, "Limits"). */
  readonly limits: {
    readonly bodyLimitBytes: number;
    readonly maxDepth: number;
    readonly maxAliases: number;
    readonly maxDirectives: number;
    readonly maxTokens: number;
    readonly maxCost: number;
    readonly maxPageSize: number;
    /** Upstream calls one operation may be estimated to cause at most (cost model, README "Limits"). */
    readonly maxUpstreamCalls: number;
    /** Ids one `nodes(ids:)` takes at most. */
    readonly maxNodeIds: number;
    /** Representations one `_entities` (a router's entity fetch) takes at most. */
    readonly maxEntityRepresentations: number;
  };
  /** Schema introspection; off by default in production. */
  readonly introspection: boolean;
  /** Origins allowed by CORS. */
  readonly corsOrigins: readonly string[];
  /** GraphOS usage and schema reporting; both null: nothing is sent anywhere. */
  readonly apollo: { readonly key: string | null; readonly graphRef: string | null };
  /** OpenTelemetry traces over OTLP/HTTP; null: no exporter. */
  readonly otel: { readonly endpoint: string | null; readonly serviceName: string };
  /** In-flight operations get this long to finish after SIGTERM/SIGINT. */
  readonly shutdownGraceMs: number;
  /**
   * `naive` switches off DataLoader batching and every cache: what a hand-written resolver per
   * field would do. Exists for the benchmark's comparison only.
   */
  readonly executionMode: 'batched' | 'naive';
  readonly uploadMaxBytes: number;
  readonly uploadDir: string | null;
  /** Staged upload bytes (README, "Uploads"): per tenant, in all, and how long an unused upload is kept. */
  readonly uploadQuota: { readonly tenantBytes: number; readonly totalBytes: number; readonly ttlSeconds: number };
  /** Signed file links: the HMAC secret shared by replicas (null: a random one per process) and their lifetime. */
  readonly fileLinks: { readonly secret: string | null; readonly ttlSeconds: number };
  readonly customerDirectoryFile: string | null;
  readonly auth: AuthConfig;
  /** Tenants and their upstream credentials (JSON or YAML); null: one tenant from the *_TOKEN variables. */
  readonly tenantsFile: string | null;
  /** The id of the single tenant the *_TOKEN variables describe when there is no TENANTS_FILE. */
  readonly tenantId: string;
  readonly iqm: UpstreamConfig & {
    /** The single tenant's IQM credentials (without TENANTS_FILE); callers' own IQM tokens are never forwarded. */
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
    // One problem is one line (what a failed start-up prints); several are a list, one per line.
    super(problems.length === 1 ? `Invalid configuration: ${problems[0]}` : `Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

/** `10.0.0.1`, `::1` or a CIDR range such as `10.0.0.0/8`. */
function isAddressOrRange(entry: string): boolean {
  const [address, prefix, ...rest] = entry.split('/');
  if (rest.length > 0 || address === undefined || isIP(address) === 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (isIP(address) === 4 ? 32 : 128);
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

const flag = z
  .string()
  .trim()
  .toLowerCase()
  .optional()
  .refine((value) => value === undefined || value === '' || ['true', 'false', '1', '0'].includes(value), 'must be true or false')
  .transform((value) => (value === undefined || value === '' ? null : value === 'true' || value === '1'));
const originList = z
  .string()
  .optional()
  .transform((value) => (value === undefined ? null : value.split(',').map((origin) => origin.trim()).filter(Boolean)))
  .refine((origins) => origins === null || origins.every((origin) => origin === '*' || /^https?:\/\/[^\s/]+$/.test(origin)), 'must be a comma-separated list of origins such as https://app.example.com');

/** Outside production, Apollo Studio's Explorer and local front ends may call the gateway from a browser. */
const DEVELOPMENT_CORS_ORIGINS = ['https://studio.apollographql.com', 'http://localhost:3000', 'http://localhost:5173'];

const environmentSchema = z.object({
  PORT: integer(4000, 0, 65535),
  HOST: optionalText,
  ADMIN_PORT: optionalInteger.refine((value) => value === null || value <= 65535, 'must be a port number (0-65535)'),
  NODE_ENV: z.enum(['development', 'production', 'test']).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).optional(),
  TRUSTED_DOCUMENTS_MODE: z.enum(['open', 'enforce']).optional(),
  TRUSTED_DOCUMENTS_FILES: z
    .string()
    .optional()
    .transform((value) => (value ?? '').split(',').map((file) => file.trim()).filter(Boolean)),
  TRUSTED_DOCUMENTS_REDIS_KEY: optionalText,
  APQ_TTL_SECONDS: integer(86_400, 60, 30 * 86_400),
  PUBLIC_BASE_URL: httpUrl,
  TRUSTED_PROXIES: z
    .string()
    .optional()
    .transform((value) => (value ? value.split(',').map((entry) => entry.trim()).filter(Boolean) : []))
    .refine((entries) => entries.every(isAddressOrRange), 'must be a comma-separated list of IP addresses or CIDR ranges such as 10.0.0.0/8'),
  CLIENT_HEADERS_TIMEOUT_MS: integer(10_000, 100, 120_000),
  CLIENT_IDLE_TIMEOUT_MS: integer(40_000, 100, 900_000),
  CLIENT_REQUEST_TIMEOUT_MS: integer(30_000, 100, 600_000),
  CLIENT_KEEP_ALIVE_TIMEOUT_MS: integer(5_000, 100, 600_000),
  RATE_LIMIT_WINDOW_SECONDS: integer(60, 1, 3_600),
  RATE_LIMIT_TENANT_REQUESTS: integer(6_000, 0, 10_000_000),
  RATE_LIMIT_SUBJECT_REQUESTS: integer(1_200, 0, 10_000_000),
  RATE_LIMIT_TENANT_UPSTREAM_CALLS: integer(60_000, 0, 100_000_000),
  RATE_LIMIT_SUBJECT_UPSTREAM_CALLS: integer(12_000, 0, 100_000_000),
  UPSTREAM_SIMULATORS: flag,
  REQUEST_TIMEOUT_MS: integer(30_000, 1_000, 300_000),
  UPSTREAM_TIMEOUT_MS: integer(10_000, 100, 120_000),
  // 64, so one tenant's share (UPSTREAM_TENANT_SHARE_PERCENT of min(this, UPSTREAM_MAX_IN_FLIGHT))
  // holds 32 calls at once: the 20 iQmetrix D2 reads of a unified customer go out in one wave.
  UPSTREAM_CONNECTIONS: integer(64, 1, 1024),
  UPSTREAM_RETRY_ATTEMPTS: integer(3, 1, 3),
  UPSTREAM_RETRY_BASE_DELAY_MS: integer(100, 1, 10_000),
  UPSTREAM_BREAKER_FAILURES: integer(5, 1, 1_000),
  UPSTREAM_BREAKER_COOLDOWN_MS: integer(10_000, 10, 600_000),
  UPSTREAM_MAX_IN_FLIGHT: integer(64, 1, 10_000),
  UPSTREAM_MAX_QUEUED: integer(256, 0, 100_000),
  UPSTREAM_TENANT_SHARE_PERCENT: integer(50, 1, 100),
  REDIS_URL: z
    .string()
    .trim()
    .optional()
    .transform((value) => (value ? value : null))
    .refine((value) => value === null || (/^rediss?:\/\/[^\s]+$/.test(value) && URL.canParse(value)), 'must be a redis:// or rediss:// URL'),
  IDEMPOTENCY_TTL_HOURS: integer(24, 24, 24 * 30),
  IDEMPOTENCY_MEMORY_MAX_KEYS: integer(100_000, 1, 10_000_000),
  IDEMPOTENCY_ACCEPT_VOLATILE_KEYS: flag,
  IDEMPOTENCY_RECONCILE_DELAY_MS: integer(5_000, 0, 600_000),
  DATABASE_URL: z
    .string()
    .trim()
    .optional()
    .transform((value) => (value ? value : null))
    .refine((value) => value === null || (/^postgres(ql)?:\/\/[^\s]+$/.test(value) && URL.canParse(value)), 'must be a postgres:// or postgresql:// URL'),
  AUDIT_DATA_DIR: z.string().trim().optional().transform((value) => value || 'data/audit'),
  BODY_LIMIT_BYTES: integer(256 * 1024, 1024, 10 * 1024 * 1024),
  MAX_QUERY_DEPTH: integer(12, 2, 100),
  MAX_ALIASES: integer(30, 0, 1_000),
  MAX_DIRECTIVES: integer(20, 0, 1_000),
  MAX_TOKENS: integer(2_000, 50, 100_000),
  MAX_QUERY_COST: integer(5_000, 10, 1_000_000),
  MAX_PAGE_SIZE: integer(100, 1, 1_000),
  // With the default bulkhead a tenant can have 16 calls in flight and 128 waiting per upstream: an
  // operation the estimate admits never has its own calls shed by its tenant's share.
  MAX_UPSTREAM_CALLS: integer(500, 1, 100_000),
  MAX_NODE_IDS: integer(50, 1, 1_000),
  // A router sends one _entities per fetch with every representation of the parent list: twice the
  // largest page, so a full page of two entity types fits.
  MAX_ENTITY_REPRESENTATIONS: integer(200, 1, 10_000),
  INTROSPECTION: flag,
  CORS_ORIGINS: originList,
  APOLLO_KEY: optionalText,
  APOLLO_GRAPH_REF: optionalText,
  OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl,
  OTEL_SERVICE_NAME: optionalText,
  SHUTDOWN_GRACE_MS: integer(10_000, 0, 600_000),
  GATEWAY_EXECUTION_MODE: z.enum(['batched', 'naive']).optional(),
  UPLOAD_MAX_BYTES: integer(10 * 1024 * 1024, 1024, 100 * 1024 * 1024),
  UPLOAD_DIR: optionalText,
  UPLOAD_TENANT_QUOTA_BYTES: integer(100 * 1024 * 1024, 1024, 100 * 1024 * 1024 * 1024),
  UPLOAD_TOTAL_QUOTA_BYTES: integer(1024 * 1024 * 1024, 1024, 1024 * 1024 * 1024 * 1024),
  UPLOAD_TTL_SECONDS: integer(3_600, 1, 7 * 86_400),
  FILE_LINK_SECRET: optionalText.refine((value) => value === null || value.length >= 32, 'must be at least 32 characters'),
  FILE_LINK_TTL_SECONDS: integer(300, 10, 86_400),
  CUSTOMER_DIRECTORY_FILE: optionalText,
  AUTH_ISSUER: optionalText,
  AUTH_AUDIENCE: optionalText,
  AUTH_JWKS_URL: httpUrl,
  AUTH_PUBLIC_KEY_FILE: optionalText,
  AUTH_ISSUERS_FILE: optionalText,
  AUTH_ALGORITHMS: z
    .string()
    .optional()
    .transform((value) => (value?.trim() ? value.split(',').map((name) => name.trim()).filter(Boolean) : [...ASYMMETRIC_ALGORITHMS]))
    .refine(
      (names) => names.every((name) => (ASYMMETRIC_ALGORITHMS as readonly string[]).includes(name)),
      `must list asymmetric JWS algorithms only (${ASYMMETRIC_ALGORITHMS.join(', ')}); none and HMAC are refused`,
    ),
  AUTH_CLOCK_SKEW_SECONDS: integer(30, 0, 300),
  AUTH_TENANT_CLAIM: z.string().trim().optional().transform((value) => value || 'tenant'),
  AUTH_JWKS_COOLDOWN_MS: integer(30_000, 0, 3_600_000),
  AUTH_JWKS_CACHE_MAX_AGE_MS: integer(600_000, 1_000, 86_400_000),
  AUTH_DISABLED: flag,
  AUTH_DISABLED_TENANT: optionalText,
  AUTH_DEMO_ANONYMOUS: flag,
  DEV_ISSUER_KEY_FILE: optionalText,
  TENANTS_FILE: optionalText,
  TENANT_ID: z
    .string()
    .trim()
    .optional()
    .transform((value) => value || 'default')
    .refine((value) => /^[a-z0-9][a-z0-9-]{0,63}$/.test(value), 'must be lower-case letters, digits and dashes'),
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
  if (env.UPSTREAM_TIMEOUT_MS >= env.REQUEST_TIMEOUT_MS) problems.push('UPSTREAM_TIMEOUT_MS: must be below REQUEST_TIMEOUT_MS');
  if (env.APOLLO_GRAPH_REF && !env.APOLLO_KEY) problems.push('APOLLO_KEY: required when APOLLO_GRAPH_REF is set');
  if (env.APOLLO_KEY && !env.APOLLO_GRAPH_REF) problems.push('APOLLO_GRAPH_REF: required when APOLLO_KEY is set');
  if (env.ADMIN_PORT !== null && env.ADMIN_PORT !== 0 && env.ADMIN_PORT === env.PORT) problems.push('ADMIN_PORT: must differ from PORT');
  if (env.TRUSTED_DOCUMENTS_MODE === 'enforce' && env.TRUSTED_DOCUMENTS_FILES.length === 0 && !env.REDIS_URL) {
    problems.push('TRUSTED_DOCUMENTS_MODE: enforce needs TRUSTED_DOCUMENTS_FILES or REDIS_URL (it would refuse every operation)');
  }
  if (env.TRUSTED_DOCUMENTS_REDIS_KEY && !env.REDIS_URL) problems.push('TRUSTED_DOCUMENTS_REDIS_KEY: needs REDIS_URL');
  // A socket is idle while its operation runs (no byte moves until the answer): it must outlast the operation's budget.
  if (env.CLIENT_IDLE_TIMEOUT_MS <= env.REQUEST_TIMEOUT_MS) problems.push('CLIENT_IDLE_TIMEOUT_MS: must be above REQUEST_TIMEOUT_MS');
  if (env.CLIENT_HEADERS_TIMEOUT_MS > env.CLIENT_REQUEST_TIMEOUT_MS) problems.push('CLIENT_HEADERS_TIMEOUT_MS: must not be above CLIENT_REQUEST_TIMEOUT_MS');
  if (env.UPLOAD_TENANT_QUOTA_BYTES > env.UPLOAD_TOTAL_QUOTA_BYTES) problems.push('UPLOAD_TENANT_QUOTA_BYTES: must not be above UPLOAD_TOTAL_QUOTA_BYTES');
  const production = env.NODE_ENV === 'production';
  if (production) {
    // A missing or misspelled upstream URL would otherwise start a simulator and serve invented
    // finance data as if it were real: production names every URL, or asks for the simulators.
    if (!env.UPSTREAM_SIMULATORS) {
      for (const [name, url] of [['IQM_BASE_URL', env.IQM_BASE_URL], ['INTACT_BASE_URL', env.INTACT_BASE_URL], ['REFRENS_BASE_URL', env.REFRENS_BASE_URL], ['IQMETRIX_BASE_URL', env.IQMETRIX_BASE_URL]] as const) {
        if (url === null) problems.push(`${name}: required with NODE_ENV=production (or set UPSTREAM_SIMULATORS=true to serve the embedded simulators' invented data)`);
      }
    }
    if (env.PUBLIC_BASE_URL === null) problems.push('PUBLIC_BASE_URL: required with NODE_ENV=production (absolute links are never built from a request\'s Host)');
  }
  const issuers = issuersFrom(env, problems);
  const realUpstreams = [env.IQM_BASE_URL, env.INTACT_BASE_URL, env.REFRENS_BASE_URL, env.IQMETRIX_BASE_URL].some((url) => url !== null);
  let authMode: AuthMode = 'development';
  if (issuers.length > 0) authMode = 'tokens';
  else if (env.AUTH_DISABLED) authMode = 'open';
  else if (production || realUpstreams) {
    problems.push(
      `AUTH_ISSUER: required ${production ? 'with NODE_ENV=production' : 'when an upstream URL (*_BASE_URL) is set'}: configure an issuer (AUTH_ISSUER, AUTH_AUDIENCE and AUTH_JWKS_URL or AUTH_PUBLIC_KEY_FILE, or AUTH_ISSUERS_FILE), or set AUTH_DISABLED=true to run without authentication`,
    );
  }
  if (production && env.REDIS_URL === null && env.IDEMPOTENCY_ACCEPT_VOLATILE_KEYS !== true) {
    problems.push(
      'REDIS_URL: required with NODE_ENV=production: idempotency keys in memory die with the process and are not shared by replicas (a retry after a restart pays again); set REDIS_URL, or IDEMPOTENCY_ACCEPT_VOLATILE_KEYS=true to run one replica with volatile keys',
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const anySimulated = [env.IQM_BASE_URL, env.INTACT_BASE_URL, env.REFRENS_BASE_URL, env.IQMETRIX_BASE_URL].some((url) => url === null);
  return {
    port: env.PORT,
    host: env.HOST ?? (anySimulated ? '127.0.0.1' : '0.0.0.0'),
    adminPort: env.ADMIN_PORT,
    production,
    logLevel: env.LOG_LEVEL ?? (env.NODE_ENV === 'test' ? 'silent' : 'info'),
    logFormat: env.LOG_FORMAT ?? 'auto',
    trustedDocuments: {
      mode: env.TRUSTED_DOCUMENTS_MODE ?? 'open',
      files: env.TRUSTED_DOCUMENTS_FILES,
      redisKey: env.REDIS_URL ? (env.TRUSTED_DOCUMENTS_REDIS_KEY ?? 'gateway:trusted-documents') : null,
    },
    apqTtlSeconds: env.APQ_TTL_SECONDS,
    publicBaseUrl: env.PUBLIC_BASE_URL?.replace(/\/+$/, '') ?? null,
    trustedProxies: env.TRUSTED_PROXIES,
    clientTimeouts: {
      headersMs: env.CLIENT_HEADERS_TIMEOUT_MS,
      idleMs: env.CLIENT_IDLE_TIMEOUT_MS,
      requestMs: env.CLIENT_REQUEST_TIMEOUT_MS,
      keepAliveMs: env.CLIENT_KEEP_ALIVE_TIMEOUT_MS,
    },
    rateLimits: {
      windowSeconds: env.RATE_LIMIT_WINDOW_SECONDS,
      tenantRequests: env.RATE_LIMIT_TENANT_REQUESTS,
      subjectRequests: env.RATE_LIMIT_SUBJECT_REQUESTS,
      tenantUpstreamCalls: env.RATE_LIMIT_TENANT_UPSTREAM_CALLS,
      subjectUpstreamCalls: env.RATE_LIMIT_SUBJECT_UPSTREAM_CALLS,
    },
    simulatorsRequested: env.UPSTREAM_SIMULATORS ?? false,
    requestTimeoutMs: env.REQUEST_TIMEOUT_MS,
    upstreamTimeoutMs: env.UPSTREAM_TIMEOUT_MS,
    upstreamConnections: env.UPSTREAM_CONNECTIONS,
    resilience: {
      retryAttempts: env.UPSTREAM_RETRY_ATTEMPTS,
      retryBaseDelayMs: env.UPSTREAM_RETRY_BASE_DELAY_MS,
      breakerFailureThreshold: env.UPSTREAM_BREAKER_FAILURES,
      breakerCooldownMs: env.UPSTREAM_BREAKER_COOLDOWN_MS,
      maxInFlight: env.UPSTREAM_MAX_IN_FLIGHT,
      maxQueued: env.UPSTREAM_MAX_QUEUED,
      tenantSharePercent: env.UPSTREAM_TENANT_SHARE_PERCENT,
    },
    idempotency: {
      redisUrl: env.REDIS_URL,
      ttlSeconds: env.IDEMPOTENCY_TTL_HOURS * 3600,
      memoryMaxKeys: env.IDEMPOTENCY_MEMORY_MAX_KEYS,
      volatileKeysAccepted: env.IDEMPOTENCY_ACCEPT_VOLATILE_KEYS === true,
      reconcileDelayMs: env.IDEMPOTENCY_RECONCILE_DELAY_MS,
    },
    audit: { databaseUrl: env.DATABASE_URL, dataDir: env.AUDIT_DATA_DIR },
    limits: {
      bodyLimitBytes: env.BODY_LIMIT_BYTES,
      maxDepth: env.MAX_QUERY_DEPTH,
      maxAliases: env.MAX_ALIASES,
      maxDirectives: env.MAX_DIRECTIVES,
      maxTokens: env.MAX_TOKENS,
      maxCost: env.MAX_QUERY_COST,
      maxPageSize: env.MAX_PAGE_SIZE,
      maxUpstreamCalls: env.MAX_UPSTREAM_CALLS,
      maxNodeIds: env.MAX_NODE_IDS,
      maxEntityRepresentations: env.MAX_ENTITY_REPRESENTATIONS,
    },
    introspection: env.INTROSPECTION ?? !production,
    corsOrigins: env.CORS_ORIGINS ?? (production ? [] : DEVELOPMENT_CORS_ORIGINS),
    apollo: { key: env.APOLLO_KEY, graphRef: env.APOLLO_GRAPH_REF },
    otel: { endpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: env.OTEL_SERVICE_NAME ?? 'finance-graphql-gateway' },
    shutdownGraceMs: env.SHUTDOWN_GRACE_MS,
    executionMode: env.GATEWAY_EXECUTION_MODE ?? 'batched',
    uploadMaxBytes: env.UPLOAD_MAX_BYTES,
    uploadDir: env.UPLOAD_DIR,
    uploadQuota: { tenantBytes: env.UPLOAD_TENANT_QUOTA_BYTES, totalBytes: env.UPLOAD_TOTAL_QUOTA_BYTES, ttlSeconds: env.UPLOAD_TTL_SECONDS },
    fileLinks: { secret: env.FILE_LINK_SECRET, ttlSeconds: env.FILE_LINK_TTL_SECONDS },
    customerDirectoryFile: env.CUSTOMER_DIRECTORY_FILE,
    auth: {
      mode: authMode,
      issuers,
      policy: {
        algorithms: env.AUTH_ALGORITHMS,
        clockSkewSeconds: env.AUTH_CLOCK_SKEW_SECONDS,
        tenantClaim: env.AUTH_TENANT_CLAIM,
        jwksCooldownMs: env.AUTH_JWKS_COOLDOWN_MS,
        jwksCacheMaxAgeMs: env.AUTH_JWKS_CACHE_MAX_AGE_MS,
      },
      demoAnonymous: authMode === 'development' && (env.AUTH_DEMO_ANONYMOUS ?? true),
      openTenant: env.AUTH_DISABLED_TENANT,
      devKeyFile: env.DEV_ISSUER_KEY_FILE,
    },
    tenantsFile: env.TENANTS_FILE,
    tenantId: env.TENANT_ID,
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

const issuerEntrySchema = z
  .object({
    issuer: z.string().min(1),
    audience: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
    jwksUrl: z.string().url().optional(),
    publicKeyFile: z.string().min(1).optional(),
  })
  .strict()
  .refine((entry) => (entry.jwksUrl === undefined) !== (entry.publicKeyFile === undefined), 'needs exactly one of jwksUrl and publicKeyFile');
const issuersFileSchema = z.object({ issuers: z.array(issuerEntrySchema).min(1) }).strict();

/** The trusted issuers: AUTH_ISSUERS_FILE (several), or the AUTH_ISSUER variables (one). */
function issuersFrom(env: z.infer<typeof environmentSchema>, problems: string[]): IssuerConfig[] {
  const issuers: IssuerConfig[] = [];
  if (env.AUTH_ISSUERS_FILE) {
    try {
      const text = readFileSync(env.AUTH_ISSUERS_FILE, 'utf8');
      const raw: unknown = extname(env.AUTH_ISSUERS_FILE).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
      const parsed = issuersFileSchema.safeParse(raw);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) problems.push(`AUTH_ISSUERS_FILE: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
      } else {
        for (const entry of parsed.data.issuers) {
          issuers.push({
            issuer: entry.issuer,
            audiences: typeof entry.audience === 'string' ? [entry.audience] : entry.audience,
            jwksUrl: entry.jwksUrl ?? null,
            publicKeyFile: entry.publicKeyFile ?? null,
          });
        }
      }
    } catch (error) {
      problems.push(`AUTH_ISSUERS_FILE: cannot read ${env.AUTH_ISSUERS_FILE}: ${(error as Error).message}`);
    }
  }
  const single = [env.AUTH_ISSUER, env.AUTH_AUDIENCE, env.AUTH_JWKS_URL ?? env.AUTH_PUBLIC_KEY_FILE];
  if (single.some((value) => value !== null)) {
    if (!env.AUTH_ISSUER) problems.push('AUTH_ISSUER: required with AUTH_AUDIENCE, AUTH_JWKS_URL or AUTH_PUBLIC_KEY_FILE');
    if (!env.AUTH_AUDIENCE) problems.push('AUTH_AUDIENCE: required with AUTH_ISSUER');
    if ((env.AUTH_JWKS_URL === null) === (env.AUTH_PUBLIC_KEY_FILE === null)) problems.push('AUTH_JWKS_URL: give exactly one of AUTH_JWKS_URL and AUTH_PUBLIC_KEY_FILE');
    if (env.AUTH_ISSUER && env.AUTH_AUDIENCE) {
      issuers.push({
        issuer: env.AUTH_ISSUER,
        audiences: env.AUTH_AUDIENCE.split(',').map((value) => value.trim()).filter(Boolean),
        jwksUrl: env.AUTH_JWKS_URL,
        publicKeyFile: env.AUTH_PUBLIC_KEY_FILE,
      });
    }
  }
  if (new Set(issuers.map((issuer) => issuer.issuer)).size !== issuers.length) problems.push('AUTH_ISSUERS_FILE: an issuer appears twice');
  return issuers;
}
