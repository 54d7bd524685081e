import type { Redis } from 'ioredis';

/** Every Redis key of the shared cache starts with this, followed by the entry's key (which starts with the tenant id). */
export const SHARED_CACHE_REDIS_PREFIX = 'gateway:shared-cache:';

export interface SharedCacheOptions {
  /** When false every lookup loads (benchmark naive mode): nothing is kept across requests. */
  readonly enabled?: boolean;
  /** Redis shared by replicas (REDIS_URL): a value one replica loaded serves the others until it expires. */
  readonly redis?: Redis | null;
  /** Told about every Redis failure; the lookup itself then loads from upstream. */
  readonly onRedisError?: (error: unknown, key: string) => void;
  readonly now?: () => number;
}

/**
 * How a cached value crosses Redis: JSON out, and on the way back the check that it still has the
 * shape the caller expects (null when it does not: a stale layout after an upgrade, or a foreign
 * write). The value must be plain JSON data (no undefined, no Date), so it comes back equal.
 */
export interface SharedValueCodec<T> {
  parse(value: unknown): T | null;
}

/**
 * A process-wide cache for upstream data that is the same for every caller of one tenant (IQM's
 * reference lists, read with the tenant's credentials). Keys start with the tenant id, so no tenant
 * is served what another tenant's credentials read. Concurrent misses for one key share one load.
 *
 * With Redis, a miss in this process looks in Redis before loading, and a value loaded from upstream
 * is written there (with the TTL) before it is served, so replicas behind a load balancer load each
 * list once between them; a value read from Redis lives here only as long as it has left there.
 * Redis is an optimisation, never a dependency: a failed or garbled read loads from upstream, a
 * failed write still serves the loaded value. Two replicas missing at the same moment may both load.
 */
export class SharedCache {
  private readonly entries = new Map<string, { expiresAt: number; value: Promise<unknown> }>();
  private readonly enabled: boolean;
  private readonly redis: Redis | null;
  private readonly onRedisError: (error: unknown, key: string) => void;
  private readonly now: () => number;
  /** Lookups served without an upstream call (from this process or from Redis). */
  hits = 0;
  /** Lookups that loaded from upstream. */
  misses = 0;

  constructor(options: SharedCacheOptions = {}) {
    this.enabled = options.enabled ?? true;
    this.redis = options.redis ?? null;
    this.onRedisError = options.onRedisError ?? (() => undefined);
    this.now = options.now ?? Date.now;
  }

  /** Whether values are shared by replicas (Redis). */
  get shared(): boolean {
    return this.redis !== null;
  }

  getOrLoad<T>(key: string, ttlMs: number, load: () => Promise<T>, codec: SharedValueCodec<T>): Promise<T> {
    if (!this.enabled) {
      this.misses += 1;
      return load();
    }
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt > this.now()) {
      this.hits += 1;
      return entry.value as Promise<T>;
    }
    const slot = { expiresAt: this.now() + ttlMs, value: Promise.resolve<unknown>(undefined) };
    const value = this.sharedOrLoad(key, ttlMs, load, codec, (expiresAt) => (slot.expiresAt = expiresAt));
    slot.value = value;
    this.entries.set(key, slot);
    // A failed load is not cached: the next caller tries again.
    value.catch(() => {
      if (this.entries.get(key) === slot) this.entries.delete(key);
    });
    return value;
  }

  clear(): void {
    this.entries.clear();
  }

  private async sharedOrLoad<T>(key: string, ttlMs: number, load: () => Promise<T>, codec: SharedValueCodec<T>, expireAt: (at: number) => void): Promise<T> {
    const redis = this.redis;
    if (redis) {
      const found = await this.readShared(redis, key, codec);
      if (found) {
        this.hits += 1;
        expireAt(this.now() + found.ttlMs);
        return found.value;
      }
    }
    this.misses += 1;
    const value = await load();
    if (redis) {
      // Written before the value is served, so the next request, on whichever replica, finds it.
      await redis.set(SHARED_CACHE_REDIS_PREFIX + key, JSON.stringify(value), 'PX', ttlMs).catch((error: unknown) => this.onRedisError(error, key));
    }
    return value;
  }

  private async readShared<T>(redis: Redis, key: string, codec: SharedValueCodec<T>): Promise<{ value: T; ttlMs: number } | null> {
    const redisKey = SHARED_CACHE_REDIS_PREFIX + key;
    try {
      const [[textError, text] = [null, null], [ttlError, ttl] = [null, null]] = (await redis.multi().get(redisKey).pttl(redisKey).exec()) ?? [];
      if (textError) throw textError;
      if (ttlError) throw ttlError;
      // No entry, or one without an expiry (never written by this cache): load and write a fresh one.
      if (typeof text !== 'string' || typeof ttl !== 'number' || ttl <= 0) return null;
      const value = codec.parse(JSON.parse(text));
      if (value === null) {
        this.onRedisError(new Error('the shared entry does not have the expected shape; loading from upstream'), key);
        return null;
      }
      return { value, ttlMs: ttl };
    } catch (error) {
      this.onRedisError(error, key);
      return null;
    }
  }
}
