import type { RedisClientType } from '@keyv/redis';
import type { Redis } from 'ioredis';

/**
 * A Redis connection for the protection stores (rate limits, staged uploads, the shared reference
 * cache, the file-link secret) named by REDIS_URL. Commands fail at once while the connection is
 * down (no offline queue): a request is refused or served without Redis rather than left waiting
 * on it. Resolves once the server answers PING.
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
    throw unreachable(url, error);
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

/**
 * The same Redis, policy and start-up check as connectRedis, through the client @keyv/redis speaks
 * (node-redis; it cannot take an ioredis connection): for Apollo's Keyv adapter (the APQ cache).
 * Commands fail at once while the connection is down and after `timeoutMs` when Redis stops
 * answering; the client reconnects on its own in the background.
 */
export async function connectKeyvRedis(url: string, timeoutMs = 5_000): Promise<RedisClientType> {
  // Loaded only when REDIS_URL is set: node-redis is a large module a single replica never needs.
  const { createClient } = await import('@keyv/redis');
  const client: RedisClientType = createClient({
    url,
    disableOfflineQueue: true,
    commandOptions: { timeout: timeoutMs },
    socket: { connectTimeout: timeoutMs, reconnectStrategy: (attempt) => Math.min(50 * 2 ** attempt, 2_000) },
  });
  // node-redis reports connection problems as 'error' events; the failing command reports them to its caller.
  client.on('error', () => undefined);
  try {
    // The first connection is not retried: an unreachable REDIS_URL stops the start, as connectRedis does.
    await withTimeout(client.connect(), timeoutMs);
    await client.ping();
  } catch (error) {
    client.destroy();
    throw unreachable(url, error);
  }
  return client;
}

/** Closes a connection made by connectKeyvRedis, politely when it is still up. */
export async function closeKeyvRedis(client: RedisClientType): Promise<void> {
  if (!client.isReady) {
    if (client.isOpen) client.destroy();
    return;
  }
  try {
    await client.close();
  } catch {
    client.destroy();
  }
}

function unreachable(url: string, error: unknown): Error {
  const shown = new URL(url);
  if (shown.password) shown.password = '***';
  return new Error(`REDIS_URL: cannot reach Redis at ${shown.toString()} (${error instanceof Error ? error.message : String(error)})`);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no connection within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
