import type { Clock } from './clock.js';

/** State of an upstream's circuit breaker, for /readyz and metrics. */
export type BreakerState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. */
  readonly failureThreshold: number;
  /** How long an open circuit fails fast before one probe is let through. */
  readonly cooldownMs: number;
  readonly clock: Clock;
}

/**
 * Leave to make one attempt. Exactly one of its methods takes effect (later calls are ignored):
 * `success` (the upstream answered something that is not a failure, a 4xx business answer included),
 * `failure` (connection error, timeout, 5xx, 429), or `abandon` (the attempt never reached the
 * upstream, e.g. the bulkhead refused it: it says nothing about the upstream's health).
 */
export interface BreakerPermit {
  success(): void;
  failure(): void;
  abandon(): void;
}

/**
 * A consecutive-failure circuit breaker for one upstream.
 *
 * Contract:
 * - closed: every attempt is permitted; `failureThreshold` failures in a row (no success between)
 *   open the circuit.
 * - open: `tryAcquire` returns null (the caller fails fast, without touching the network) until
 *   `cooldownMs` have passed since it opened.
 * - half-open: after the cool-down exactly one attempt (the probe) is permitted; every other attempt
 *   is refused while it runs. Its success closes the circuit and clears the failure count; its
 *   failure opens it again for another cool-down; abandoning it lets the next attempt probe instead.
 * - Outcomes of attempts permitted before the circuit opened still count when they finish: a
 *   success closes the circuit, a failure keeps (or re-starts) it open.
 */
export class CircuitBreaker {
  private current: BreakerState = 'closed';
  private consecutiveFailures = 0;
  private openedAt = 0;
  private probeRunning = false;

  constructor(private readonly options: CircuitBreakerOptions) {}

  /** The state now; an open circuit whose cool-down has passed reads as half-open. */
  get state(): BreakerState {
    if (this.current === 'open' && this.options.clock.now() - this.openedAt >= this.options.cooldownMs) return 'half-open';
    return this.current;
  }

  /** Milliseconds until an open circuit lets a probe through (0 when it would now). */
  get retryInMs(): number {
    if (this.current !== 'open') return 0;
    return Math.max(0, this.openedAt + this.options.cooldownMs - this.options.clock.now());
  }

  /** Whether tryAcquire would refuse now (open, or a probe is running), without taking a permit. */
  get refusing(): boolean {
    const state = this.state;
    return state === 'open' || (state === 'half-open' && this.probeRunning);
  }

  /** A permit for one attempt, or null when the circuit refuses it (open, or a probe is running). */
  tryAcquire(): BreakerPermit | null {
    const state = this.state;
    if (state === 'closed') return this.permit(false);
    if (state === 'open' || this.probeRunning) return null;
    this.current = 'half-open';
    this.probeRunning = true;
    return this.permit(true);
  }

  private permit(probe: boolean): BreakerPermit {
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      if (probe) this.probeRunning = false;
      outcome();
    };
    return {
      success: () => settle(() => this.recordSuccess()),
      failure: () => settle(() => this.recordFailure(probe)),
      abandon: () => settle(() => undefined),
    };
  }

  private recordSuccess(): void {
    this.consecutiveFailures = 0;
    this.current = 'closed';
  }

  private recordFailure(probe: boolean): void {
    this.consecutiveFailures += 1;
    if (probe || this.current === 'open' || this.consecutiveFailures >= this.options.failureThreshold) {
      this.current = 'open';
      this.openedAt = this.options.clock.now();
    }
  }
}
