import { tmpdir } from 'node:os';
import type { RedisClientType } from '@keyv/redis';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { createAuditStore, type AuditStore } from './audit/index.js';
import { Authenticator, loadTenants, type Tenant, type TenantRegistry } from './auth/index.js';
import type { GatewayConfig } from './config.js';
import type { GatewayServices } from './context.js';
import { CustomerDirectoryError, type CustomerDirectory } from './directory/index.js';
import { FileLinks, fileLinkSecret } from './http/fileLinks.js';
import { BackgroundReconciler, createIdempotencyStore } from './idempotency/index.js';
import { createObservability } from './observability/index.js';
import { closeKeyvRedis, closeRedis, connectKeyvRedis, connectRedis, RateLimits } from './protection/index.js';
import { RegisteredQueries } from './trustedDocuments/index.js';
import { MemoryUploadIndex, RedisUploadIndex, UploadStore } from './uploads/index.js';
import { createLogger } from './observability/logger.js';
import { createUpstreamPools, type UpstreamEndpoints } from './upstreams/registry.js';
import { SharedCache } from './upstreams/sharedCache.js';

export interface ServiceOptions {
  readonly directory: CustomerDirectory;
  /** The embedded simulators' demo tenants (their credentials are lent to tenants that lack them). */
  readonly demoTenants?: readonly Tenant[];
  /** Tenants to serve instead of those the configuration names (tests). */
  readonly tenants?: TenantRegistry;
  /** The gateway's clock; tests fix it. */
  readonly now?: () => Date;
  readonly logger?: Logger;
  /** The audit trail to use instead of the one the configuration names (tests). */
  readonly audit?: AuditStore;
}

export interface RunningServices extends GatewayServices {
  /** Closes what the services hold open (upstream pools, stores, exporters), after the HTTP server. */
  close(): Promise<void>;
}

/** Builds everything that outlives a request, in one place for the process entry point and the tests. */
export async function createServices(config: GatewayConfig, endpoints: UpstreamEndpoints, options: ServiceOptions): Promise<RunningServices> {
  const tenants = options.tenants ?? loadTenants(config, endpoints.simulated, options.demoTenants ?? []);
  const tenantIds = tenants.tenants.map((tenant) => tenant.id);
  const problems = options.directory.tenantProblems(tenantIds);
  if (problems.length > 0) throw new CustomerDirectoryError(`customer directory is invalid:\n  - ${problems.join('\n  - ')}`);
  const directories = new Map(tenantIds.map((id) => [id, options.directory.forTenant(id, tenantIds.length === 1)]));
  const authenticator = await Authenticator.create(config.auth, tenants);
  const observability = await createObservability(config, options.logger ?? createLogger(config));
  // First, so a Redis that cannot be reached stops the start before any pool is opened.
  const idempotency = await createIdempotencyStore(config);
  let audit: AuditStore;
  try {
    audit = options.audit ?? (await createAuditStore(config, observability.logger));
  } catch (error) {
    await idempotency.close();
    throw error;
  }
  // Rate limits, staged uploads, the shared reference cache and the file-link secret share one
  // connection of their own when replicas share Redis; APQ registrations have theirs (Apollo's Keyv adapter).
  const redisUrl = config.idempotency.redisUrl;
  let redis: Redis | null = null;
  let keyvRedis: RedisClientType | null = null;
  let secret: string | null;
  let registeredQueries: RegisteredQueries;
  try {
    redis = redisUrl === null ? null : await connectRedis(redisUrl);
    keyvRedis = redisUrl === null ? null : await connectKeyvRedis(redisUrl);
    secret = await fileLinkSecret(config.fileLinks.secret, redis);
    registeredQueries = keyvRedis ? await RegisteredQueries.inRedis(keyvRedis, observability.logger) : RegisteredQueries.inMemory();
  } catch (error) {
    if (redis) await closeRedis(redis);
    if (keyvRedis) await closeKeyvRedis(keyvRedis);
    await audit.close();
    await idempotency.close();
    throw error;
  }
  const uploads = new UploadStore(
    {
      parentDirectory: config.uploadDir ?? tmpdir(),
      maxBytes: config.uploadMaxBytes,
      tenantQuotaBytes: config.uploadQuota.tenantBytes,
      totalQuotaBytes: config.uploadQuota.totalBytes,
      ttlMs: config.uploadQuota.ttlSeconds * 1000,
    },
    redis ? new RedisUploadIndex(redis) : new MemoryUploadIndex(),
  );
  // A quarter of the lifetime (at most a minute) between sweeps: an expired file is gone soon after.
  uploads.startSweeping(Math.min(60_000, (config.uploadQuota.ttlSeconds * 1000) / 4), (error) => observability.logger.warn({ err: error }, 'upload sweep failed'));
  const pools = createUpstreamPools(config, endpoints, observability.instrumentation);
  const reconciler = new BackgroundReconciler(config.idempotency.reconcileDelayMs, observability.logger);
  return {
    config,
    endpoints,
    pools,
    tenants,
    authenticator,
    fileLinks: new FileLinks(secret, config.fileLinks.ttlSeconds * 1000),
    directoryOf: (tenant) => directories.get(tenant.id)!,
    // Naive mode (benchmark only) shares nothing across requests.
    sharedCache: new SharedCache({
      enabled: config.executionMode !== 'naive',
      redis,
      onRedisError: (error, key) => observability.logger.warn({ err: error, cacheKey: key }, 'shared cache: Redis failed; served from upstream'),
    }),
    registeredQueries,
    observability,
    now: options.now ?? (() => new Date()),
    idempotency,
    reconciler,
    audit,
    rateLimits: new RateLimits(config.rateLimits, redis),
    uploads,
    async close() {
      // Reconciliations read upstreams and write the store: they end before either closes.
      await reconciler.close();
      await pools.close();
      await idempotency.close();
      await audit.close();
      await uploads.close();
      if (redis) await closeRedis(redis);
      if (keyvRedis) await closeKeyvRedis(keyvRedis);
      await observability.shutdown();
    },
  };
}
