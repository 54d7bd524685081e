import { AsyncLocalStorage } from 'node:async_hooks';
import { ErrorsAreMissesCache, InMemoryLRUCache, type KeyValueCache, type KeyValueCacheSetOptions } from '@apollo/utils.keyvaluecache';
import type { RedisClientType } from '@keyv/redis';
import type { Logger } from 'pino';

/** Every Redis key of an APQ registration starts with this: `gateway:apq:<tenant id>:<sha256>`. */
export const APQ_REDIS_NAMESPACE = 'gateway:apq';

/** The request being served: whose registrations it may read and write, and the writes it started. */
interface RegistrationScope {
  readonly tenantId: string;
  readonly writes: Promise<unknown>[];
}

const scopes = new AsyncLocalStorage<RegistrationScope>();

/**
 * Runs `serve` (one /graphql request) with `tenantId` as the owner of the APQ registrations it reads
 * and writes. Apollo Server hands its persisted-query cache nothing but the key, so the tenant the
 * request was authenticated for travels this way, from the route handler to the cache.
 */
export function inRegistrationScope<T>(tenantId: string, serve: () => T): T {
  return scopes.run({ tenantId, writes: [] }, serve);
}

/**
 * Automatic persisted queries (APQ) that clients registered, kept per tenant: a hash one tenant
 * registered never resolves for another, so a tenant cannot probe which operations another runs.
 * In process memory (Apollo's default LRU, bounded at about 30 MiB) or, with REDIS_URL, in Redis
 * through Apollo's Keyv adapter (`@keyv/redis`), where every replica sees every registration.
 *
 * Contract:
 * - Outside a registration scope (no authenticated caller) nothing is found and nothing is kept.
 * - Redis failures are misses (logged): the client then resends the full text, which runs.
 * - `settled()` waits for the writes the current request started, so once its answer is out any
 *   replica resolves the hash (Apollo itself does not wait for the write).
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

  /** The document the current request's tenant registered under this SHA-256, if any. */
  async get(hash: string): Promise<string | undefined> {
    const scope = scopes.getStore();
    return scope ? this.cache.get(scopedKey(scope, hash)) : undefined;
  }

  /** Registers a document for the current request's tenant (nothing outside a scope). */
  async set(hash: string, document: string, options?: KeyValueCacheSetOptions): Promise<void> {
    const scope = scopes.getStore();
    if (!scope) return;
    const write = this.cache.set(scopedKey(scope, hash), document, options);
    scope.writes.push(write);
    await write;
  }

  async delete(hash: string): Promise<boolean | void> {
    const scope = scopes.getStore();
    return scope ? this.cache.delete(scopedKey(scope, hash)) : false;
  }

  /** Resolves once every registration the current request started is written (failures included). */
  static async settled(): Promise<void> {
    const scope = scopes.getStore();
    if (scope && scope.writes.length > 0) await Promise.allSettled(scope.writes);
  }
}

/** Tenant ids are lower-case letters, digits and dashes (auth/tenants.ts): the colon cannot be forged into one. */
function scopedKey(scope: RegistrationScope, hash: string): string {
  return `${scope.tenantId}:${hash}`;
}
