import { createRequire } from 'node:module';
import type { Redis } from 'ioredis';
import type * as IoRedis from 'ioredis';
import type { Logger } from 'pino';
import { documentHash, documentIdHash } from './manifest.js';

/** How long a Redis answer (found or not) is reused, so unknown ids cannot turn into one Redis call per request. */
const REDIS_CACHE_MS = 10_000;
/** Bound of that cache: ids are caller-chosen, so the map must not grow with them. */
const REDIS_CACHE_ENTRIES = 10_000;

/**
 * Where trusted documents are looked up by id: the manifest files read at start-up, then (when
 * REDIS_URL is set) a Redis hash that deployments publish new client builds to
 * (`HSET <key> <sha256> <document>`) without restarting the gateway.
 */
export class TrustedDocumentStore {
  private readonly fromRedis = new Map<string, { readonly at: number; readonly document: string | null }>();

  constructor(
    private readonly files: ReadonlyMap<string, string>,
    private readonly redis: { readonly client: Redis; readonly key: string } | null,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Connects to Redis lazily (first look-up); commands fail fast while it is down. */
  static create(files: ReadonlyMap<string, string>, redis: { readonly url: string; readonly key: string } | null, logger: Logger): TrustedDocumentStore {
    if (!redis) return new TrustedDocumentStore(files, null, logger);
    // Loaded only when Redis is configured: a gateway without REDIS_URL never needs the client (issue 16, memory).
    const { Redis: RedisClient } = createRequire(import.meta.url)('ioredis') as typeof IoRedis;
    const client = new RedisClient(redis.url, { lazyConnect: true, enableOfflineQueue: true, maxRetriesPerRequest: 1, connectTimeout: 2_000, commandTimeout: 2_000 });
    // ioredis reports connection problems as 'error' events; the failing look-up is logged where it happens.
    client.on('error', () => undefined);
    return new TrustedDocumentStore(files, { client, key: redis.key }, logger);
  }

  /** Documents from files, for the start-up log. */
  get fileCount(): number {
    return this.files.size;
  }

  /**
   * The document with this id (`<sha256 hex>` or `sha256:<hex>`), or undefined. A Redis entry whose text does not hash to its id is
   * ignored (and logged): an id must only ever name the text it was computed from. A Redis failure
   * counts as not found, so in enforce mode an outage refuses unknown operations rather than running them.
   */
  async get(id: string): Promise<string | undefined> {
    const hash = documentIdHash(id);
    if (hash === null) return undefined;
    const fromFile = this.files.get(hash);
    if (fromFile !== undefined || !this.redis) return fromFile;
    const cached = this.fromRedis.get(hash);
    if (cached && this.now() - cached.at < REDIS_CACHE_MS) return cached.document ?? undefined;
    let document: string | null = null;
    try {
      document = await this.redis.client.hget(this.redis.key, hash);
    } catch (error) {
      this.logger.warn({ err: error, redisKey: this.redis.key }, 'trusted documents: Redis look-up failed; treated as not found');
      return undefined;
    }
    if (document !== null && documentHash(document) !== hash) {
      this.logger.warn({ redisKey: this.redis.key, documentId: hash }, 'trusted documents: Redis entry ignored, its text does not hash to its id');
      document = null;
    }
    if (this.fromRedis.size >= REDIS_CACHE_ENTRIES) this.fromRedis.clear();
    this.fromRedis.set(hash, { at: this.now(), document });
    return document ?? undefined;
  }

  async close(): Promise<void> {
    if (!this.redis) return;
    // quit() on a client that never connected would wait for a connection first.
    if (this.redis.client.status === 'wait' || this.redis.client.status === 'end') this.redis.client.disconnect();
    else await this.redis.client.quit().catch(() => this.redis?.client.disconnect());
  }
}
