import type { Redis } from 'ioredis';
import { z } from 'zod';

/** What is known of a staged upload besides its bytes. */
export interface UploadRecord {
  readonly id: string;
  readonly scope: string;
  readonly tenantId: string;
  readonly fileName: string;
  readonly mimeType: string;
  readonly bytes: number;
  readonly stagedAt: number;
  readonly expiresAt: number;
}

/** Which quota a reservation would break. */
export type QuotaRefusal = 'tenant' | 'total';

/**
 * Where staged uploads are recorded and their bytes counted against the quotas. In memory it is
 * this replica's alone; in Redis every replica sees the same uploads, bytes and quota usage.
 */
export interface UploadIndex {
  readonly shared: boolean;
  /** Reserves `bytes` for upload `id` until `expiresAt`, or names the quota it would break (nothing reserved then). */
  reserve(tenantId: string, id: string, bytes: number, expiresAt: number, now: number, quota: { tenant: number; total: number }): Promise<QuotaRefusal | null>;
  /** Records a staged upload, settling its reservation to its real size; `bytes` are kept when shared. */
  record(record: UploadRecord, bytes: Buffer | null): Promise<void>;
  /** A recorded upload and, when shared, its bytes. */
  find(id: string): Promise<{ record: UploadRecord; bytes: Buffer } | null>;
  /** Whether the upload is still recorded (not used or expired on any replica). */
  exists(id: string): Promise<boolean>;
  /** Forgets an upload and frees its bytes. */
  release(tenantId: string, id: string): Promise<void>;
  /** Frees the quota of expired uploads. */
  forgetExpired(now: number): Promise<void>;
  close(): Promise<void>;
}

export class MemoryUploadIndex implements UploadIndex {
  readonly shared = false;
  private readonly reservations = new Map<string, { tenantId: string; bytes: number; expiresAt: number }>();
  private readonly records = new Map<string, UploadRecord>();

  async reserve(tenantId: string, id: string, bytes: number, expiresAt: number, now: number, quota: { tenant: number; total: number }): Promise<QuotaRefusal | null> {
    await this.forgetExpired(now);
    let tenantBytes = 0;
    let totalBytes = 0;
    for (const reservation of this.reservations.values()) {
      totalBytes += reservation.bytes;
      if (reservation.tenantId === tenantId) tenantBytes += reservation.bytes;
    }
    if (tenantBytes + bytes > quota.tenant) return 'tenant';
    if (totalBytes + bytes > quota.total) return 'total';
    this.reservations.set(id, { tenantId, bytes, expiresAt });
    return null;
  }

  async record(record: UploadRecord): Promise<void> {
    this.records.set(record.id, record);
    this.reservations.set(record.id, { tenantId: record.tenantId, bytes: record.bytes, expiresAt: record.expiresAt });
  }

  async find(id: string): Promise<{ record: UploadRecord; bytes: Buffer } | null> {
    const record = this.records.get(id);
    return record ? { record, bytes: Buffer.alloc(0) } : null;
  }

  async exists(id: string): Promise<boolean> {
    return this.records.has(id);
  }

  async release(_tenantId: string, id: string): Promise<void> {
    this.reservations.delete(id);
    this.records.delete(id);
  }

  async forgetExpired(now: number): Promise<void> {
    for (const [id, reservation] of this.reservations) {
      if (reservation.expiresAt <= now) {
        this.reservations.delete(id);
        this.records.delete(id);
      }
    }
  }

  async close(): Promise<void> {
    this.reservations.clear();
    this.records.clear();
  }
}

const PREFIX = 'gateway:upload:';
const TOTAL = `${PREFIX}quota:total`;
const SIZES = `${PREFIX}quota:sizes`;
const tenantKey = (tenantId: string) => `${PREFIX}quota:tenant:${tenantId}`;
const recordKey = (id: string) => `${PREFIX}record:${id}`;
const bytesKey = (id: string) => `${PREFIX}bytes:${id}`;

