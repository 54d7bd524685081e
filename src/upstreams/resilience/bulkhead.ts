import type { Clock } from './clock.js';

export interface BulkheadOptions {
  /** Calls running at once at most. */
  readonly maxInFlight: number;
  /** Calls waiting for a slot at most; one more is refused at once. */
  readonly maxQueued: number;
  /** Slots one owner (a tenant) may hold at once; default: all of them. */
  readonly maxInFlightPerOwner?: number;
  /** Calls of one owner waiting at most; default: the whole queue. */
  readonly maxQueuedPerOwner?: number;
  readonly clock: Clock;
}

/** Returns the slot; calling it again does nothing. */
export type BulkheadRelease = () => void;

export type BulkheadAdmission =
  | { readonly admitted: true; readonly release: BulkheadRelease }
  /** `queue-full`: refused at once; `timed-out`: waited `maxWaitMs` without getting a slot. */
  | { readonly admitted: false; readonly reason: 'queue-full' | 'timed-out' };

interface Waiter {
  readonly owner: string;
  readonly admit: (release: BulkheadRelease) => void;
  cancelTimer: () => void;
}

/** Calls that name no owner share one. */
const NO_OWNER = '';

/**
 * A concurrency cap for one upstream, so a slow system cannot take every socket and every pending
 * request of the gateway with it.
 *
 * Contract:
 * - At most `maxInFlight` slots are held at once. A caller that finds them all taken waits in a FIFO
 *   queue of at most `maxQueued`; beyond that it is refused at once (`queue-full`).
 * - A waiter gives up after `maxWaitMs` (`timed-out`) and leaves the queue; it never holds a slot then.
 * - A released slot goes straight to the oldest waiter whose owner is below its share, so the
 *   in-flight count never exceeds the cap even for an instant, and a newcomer cannot overtake an
 *   eligible waiter.
 * - Fair shares: one owner (a tenant) holds at most `maxInFlightPerOwner` slots and has at most
 *   `maxQueuedPerOwner` calls waiting; beyond its share its calls wait (or are refused) while other
 *   owners' calls still find free slots and queue room. One tenant's burst cannot take every slot.
 */
export class Bulkhead {
  private running = 0;
  private readonly runningBy = new Map<string, number>();
  private readonly waiting: Waiter[] = [];
  private readonly perOwner: number;
  private readonly queuedPerOwner: number;

  constructor(private readonly options: BulkheadOptions) {
    this.perOwner = Math.min(options.maxInFlight, options.maxInFlightPerOwner ?? options.maxInFlight);
    this.queuedPerOwner = Math.min(options.maxQueued, options.maxQueuedPerOwner ?? options.maxQueued);
  }

  get inFlight(): number {
    return this.running;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** Slots `owner` holds now. */
  inFlightOf(owner: string): number {
    return this.runningBy.get(owner) ?? 0;
  }

  /** Takes a slot now, or waits at most `maxWaitMs` for one. */
  acquire(maxWaitMs: number, owner: string = NO_OWNER): Promise<BulkheadAdmission> {
    if (this.running < this.options.maxInFlight && this.inFlightOf(owner) < this.perOwner) {
      this.running += 1;
      this.runningBy.set(owner, this.inFlightOf(owner) + 1);
      return Promise.resolve({ admitted: true, release: this.releaser(owner) });
    }
    const queueFull = this.waiting.length >= this.options.maxQueued || this.waiting.filter((waiter) => waiter.owner === owner).length >= this.queuedPerOwner;
    if (queueFull || maxWaitMs <= 0) {
      return Promise.resolve({ admitted: false, reason: queueFull ? 'queue-full' : 'timed-out' });
    }
    return new Promise((resolve) => {
      const waiter: Waiter = {
        owner,
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

  private releaser(owner: string): BulkheadRelease {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const held = this.inFlightOf(owner) - 1;
      if (held === 0) this.runningBy.delete(owner);
      else this.runningBy.set(owner, held);
      const index = this.waiting.findIndex((waiter) => this.inFlightOf(waiter.owner) < this.perOwner);
      if (index === -1) {
        this.running -= 1;
        return;
      }
      // The slot passes to the oldest waiter below its share: `running` stays as it is.
      const [next] = this.waiting.splice(index, 1) as [Waiter];
      next.cancelTimer();
      this.runningBy.set(next.owner, this.inFlightOf(next.owner) + 1);
      next.admit(this.releaser(next.owner));
    };
  }
}
