import { ErrorsAreMissesCache, InMemoryLRUCache, type KeyValueCache, type KeyValueCacheSetOptions } from '@apollo/utils.keyvaluecache';
import type { RedisClientType } from '@keyv/redis';
import type { Logger } from 'pino';

/** Every Redis key of an APQ registration starts with this: `gateway:apq:<tenant id>:<sha256>`. */
export const APQ_REDIS_NAMESPACE = 'gateway:apq';

/**
 * Automatic persisted queries (APQ) that clients registered, kept per tenant: a hash one tenant
 * registered never resolves for another, so a tenant cannot probe which operations another runs.
 * In process memory (Apollo's default LRU, bounded at about 30 MiB) or, with REDIS_URL, in Redis
 * through Apollo's Keyv adapter (`@keyv/redis`), where every replica sees every registration.
 *
 * Contract:
 * - Every read and write names the tenant (the authenticated caller's, see useTrustedDocuments):
 *   keys are `<tenant id>:<sha256>`, so one tenant's hash never finds another's document.
 * - Redis failures are misses (logged): the client then resends the full text, which runs.
 */
export class RegisteredQueries {
  private constructor(
    private readonly cache: KeyValueCache<string>,
    /** Whether the registrations are shared by replicas (Redis). */
    readonly shared: boolean,
  ) {}

  /** Registrations in this process's memory. */
  static inMemory(): RegisteredQueries {
    return new RegisteredQueries(new InMemoryLRUCache<string>(), false);
  }

  /** Registrations in Redis over `client` (from connectKeyvRedis; closed by whoever connected it). */
  static async inRedis(client: RedisClientType, logger: Logger): Promise<RegisteredQueries> {
    // Loaded only when REDIS_URL is set, like the client itself.
    const [{ KeyvAdapter }, { default: KeyvRedis }, { Keyv }] = await Promise.all([import('@apollo/utils.keyvadapter'), import('@keyv/redis'), import('keyv')]);
    const store = new KeyvRedis<string>(client, { namespace: APQ_REDIS_NAMESPACE, keyPrefixSeparator: ':', throwOnConnectError: false, throwOnErrors: false });
    // The adapter prefixes keys itself (as @keyv/redis's createKeyv sets it up): Keyv must not add its own.
    const keyv = new Keyv<string>({ store, namespace: APQ_REDIS_NAMESPACE, useKeyPrefix: false });
    keyv.on('error', (error: unknown) => logger.warn({ err: error }, 'APQ registrations: Redis command failed; treated as not registered'));
    // The adapter is CommonJS and types Keyv from keyv's CommonJS declarations; this module has the
    // ESM ones of the same package and version: one class, two declarations TypeScript cannot unify.
    const adapter = new KeyvAdapter(keyv as unknown as ConstructorParameters<typeof KeyvAdapter<string>>[0]);
    return new RegisteredQueries(new ErrorsAreMissesCache(adapter, logger), true);
  }

  /** The document `tenantId` registered under this SHA-256, if any. */
  get(tenantId: string, hash: string): Promise<string | undefined> {
    return this.cache.get(scopedKey(tenantId, hash));
  }

  /** Registers a document for `tenantId`; resolves once it is written. */
  set(tenantId: string, hash: string, document: string, options?: KeyValueCacheSetOptions): Promise<void> {
    return this.cache.set(scopedKey(tenantId, hash), document, options);
  }
}

/** Tenant ids are lower-case letters, digits and dashes (auth/tenants.ts): the colon cannot be forged into one. */
function scopedKey(tenantId: string, hash: string): string {
  return `${tenantId}:${hash}`;
}
