import type { Redis } from 'ioredis';

/**
 * A Redis connection for the protection stores (rate limits, staged uploads) named by REDIS_URL.
 * Commands fail at once while the connection is down (no offline queue): a request is refused
 * rather than left waiting on Redis. Resolves once the server answers PING.
 */
export async function connectRedis(url: string, timeoutMs = 5_000): Promise<Redis> {
  // Loaded here, not at start-up: a gateway without REDIS_URL never needs the client (issue 16, memory).
  const { Redis: RedisClient } = await import('ioredis');
  const redis = new RedisClient(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
  });
  // ioredis reports connection problems as 'error' events; the failing command reports them to its caller.
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    const shown = new URL(url);
    if (shown.password) shown.password = '***';
    throw new Error(`REDIS_URL: cannot reach Redis at ${shown.toString()} (${error instanceof Error ? error.message : String(error)})`);
  }
  return redis;
}

/** Closes a connection made by connectRedis, politely when it is still up. */
export async function closeRedis(redis: Redis): Promise<void> {
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  }
}
