import { connectRedis } from '../protection/redis.js';
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { holderOf, parseRecord, type ClaimResult, type FinalRecord, type Holder, type IdempotencyRecord, type IdempotencyStore } from './store.js';

/** Every key this store writes starts with this, so the records can share a Redis with other data. */
export const REDIS_KEY_PREFIX = 'gateway:idempotency:';

// Each script is one atomic step on one record key (KEYS[1]), its lease key (KEYS[2]) and the orphan
// index (KEYS[3]), so two replicas racing for a key cannot both win. Records are JSON; only the small
// fields are read in Lua (cjson ships with every Redis; `recovery` is an opaque string to it). The
// record lives for the retention period; the lease key (holding the holder's token) lapses on its
// own, and a claim without its lease reads as an unknown outcome. The orphan index is a sorted set of
// record keys carrying recovery, scored by when orphans() may list them (epoch ms, the caller's clock).

/**
 * Returns the record holding the key, or nil after claiming it with ARGV[1] (token ARGV[2]) for ARGV[3]
 * ms of lease, ARGV[4] ms of retention; indexed as an orphan from ARGV[5] unless that is empty.
 */
const CLAIM = `
local current = redis.call('GET', KEYS[1])
if current then
  local record = cjson.decode(current)
  if record.state == 'in_progress' and redis.call('EXISTS', KEYS[2]) == 0 then
    return cjson.encode({ state = 'outcome_unknown', fingerprint = record.fingerprint, sentAt = 0, attempt = record.attempt, recovery = record.recovery })
  end
  return current
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[4])
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
if ARGV[5] ~= '' then redis.call('ZADD', KEYS[3], ARGV[5], KEYS[1]) end
return false`;

/**
 * Takes an unknown outcome with fingerprint ARGV[3] (or a lapsed claim) as ARGV[1] (token ARGV[2]),
 * keeping the record's holder (attempt, recovery) and indexing it as an orphan from ARGV[6], when its
 * new lease lapses; 1 when taken.
 */
const TAKE_OVER = `
local current = redis.call('GET', KEYS[1])
if not current then return 0 end
local record = cjson.decode(current)
if record.fingerprint ~= ARGV[3] then return 0 end
if record.state == 'outcome_unknown' or (record.state == 'in_progress' and redis.call('EXISTS', KEYS[2]) == 0) then
  local claim = cjson.decode(ARGV[1])
  claim.attempt = record.attempt
  claim.recovery = record.recovery
  redis.call('SET', KEYS[1], cjson.encode(claim), 'PX', ARGV[5])
  redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[4])
  if record.recovery then redis.call('ZADD', KEYS[3], ARGV[6], KEYS[1]) end
  return 1
end
return 0`;

/**
 * Writes ARGV[2] for ARGV[3] ms when the key is free or held by token ARGV[1]; 1 when written. The
 * orphan index: ARGV[4] 'list' (from score ARGV[5]), 'unlist' or 'keep'.
 */
const SETTLE = `
local current = redis.call('GET', KEYS[1])
if current then
  local record = cjson.decode(current)
  if record.state ~= 'in_progress' or record.token ~= ARGV[1] then return 0 end
end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
redis.call('DEL', KEYS[2])
if ARGV[4] == 'list' then redis.call('ZADD', KEYS[3], ARGV[5], KEYS[1]) elseif ARGV[4] == 'unlist' then redis.call('ZREM', KEYS[3], KEYS[1]) end
return 1`;

/** Deletes the key when token ARGV[1] holds it; 1 when deleted. */
const RELEASE = `
local current = redis.call('GET', KEYS[1])
if not current then return 0 end
local record = cjson.decode(current)
if record.state ~= 'in_progress' or record.token ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('ZREM', KEYS[3], KEYS[1])
return 1`;

/**
 * Up to ARGV[2] indexed record keys scored at or before ARGV[1]; keys whose record has expired are
 * dropped from the index on the way. (It reads record keys it is not given in KEYS: one Redis, not a
 * Cluster, as the unhashed lease keys already require.)
 */
const ORPHANS = `
local listed = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
local found = {}
for _, key in ipairs(listed) do
  if redis.call('EXISTS', key) == 1 then table.insert(found, key) else redis.call('ZREM', KEYS[1], key) end
end
return found`;

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
    return new RedisIdempotencyStore(await connectRedis(url, timeoutMs));
  }

  async claim(key: string, fingerprint: string, leaseMs: number, ttlMs: number, holder: Holder = {}): Promise<ClaimResult> {
    const token = randomUUID();
    const claim = JSON.stringify({ state: 'in_progress', fingerprint, token, ...holderOf(holder) });
    const orphanAt = holder.recovery === undefined ? '' : String(Date.now() + ms(leaseMs));
    const current = await this.redis.eval(CLAIM, 3, REDIS_KEY_PREFIX + key, leaseKey(key), ORPHAN_INDEX, claim, token, ms(leaseMs), ms(ttlMs), orphanAt);
    if (current === null) return { claimed: true, token };
    if (typeof current !== 'string') throw new Error('unexpected answer from Redis to the claim script');
    return { claimed: false, existing: parseRecord(current) };
  }

  async takeOver(key: string, fingerprint: string, leaseMs: number, ttlMs: number): Promise<string | null> {
    const token = randomUUID();
    const claim = JSON.stringify({ state: 'in_progress', fingerprint, token });
    const taken = await this.redis.eval(TAKE_OVER, 3, REDIS_KEY_PREFIX + key, leaseKey(key), ORPHAN_INDEX, claim, token, fingerprint, ms(leaseMs), ms(ttlMs), Date.now() + ms(leaseMs));
    return taken === 1 ? token : null;
  }

  async settle(key: string, token: string, record: FinalRecord, ttlMs: number, orphanAfterMs?: number | null): Promise<boolean> {
    const listed = record.state === 'completed' || orphanAfterMs === null ? 'unlist' : orphanAfterMs === undefined ? 'keep' : 'list';
    const at = orphanAfterMs === undefined || orphanAfterMs === null ? 0 : Date.now() + orphanAfterMs;
    const written = await this.redis.eval(SETTLE, 3, REDIS_KEY_PREFIX + key, leaseKey(key), ORPHAN_INDEX, token, JSON.stringify(record), ms(ttlMs), listed, at);
    return written === 1;
  }

  async release(key: string, token: string): Promise<boolean> {
    const deleted = await this.redis.eval(RELEASE, 3, REDIS_KEY_PREFIX + key, leaseKey(key), ORPHAN_INDEX, token);
    return deleted === 1;
  }

  async orphans(limit: number): Promise<string[]> {
    const found = await this.redis.eval(ORPHANS, 1, ORPHAN_INDEX, Date.now(), limit);
    if (!Array.isArray(found)) throw new Error('unexpected answer from Redis to the orphans script');
    return found.filter((key): key is string => typeof key === 'string').map((key) => key.slice(REDIS_KEY_PREFIX.length));
  }

  async peek(key: string): Promise<IdempotencyRecord | null> {
    const text = await this.redis.get(REDIS_KEY_PREFIX + key);
    return text === null ? null : parseRecord(text);
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

/** The sorted set of record keys that carry recovery, scored by when orphans() may list them. */
const ORPHAN_INDEX = `${REDIS_KEY_PREFIX}orphans`;

/** The lease of a record's holder: its token, lapsing on its own (PX). */
function leaseKey(key: string): string {
  return `${REDIS_KEY_PREFIX}lease:${key}`;
}

function ms(value: number): number {
  return Math.max(1, Math.ceil(value));
}
