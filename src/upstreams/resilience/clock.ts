/**
 * The time source of the resilience policies. Production uses the monotonic process clock and real
 * timers; unit tests inject a clock they advance by hand, so nothing in a test waits or races.
 */
export interface Clock {
  /** Milliseconds on a monotonic scale (only differences mean anything). */
  now(): number;
  /** Runs `callback` once, `ms` from now; the returned function cancels it if it has not run. */
  schedule(ms: number, callback: () => void): () => void;
}

/** performance.now() and setTimeout: the clock every pool uses outside unit tests. */
export const systemClock: Clock = {
  now: () => performance.now(),
  schedule(ms, callback) {
    const timer = setTimeout(callback, Math.max(0, ms));
    return () => clearTimeout(timer);
  },
};

/** Resolves `ms` from now on `clock` (at once when `ms` ≤ 0). */
export function sleep(clock: Clock, ms: number): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    clock.schedule(ms, resolve);
  });
}
