import { randomUUID } from 'node:crypto';
import { IdempotencyStoreFullError, type ClaimResult, type FinalRecord, type IdempotencyRecord, type IdempotencyStore } from './store.js';

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
 * a claim is refused).
 */
export class MemoryIdempotencyStore implements IdempotencyStore {
  readonly kind = 'memory';
  private readonly entries = new Map<string, Entry>();
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

  async claim(key: string, fingerprint: string, leaseMs: number, ttlMs: number, attempt: string | null = null): Promise<ClaimResult> {
    const existing = this.live(key);
    if (existing) return { claimed: false, existing: this.asSeen(existing) };
    if (this.entries.size >= this.maxKeys) {
      this.sweep();
      if (this.entries.size >= this.maxKeys) throw new IdempotencyStoreFullError(this.maxKeys);
    }
    const token = randomUUID();
    const now = this.now();
    this.entries.set(key, { record: { state: 'in_progress', fingerprint, token, ...(attempt === null ? {} : { attempt }) }, expiresAt: now + ttlMs, leaseUntil: now + leaseMs });
    return { claimed: true, token };
  }

  async takeOver(key: string, fingerprint: string, leaseMs: number, ttlMs: number): Promise<string | null> {
    const existing = this.live(key);
    const seen = existing && this.asSeen(existing);
    if (!seen || seen.fingerprint !== fingerprint || seen.state !== 'outcome_unknown') return null;
    const token = randomUUID();
    const now = this.now();
    this.entries.set(key, { record: { state: 'in_progress', fingerprint, token, ...attemptOf(seen) }, expiresAt: now + ttlMs, leaseUntil: now + leaseMs });
    return token;
  }

  async settle(key: string, token: string, record: FinalRecord, ttlMs: number): Promise<boolean> {
    const existing = this.live(key);
    if (existing && !(existing.record.state === 'in_progress' && existing.record.token === token)) return false;
    this.entries.set(key, { record, expiresAt: this.now() + ttlMs, leaseUntil: 0 });
    return true;
  }

  async release(key: string, token: string): Promise<boolean> {
    const existing = this.live(key);
    if (!existing || existing.record.state !== 'in_progress' || existing.record.token !== token) return false;
    this.entries.delete(key);
    return true;
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
  }

  /** A claim whose holder's lease lapsed may have sent its write: it reads as an unknown outcome. */
  private asSeen(entry: Entry): IdempotencyRecord {
    const { record } = entry;
    if (record.state === 'in_progress' && entry.leaseUntil <= this.now()) return { state: 'outcome_unknown', fingerprint: record.fingerprint, sentAt: 0, ...attemptOf(record) };
    return record;
  }

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private sweep(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
  }
}

/** The record's `attempt`, as a spreadable part (absent stays absent). */
function attemptOf(record: IdempotencyRecord): { attempt?: string } {
  return 'attempt' in record && record.attempt !== undefined ? { attempt: record.attempt } : {};
}
