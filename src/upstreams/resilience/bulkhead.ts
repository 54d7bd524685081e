import type { Clock } from './clock.js';

export interface BulkheadOptions {
  /** Calls running at once at most. */
  readonly maxInFlight: number;
  /** Calls waiting for a slot at most; one more is refused at once. */
  readonly maxQueued: number;
  readonly clock: Clock;
}

/** Returns the slot; calling it again does nothing. */
export type BulkheadRelease = () => void;

export type BulkheadAdmission =
  | { readonly admitted: true; readonly release: BulkheadRelease }
  /** `queue-full`: refused at once; `timed-out`: waited `maxWaitMs` without getting a slot. */
  | { readonly admitted: false; readonly reason: 'queue-full' | 'timed-out' };

interface Waiter {
  readonly admit: (release: BulkheadRelease) => void;
  cancelTimer: () => void;
}

/**
 * A concurrency cap for one upstream, so a slow system cannot take every socket and every pending
 * request of the gateway with it.
 *
 * Contract:
 * - At most `maxInFlight` slots are held at once. A caller that finds them all taken waits in a FIFO
 *   queue of at most `maxQueued`; beyond that it is refused at once (`queue-full`).
 * - A waiter gives up after `maxWaitMs` (`timed-out`) and leaves the queue; it never holds a slot then.
 * - A released slot goes straight to the oldest waiter, so the in-flight count never exceeds the cap
 *   even for an instant, and a newcomer cannot overtake the queue.
 */
export class Bulkhead {
  private running = 0;
  private readonly waiting: Waiter[] = [];

  constructor(private readonly options: BulkheadOptions) {}

  get inFlight(): number {
    return this.running;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** Takes a slot now, or waits at most `maxWaitMs` for one. */
  acquire(maxWaitMs: number): Promise<BulkheadAdmission> {
    if (this.running < this.options.maxInFlight) {
      this.running += 1;
      return Promise.resolve({ admitted: true, release: this.releaser() });
    }
    if (this.waiting.length >= this.options.maxQueued || maxWaitMs <= 0) {
      return Promise.resolve({ admitted: false, reason: this.waiting.length >= this.options.maxQueued ? 'queue-full' : 'timed-out' });
    }
    return new Promise((resolve) => {
      const waiter: Waiter = {
        admit: (release) => resolve({ admitted: true, release }),
        cancelTimer: () => undefined,
      };
      waiter.cancelTimer = this.options.clock.schedule(maxWaitMs, () => {
        const index = this.waiting.indexOf(waiter);
        if (index === -1) return;
        this.waiting.splice(index, 1);
        resolve({ admitted: false, reason: 'timed-out' });
      });
      this.waiting.push(waiter);
    });
  }

  private releaser(): BulkheadRelease {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) {
        // The slot passes to the next waiter: `running` stays as it is.
        next.cancelTimer();
        next.admit(this.releaser());
      } else {
        this.running -= 1;
      }
    };
  }
}
