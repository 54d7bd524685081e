import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Redis } from 'ioredis';

/** Where replicas sharing Redis keep the file-link secret they generated, when FILE_LINK_SECRET is unset. */
export const FILE_LINK_SECRET_REDIS_KEY = 'gateway:file-links:secret';

/**
 * The secret file links are signed with: FILE_LINK_SECRET when set; else, with Redis (REDIS_URL), the
 * one the first replica to start wrote there (SET NX) and every later one reads, so a link one
 * replica handed out opens on any; else null (a random secret of this process alone).
 */
export async function fileLinkSecret(configured: string | null, redis: Redis | null): Promise<string | null> {
  if (configured !== null || redis === null) return configured;
  await redis.set(FILE_LINK_SECRET_REDIS_KEY, randomBytes(32).toString('base64url'), 'NX');
  const shared = await redis.get(FILE_LINK_SECRET_REDIS_KEY);
  if (shared === null || shared.length < 32) throw new Error(`REDIS_URL: the shared file-link secret (${FILE_LINK_SECRET_REDIS_KEY}) could not be read back`);
  return shared;
}

/**
 * Short-lived signed links to the file routes, so a browser can follow `pdfUrl` without an
 * Authorization header. A link names the tenant it was made for and expires after FILE_LINK_TTL_SECONDS;
 * the signature (HMAC-SHA256 with FILE_LINK_SECRET) covers the path, the tenant and the expiry, so a
 * link cannot be moved to another file, another tenant or a later time. Replicas must share the secret
 * (FILE_LINK_SECRET, or the one fileLinkSecret keeps in Redis).
 */
export class FileLinks {
  private readonly secret: Buffer;

  constructor(
    secret: string | null,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.secret = secret ? Buffer.from(secret, 'utf8') : randomBytes(32);
  }

  /** `path?tenant=…&expires=…&signature=…` for a path such as `/files/invoices/200101/5.pdf`. */
  sign(path: string, tenantId: string): string {
    const expires = Math.ceil((this.now() + this.ttlMs) / 1000);
    const query = new URLSearchParams({ tenant: tenantId, expires: String(expires), signature: this.signature(path, tenantId, expires) });
    return `${path}?${query.toString()}`;
  }

  /** The tenant a link was signed for; null when it carries no signature, or a wrong or expired one. */
  verify(path: string, query: Readonly<Record<string, unknown>>): string | null {
    const { tenant, expires, signature } = query;
    if (typeof tenant !== 'string' || typeof expires !== 'string' || typeof signature !== 'string' || !/^\d{1,12}$/.test(expires)) return null;
    if (Number(expires) * 1000 < this.now()) return null;
    const expected = Buffer.from(this.signature(path, tenant, Number(expires)));
    const given = Buffer.from(signature);
    return given.length === expected.length && timingSafeEqual(given, expected) ? tenant : null;
  }

  /** Whether the request carries link parameters at all (then they must be valid; no fallback). */
  static isSigned(query: Readonly<Record<string, unknown>>): boolean {
    return 'signature' in query;
  }

  private signature(path: string, tenantId: string, expires: number): string {
    return createHmac('sha256', this.secret).update(`${path}\u0000${tenantId}\u0000${expires}`).digest('base64url');
  }
}