/**
 * Usage of a quota set after dropping expired members (score: expiry in ms). KEYS: tenant set,
 * total set, sizes hash. ARGV: id, bytes, expiresAt, now, tenant quota, total quota. Answers
 * 'tenant' or 'total' for a refusal, or 'ok' once both sets hold the reservation.
 */
const RESERVE = `
local function usage(key, now)
  for _, member in ipairs(redis.call('ZRANGEBYSCORE', key, '-inf', now)) do redis.call('HDEL', KEYS[3], member) end
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
  local sum = 0
  for _, member in ipairs(redis.call('ZRANGE', key, 0, -1)) do sum = sum + tonumber(redis.call('HGET', KEYS[3], member) or '0') end
  return sum
end
local bytes = tonumber(ARGV[2])
if usage(KEYS[1], ARGV[4]) + bytes > tonumber(ARGV[5]) then return 'tenant' end
if usage(KEYS[2], ARGV[4]) + bytes > tonumber(ARGV[6]) then return 'total' end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
redis.call('HSET', KEYS[3], ARGV[1], bytes)
return 'ok'
`;

const FORGET_EXPIRED = `
for _, member in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])) do redis.call('HDEL', KEYS[2], member) end
return redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
`;

const recordSchema = z.object({
  id: z.string(),
  scope: z.string(),
  tenantId: z.string(),
  fileName: z.string(),
  mimeType: z.string(),
  bytes: z.number().int().nonnegative(),
  stagedAt: z.number(),
  expiresAt: z.number(),
});

/**
 * Uploads shared by replicas through Redis: the record and the bytes (at most UPLOAD_MAX_BYTES each)
 * expire with the upload, and the quota sets count every replica's uploads, so a file staged on one
 * replica can be used by a mutation on another without sticky routing.
 */
export class RedisUploadIndex implements UploadIndex {
  readonly shared = true;

  constructor(private readonly redis: Redis) {}

  async reserve(tenantId: string, id: string, bytes: number, expiresAt: number, now: number, quota: { tenant: number; total: number }): Promise<QuotaRefusal | null> {
    const answer = await this.redis.eval(RESERVE, 3, tenantKey(tenantId), TOTAL, SIZES, id, bytes, expiresAt, now, quota.tenant, quota.total);
    if (answer === 'ok') return null;
    if (answer === 'tenant' || answer === 'total') return answer;
    throw new Error('unexpected answer from Redis to the upload reservation');
  }

  async record(record: UploadRecord, bytes: Buffer | null): Promise<void> {
    const ttlMs = Math.max(1, record.expiresAt - Date.now());
    const pipeline = this.redis.multi().set(recordKey(record.id), JSON.stringify(record), 'PX', ttlMs).hset(SIZES, record.id, record.bytes);
    if (bytes) pipeline.set(bytesKey(record.id), bytes, 'PX', ttlMs);
    await pipeline.exec();
  }

  async find(id: string): Promise<{ record: UploadRecord; bytes: Buffer } | null> {
    const [text, bytes] = await Promise.all([this.redis.get(recordKey(id)), this.redis.getBuffer(bytesKey(id))]);
    if (text === null || bytes === null) return null;
    const parsed = recordSchema.safeParse(JSON.parse(text));
    return parsed.success ? { record: parsed.data, bytes } : null;
  }

  async exists(id: string): Promise<boolean> {
    return (await this.redis.exists(recordKey(id))) === 1;
  }

  async release(tenantId: string, id: string): Promise<void> {
    await this.redis.multi().zrem(tenantKey(tenantId), id).zrem(TOTAL, id).hdel(SIZES, id).del(recordKey(id), bytesKey(id)).exec();
  }

  async forgetExpired(now: number): Promise<void> {
    await this.redis.eval(FORGET_EXPIRED, 2, TOTAL, SIZES, now);
  }

  async close(): Promise<void> {
    // The connection belongs to the services, which close it.
  }
}
