import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { parseRecord, type ClaimResult, type FinalRecord, type IdempotencyStore } from './store.js';

/** Every key this store writes starts with this, so the records can share a Redis with other data. */
export const REDIS_KEY_PREFIX = 'gateway:idempotency:';

// Each script is one atomic step on one key, so two replicas racing for a key cannot both win.
// Records are JSON; only the small fields are read in Lua (cjson ships with every Redis).

/** Returns the record holding the key, or nil after claiming it with ARGV[1] for ARGV[2] ms. */
const CLAIM = `
local current = redis.call('GET', KEYS[1])
if current then return current end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false`;

/** Writes ARGV[2] for ARGV[3] ms when the key is free or held by token ARGV[1]; 1 when written. */
const SETTLE = `
local current = redis.call('GET', KEYS[1])
if current then
  local record = cjson.decode(current)
  if record.state ~= 'in_progress' or record.token ~= ARGV[1] then return 0 end
end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1`;

/** Deletes the key when token ARGV[1] holds it; 1 when deleted. */
const RELEASE = `
local current = redis.call('GET', KEYS[1])
if not current then return 0 end
local record = cjson.decode(current)
if record.state ~= 'in_progress' or record.token ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1`;

/**
 * Records in Redis, shared by every gateway replica configured with the same REDIS_URL, and kept
 * across restarts as long as Redis keeps them. Expiry is Redis' own (PX), so leases and the
 * retention period hold even when no gateway is running.
 */
export class RedisIdempotencyStore implements IdempotencyStore {
  readonly kind = 'redis';

  private constructor(private readonly redis: Redis) {}

  /**
   * Connects and checks the server answers. Commands fail at once while the connection is down (no
   * offline queue), so a money-moving mutation is refused rather than left waiting on Redis.
   */
  static async connect(url: string, timeoutMs = 5_000): Promise<RedisIdempotencyStore> {
    const redis = new Redis(url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: timeoutMs,
      commandTimeout: timeoutMs,
    });
    // ioredis reports connection problems as 'error' events; the failing command reports them to the caller.
    redis.on('error', () => undefined);
    try {
      await redis.connect();
      await redis.ping();
    } catch (error) {
      redis.disconnect();
      throw new Error(`REDIS_URL: cannot reach Redis at ${redactedUrl(url)} (${error instanceof Error ? error.message : String(error)})`);
    }
    return new RedisIdempotencyStore(redis);
  }

  async claim(key: string, fingerprint: string, leaseMs: number): Promise<ClaimResult> {
    const token = randomUUID();
    const claim = JSON.stringify({ state: 'in_progress', fingerprint, token });
    const current = await this.redis.eval(CLAIM, 1, REDIS_KEY_PREFIX + key, claim, Math.max(1, Math.ceil(leaseMs)));
    if (current === null) return { claimed: true, token };
    if (typeof current !== 'string') throw new Error('unexpected answer from Redis to the claim script');
    return { claimed: false, existing: parseRecord(current) };
  }

  async settle(key: string, token: string, record: FinalRecord, ttlMs: number): Promise<boolean> {
    const written = await this.redis.eval(SETTLE, 1, REDIS_KEY_PREFIX + key, token, JSON.stringify(record), Math.max(1, Math.ceil(ttlMs)));
    return written === 1;
  }

  async release(key: string, token: string): Promise<boolean> {
    const deleted = await this.redis.eval(RELEASE, 1, REDIS_KEY_PREFIX + key, token);
    return deleted === 1;
  }

  async ttlOf(key: string): Promise<number | null> {
    const ttl = await this.redis.pttl(REDIS_KEY_PREFIX + key);
    return ttl >= 0 ? ttl : null;
  }

  async close(): Promise<void> {
    try {
      await this.redis.quit();
    } catch {
      // Already disconnected: nothing left to close.
      this.redis.disconnect();
    }
  }
}

/** The URL without its password, for error messages. */
function redactedUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
