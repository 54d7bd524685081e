import { randomUUID } from 'node:crypto';
import type { ClaimResult, FinalRecord, IdempotencyRecord, IdempotencyStore } from './store.js';

interface Entry {
  readonly record: IdempotencyRecord;
  readonly expiresAt: number;
}

/**
 * Records in this process's memory: right for one replica, lost on restart. Every method runs to
 * completion without awaiting, so each is atomic on Node's single thread. Expired records are
 * ignored when read and swept once a minute.
 */
export class MemoryIdempotencyStore implements IdempotencyStore {
  readonly kind = 'memory';
  private readonly entries = new Map<string, Entry>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly now: () => number = Date.now) {
    this.sweeper = setInterval(() => this.sweep(), 60_000);
    this.sweeper.unref();
  }

  async claim(key: string, fingerprint: string, leaseMs: number): Promise<ClaimResult> {
    const existing = this.live(key);
    if (existing) return { claimed: false, existing: existing.record };
    const token = randomUUID();
    this.entries.set(key, { record: { state: 'in_progress', fingerprint, token }, expiresAt: this.now() + leaseMs });
    return { claimed: true, token };
  }

  async settle(key: string, token: string, record: FinalRecord, ttlMs: number): Promise<boolean> {
    const existing = this.live(key);
    if (existing && !(existing.record.state === 'in_progress' && existing.record.token === token)) return false;
    this.entries.set(key, { record, expiresAt: this.now() + ttlMs });
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

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.entries.clear();
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
