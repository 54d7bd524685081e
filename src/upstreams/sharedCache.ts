export interface SharedCacheOptions {
  /** When false every lookup loads (benchmark naive mode): nothing is kept across requests. */
  readonly enabled?: boolean;
  readonly now?: () => number;
}

/**
 * A process-wide cache for upstream data that is the same for every caller of one tenant (IQM's
 * reference lists, read with the tenant's credentials). Keys start with the tenant id, so no tenant
 * is served what another tenant's credentials read. Concurrent misses for one key share one load.
 */
export class SharedCache {
  private readonly entries = new Map<string, { expiresAt: number; value: Promise<unknown> }>();
  private readonly enabled: boolean;
  private readonly now: () => number;
  hits = 0;
  misses = 0;

  constructor(options: SharedCacheOptions = {}) {
    this.enabled = options.enabled ?? true;
    this.now = options.now ?? Date.now;
  }

  getOrLoad<T>(key: string, ttlMs: number, load: () => Promise<T>): Promise<T> {
    if (!this.enabled) {
      this.misses += 1;
      return load();
    }
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt > this.now()) {
      this.hits += 1;
      return entry.value as Promise<T>;
    }
    this.misses += 1;
    const value = load();
    this.entries.set(key, { expiresAt: this.now() + ttlMs, value });
    // A failed load is not cached: the next caller tries again.
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    return value;
  }

  clear(): void {
    this.entries.clear();
  }
}
