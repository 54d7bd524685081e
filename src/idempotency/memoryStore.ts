import { randomUUID } from 'node:crypto';
import { holderOf, IdempotencyStoreFullError, type ClaimResult, type FinalRecord, type Holder, type IdempotencyRecord, type IdempotencyStore } from './store.js';

interface Entry {
  readonly record: IdempotencyRecord;
  readonly expiresAt: number;
  /** When the holder's lease lapses (in_progress only). */
  readonly leaseUntil: number;
}

/**
 * Records in this process's memory: right for one replica, lost on restart (production refuses it
 * unless IDEMPOTENCY_ACCEPT_VOLATILE_KEYS says so). At most `maxKeys` live records: a claim beyond
 * that is refused (IdempotencyStoreFullError) rather than evicting a live key, since an evicted key
 * would let its retry pay again. Every method runs to completion without awaiting, so each is atomic
 * on Node's single thread. Expired records are ignored when read and swept once a minute (and before
 * a claim is refused). Orphans only arise here when a holder outlives its lease in this very process.
 */
export class MemoryIdempotencyStore implements IdempotencyStore {
  readonly kind = 'memory';
  private readonly entries = new Map<string, Entry>();
  /** Keys that carry recovery, and when orphans() may list them. */
  private readonly orphanAt = new Map<string, number>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly maxKeys: number = 100_000,
    private readonly now: () => number = Date.now,
  ) {
    this.sweeper = setInterval(() => this.sweep(), 60_000);
    this.sweeper.unref();
  }

  /** Live records held now. */
  get size(): number {
    return this.entries.size;
  }

  async claim(key: string, fingerprint: string, leaseMs: number, ttlMs: number, holder: Holder = {}): Promise<ClaimResult> {
    const existing = this.live(key);
    if (existing) return { claimed: false, existing: this.asSeen(existing) };
    if (this.entries.size >= this.maxKeys) {
      this.sweep();
      if (this.entries.size >= this.maxKeys) throw new IdempotencyStoreFullError(this.maxKeys);
    }
    const token = randomUUID();
    const now = this.now();
    this.entries.set(key, { record: { state: 'in_progress', fingerprint, token, ...holderOf(holder) }, expiresAt: now + ttlMs, leaseUntil: now + leaseMs });
    this.list(key, holder, now + leaseMs);
    return { claimed: true, token };
  }

  async takeOver(key: string, fingerprint: string, leaseMs: number, ttlMs: number): Promise<string | null> {
    const existing = this.live(key);
    const seen = existing && this.asSeen(existing);
    if (!seen || seen.fingerprint !== fingerprint || seen.state !== 'outcome_unknown') return null;
    const token = randomUUID();
    const now = this.now();
    this.entries.set(key, { record: { state: 'in_progress', fingerprint, token, ...holderOf(seen) }, expiresAt: now + ttlMs, leaseUntil: now + leaseMs });
    this.list(key, seen, now + leaseMs);
    return token;
  }

  async settle(key: string, token: string, record: FinalRecord, ttlMs: number, orphanAfterMs?: number | null): Promise<boolean> {
    const existing = this.live(key);
    if (existing && !(existing.record.state === 'in_progress' && existing.record.token === token)) return false;
    const now = this.now();
    this.entries.set(key, { record, expiresAt: now + ttlMs, leaseUntil: 0 });
    if (record.state === 'completed' || orphanAfterMs === null) this.orphanAt.delete(key);
    else if (orphanAfterMs !== undefined) this.list(key, record, now + orphanAfterMs);
    return true;
  }

  async release(key: string, token: string): Promise<boolean> {
    const existing = this.live(key);
    if (!existing || existing.record.state !== 'in_progress' || existing.record.token !== token) return false;
    this.entries.delete(key);
    this.orphanAt.delete(key);
    return true;
  }

  async orphans(limit: number): Promise<string[]> {
    const now = this.now();
    const found: string[] = [];
    for (const [key, at] of this.orphanAt) {
      if (found.length >= limit) break;
      if (!this.live(key)) this.orphanAt.delete(key);
      else if (at <= now) found.push(key);
    }
    return found;
  }

  async ttlOf(key: string): Promise<number | null> {
    const existing = this.live(key);
    return existing ? existing.expiresAt - this.now() : null;
  }

  async peek(key: string): Promise<IdempotencyRecord | null> {
    return this.live(key)?.record ?? null;
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.entries.clear();
    this.orphanAt.clear();
  }

  /** Lists a key that carries recovery for orphans() from `at` on. */
  private list(key: string, holder: Holder, at: number): void {
    if (holder.recovery !== undefined) this.orphanAt.set(key, at);
  }

  /** A claim whose holder's lease lapsed may have sent its write: it reads as an unknown outcome. */
  private asSeen(entry: Entry): IdempotencyRecord {
    const { record } = entry;
    if (record.state === 'in_progress' && entry.leaseUntil <= this.now()) return { state: 'outcome_unknown', fingerprint: record.fingerprint, sentAt: 0, ...holderOf(record) };
    return record;
  }

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      this.orphanAt.delete(key);
      return undefined;
    }
    return entry;
  }

  private sweep(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt > now) continue;
      this.entries.delete(key);
      this.orphanAt.delete(key);
    }
  }
}
