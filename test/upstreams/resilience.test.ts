import { describe, expect, it } from 'vitest';
import {
  Bulkhead,
  CircuitBreaker,
  backoffDelayMs,
  callWithResilience,
  isRetryableMethod,
  isRetryableStatus,
  nextRetryDelay,
  parseRetryAfter,
  type AttemptOutcome,
  type Clock,
  type Refusal,
  type ResiliencePolicies,
} from '../../src/upstreams/resilience/index.js';

/** A clock that only moves when the test says so; scheduled callbacks run as it passes them. */
class FakeClock implements Clock {
  private time = 0;
  private tasks: { at: number; callback: () => void; id: number }[] = [];
  private nextId = 0;

  now(): number {
    return this.time;
  }

  schedule(ms: number, callback: () => void): () => void {
    const id = this.nextId++;
    this.tasks.push({ at: this.time + Math.max(0, ms), callback, id });
    return () => {
      this.tasks = this.tasks.filter((task) => task.id !== id);
    };
  }

  /** Moves time forward, running every task that falls due, in order, with promises settled between. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    for (;;) {
      await flush();
      const due = this.tasks.filter((task) => task.at <= target).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.tasks = this.tasks.filter((task) => task !== due);
      this.time = due.at;
      due.callback();
    }
    this.time = target;
    await flush();
  }

  get pending(): number {
    return this.tasks.length;
  }
}

async function flush(): Promise<void> {
  for (let i = 0; i < 10; i += 1) await Promise.resolve();
}

const failure = (retryable: boolean, breakerFailure = true, retryAfterMs: number | null = null): AttemptOutcome<string> => ({
  ok: false,
  error: new Error(retryable ? 'transient' : 'permanent'),
  retryable,
  breakerFailure,
  retryAfterMs,
});

describe('Resilience: retry policy', () => {
  const policy = { attempts: 3, baseDelayMs: 100 };

  it('retries reads only', () => {
    expect(isRetryableMethod('GET')).toBe(true);
    for (const method of ['POST', 'PATCH', 'PUT', 'DELETE']) expect(isRetryableMethod(method)).toBe(false);
  });

  it('retries 429, 502, 503 and 504, not other statuses', () => {
    expect([429, 502, 503, 504].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 409, 422, 500, 501].some(isRetryableStatus)).toBe(false);
  });

  it('waits full jitter over a doubling step', () => {
    expect(backoffDelayMs(policy, 1, () => 0.5)).toBe(50);
    expect(backoffDelayMs(policy, 2, () => 0.5)).toBe(100);
    expect(backoffDelayMs(policy, 2, () => 0.999)).toBeCloseTo(199.8);
    expect(backoffDelayMs(policy, 1, () => 0)).toBe(0);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.UTC(2026, 9, 15, 12, 0, 0);
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter(' 3 ', now)).toBe(3000);
    expect(parseRetryAfter('Thu, 15 Oct 2026 12:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Thu, 15 Oct 2026 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(undefined, now)).toBeNull();
    expect(parseRetryAfter('-1', now)).toBeNull();
    expect(parseRetryAfter('soon', now)).toBeNull();
  });

  it('stops after the last attempt, on a non-retryable failure, and when the budget cannot hold a retry', () => {
    const base = { retryable: true, retryAfterMs: null, remainingMs: 10_000, attemptTimeoutMs: 1_000 };
    expect(nextRetryDelay(policy, { ...base, attempt: 1 }, () => 0.5)).toBe(50);
    expect(nextRetryDelay(policy, { ...base, attempt: 2 }, () => 0.5)).toBe(100);
    expect(nextRetryDelay(policy, { ...base, attempt: 3 }, () => 0.5)).toBeNull();
    expect(nextRetryDelay(policy, { ...base, attempt: 1, retryable: false }, () => 0.5)).toBeNull();
    // The wait and a whole attempt must fit what is left.
    expect(nextRetryDelay(policy, { ...base, attempt: 1, remainingMs: 1_049 }, () => 0.5)).toBeNull();
    expect(nextRetryDelay(policy, { ...base, attempt: 1, remainingMs: 1_050 }, () => 0.5)).toBe(50);
  });

  it('honours Retry-After instead of the backoff, and gives up when it is longer than the budget allows', () => {
    const base = { attempt: 1, retryable: true, remainingMs: 10_000, attemptTimeoutMs: 1_000 };
    expect(nextRetryDelay(policy, { ...base, retryAfterMs: 0 }, () => 0.9)).toBe(0);
    expect(nextRetryDelay(policy, { ...base, retryAfterMs: 4_000 }, () => 0.9)).toBe(4_000);
    expect(nextRetryDelay(policy, { ...base, retryAfterMs: 9_500 }, () => 0.9)).toBeNull();
  });
});

describe('Resilience: circuit breaker', () => {
  const open = (breaker: CircuitBreaker, failures: number) => {
    for (let i = 0; i < failures; i += 1) breaker.tryAcquire()!.failure();
  };

  it('opens after the threshold of consecutive failures and then refuses without running anything', () => {
    const clock = new FakeClock();
    const breaker = new CircuitBreaker({ failureThreshold: 3, cooldownMs: 1_000, clock });
    open(breaker, 2);
    expect(breaker.state).toBe('closed');
    breaker.tryAcquire()!.success();
    open(breaker, 2);
    expect(breaker.state).toBe('closed');
    breaker.tryAcquire()!.failure();
    expect(breaker.state).toBe('open');
    expect(breaker.tryAcquire()).toBeNull();
    expect(breaker.retryInMs).toBe(1_000);
  });

  it('lets exactly one probe through after the cool-down; its success closes the circuit', async () => {
    const clock = new FakeClock();
    const breaker = new CircuitBreaker({ failureThreshold: 2, cooldownMs: 1_000, clock });
    open(breaker, 2);
    await clock.advance(999);
    expect(breaker.tryAcquire()).toBeNull();
    await clock.advance(1);
    expect(breaker.state).toBe('half-open');
    const probe = breaker.tryAcquire();
    expect(probe).not.toBeNull();
    expect(breaker.tryAcquire()).toBeNull();
    probe!.success();
    expect(breaker.state).toBe('closed');
    // The failure count starts again from zero.
    open(breaker, 1);
    expect(breaker.state).toBe('closed');
  });

  it('a failed probe opens the circuit for another cool-down', async () => {
    const clock = new FakeClock();
    const breaker = new CircuitBreaker({ failureThreshold: 2, cooldownMs: 1_000, clock });
    open(breaker, 2);
    await clock.advance(1_000);
    breaker.tryAcquire()!.failure();
    expect(breaker.state).toBe('open');
    await clock.advance(999);
    expect(breaker.tryAcquire()).toBeNull();
    await clock.advance(1);
    expect(breaker.tryAcquire()).not.toBeNull();
  });

  it('an abandoned probe lets the next caller probe instead; a permit settles once', async () => {
    const clock = new FakeClock();
    const breaker = new CircuitBreaker({ failureThreshold: 1, cooldownMs: 100, clock });
    open(breaker, 1);
    await clock.advance(100);
    const probe = breaker.tryAcquire()!;
    probe.abandon();
    probe.failure();
    expect(breaker.state).toBe('half-open');
    breaker.tryAcquire()!.success();
    expect(breaker.state).toBe('closed');
  });
});

describe('Resilience: bulkhead', () => {
  it('admits up to the cap, queues up to the limit, refuses beyond it', async () => {
    const clock = new FakeClock();
    const bulkhead = new Bulkhead({ maxInFlight: 2, maxQueued: 1, clock });
    const first = await bulkhead.acquire(1_000);
    const second = await bulkhead.acquire(1_000);
    expect(first.admitted && second.admitted).toBe(true);
    const third = bulkhead.acquire(1_000);
    expect(bulkhead.queued).toBe(1);
    expect(await bulkhead.acquire(1_000)).toEqual({ admitted: false, reason: 'queue-full' });
    expect(bulkhead.inFlight).toBe(2);

    if (!first.admitted) throw new Error('unreachable');
    first.release();
    first.release();
    const admitted = await third;
    expect(admitted.admitted).toBe(true);
    // The slot passed straight to the waiter: never more than two in flight, nothing queued.
    expect(bulkhead.inFlight).toBe(2);
    expect(bulkhead.queued).toBe(0);
  });

  it('a waiter gives up after its wait and never holds a slot; the queue stays FIFO', async () => {
    const clock = new FakeClock();
    const bulkhead = new Bulkhead({ maxInFlight: 1, maxQueued: 5, clock });
    const holder = await bulkhead.acquire(0);
    const order: string[] = [];
    const short = bulkhead.acquire(100).then((admission) => order.push(`short:${admission.admitted ? 'in' : admission.reason}`));
    const long = bulkhead.acquire(10_000).then((admission) => {
      order.push(`long:${admission.admitted ? 'in' : admission.reason}`);
      return admission;
    });
    await clock.advance(100);
    await short;
    expect(bulkhead.queued).toBe(1);
    if (!holder.admitted) throw new Error('unreachable');
    holder.release();
    const admission = await long;
    expect(order).toEqual(['short:timed-out', 'long:in']);
    expect(bulkhead.inFlight).toBe(1);
    if (!admission.admitted) throw new Error('unreachable');
    admission.release();
    expect(bulkhead.inFlight).toBe(0);
    // The long waiter's timer was cancelled when it got its slot.
    expect(clock.pending).toBe(0);
  });
});

describe('Resilience: fair bulkhead shares', () => {
  it('holds one owner to its share of slots and queue while another owner’s calls still get in at once', async () => {
    const clock = new FakeClock();
    const bulkhead = new Bulkhead({ maxInFlight: 4, maxQueued: 6, maxInFlightPerOwner: 2, maxQueuedPerOwner: 3, clock });
    const heavy = await Promise.all([bulkhead.acquire(1_000, 'heavy'), bulkhead.acquire(1_000, 'heavy')]);
    expect(heavy.every((admission) => admission.admitted)).toBe(true);
    // Beyond its share the heavy owner waits although two slots are free…
    const waiting = [bulkhead.acquire(1_000, 'heavy'), bulkhead.acquire(1_000, 'heavy'), bulkhead.acquire(1_000, 'heavy')];
    expect(bulkhead.inFlightOf('heavy')).toBe(2);
    expect(bulkhead.queued).toBe(3);
    // …and its fourth waiter finds its share of the queue full, while the queue has room for others.
    expect(await bulkhead.acquire(1_000, 'heavy')).toEqual({ admitted: false, reason: 'queue-full' });
    const victim = await bulkhead.acquire(1_000, 'victim');
    expect(victim.admitted).toBe(true);
    expect(bulkhead.inFlight).toBe(3);
    // A heavy slot released goes to the heavy waiter (the owner is below its share again), never past the cap.
    const [first] = heavy;
    if (!first?.admitted) throw new Error('unreachable');
    first.release();
    expect((await waiting[0]!).admitted).toBe(true);
    expect(bulkhead.inFlightOf('heavy')).toBe(2);
    expect(bulkhead.inFlight).toBe(3);
  });
});

describe('Resilience: one call through breaker, bulkhead and retries', () => {
  const setUp = (overrides: Partial<ResiliencePolicies> = {}) => {
    const clock = new FakeClock();
    const policies: ResiliencePolicies = {
      retry: { attempts: 3, baseDelayMs: 100 },
      breaker: new CircuitBreaker({ failureThreshold: 5, cooldownMs: 1_000, clock }),
      bulkhead: new Bulkhead({ maxInFlight: 4, maxQueued: 4, clock }),
      clock,
      random: () => 0.5,
      ...overrides,
    };
    return { clock, policies };
  };

  /** A call whose attempts answer from a script; records the timeouts it was given and its refusals. */
  const scripted = (clock: FakeClock, outcomes: AttemptOutcome<string>[], options: { repeatable?: boolean; deadline?: number } = {}) => {
    const timeouts: number[] = [];
    const refusals: Refusal['kind'][] = [];
    return {
      timeouts,
      refusals,
      call: {
        deadline: options.deadline ?? clock.now() + 10_000,
        attemptTimeoutMs: 1_000,
        repeatable: options.repeatable ?? true,
        attempt: async (_attempt: number, timeoutMs: number) => {
          timeouts.push(timeoutMs);
          return outcomes.shift() ?? failure(false);
        },
        refused: (refusal: Refusal) => {
          refusals.push(refusal.kind);
          return new Error(`refused: ${refusal.kind}`);
        },
      },
    };
  };

  it('retries a repeatable call after its backoff and returns the first success', async () => {
    const { clock, policies } = setUp();
    const { call, timeouts } = scripted(clock, [failure(true), failure(true), { ok: true, value: 'data' }]);
    const result = callWithResilience(policies, call);
    await clock.advance(49);
    expect(timeouts).toHaveLength(1);
    await clock.advance(1);
    expect(timeouts).toHaveLength(2);
    await clock.advance(100);
    await expect(result).resolves.toBe('data');
    expect(timeouts).toEqual([1_000, 1_000, 1_000]);
    expect(policies.bulkhead!.inFlight).toBe(0);
  });

  it('gives up after three attempts with the last error', async () => {
    const { clock, policies } = setUp();
    const { call, timeouts } = scripted(clock, [failure(true), failure(true), failure(true), { ok: true, value: 'too late' }]);
    const result = callWithResilience(policies, call);
    const settled = result.catch((error: Error) => error.message);
    await clock.advance(1_000);
    expect(await settled).toBe('transient');
    expect(timeouts).toHaveLength(3);
  });

  it('never repeats a call that is not repeatable (a write)', async () => {
    const { clock, policies } = setUp();
    const { call, timeouts } = scripted(clock, [failure(true), { ok: true, value: 'data' }], { repeatable: false });
    await expect(callWithResilience(policies, call)).rejects.toThrow('transient');
    expect(timeouts).toHaveLength(1);
  });

  it('shortens the last attempt to the deadline and does not start a retry the budget cannot hold', async () => {
    const { clock, policies } = setUp();
    const { call, timeouts } = scripted(clock, [failure(true), { ok: true, value: 'data' }], { deadline: clock.now() + 600 });
    await expect(callWithResilience(policies, call)).rejects.toThrow('transient');
    expect(timeouts).toEqual([600]);
  });

  it('refuses without an attempt once the deadline has passed', async () => {
    const { clock, policies } = setUp();
    const { call, timeouts, refusals } = scripted(clock, [{ ok: true, value: 'data' }], { deadline: clock.now() });
    await expect(callWithResilience(policies, call)).rejects.toThrow('refused: deadline');
    expect(timeouts).toHaveLength(0);
    expect(refusals).toEqual(['deadline']);
  });

  it('counts failures against the breaker and fails fast once it is open, even between retries', async () => {
    const breaker = new CircuitBreaker({ failureThreshold: 2, cooldownMs: 1_000, clock: new FakeClock() });
    const { clock, policies } = setUp({ breaker });
    const first = scripted(clock, [failure(true), failure(true), { ok: true, value: 'data' }]);
    const result = callWithResilience(policies, first.call).catch((error: Error) => error.message);
    await clock.advance(1_000);
    expect(await result).toBe('refused: circuit-open');
    expect(first.timeouts).toHaveLength(2);

    const second = scripted(clock, [{ ok: true, value: 'data' }]);
    await expect(callWithResilience(policies, second.call)).rejects.toThrow('refused: circuit-open');
    expect(second.timeouts).toHaveLength(0);
  });

  it('refuses a call that queued while the circuit was closed once the calls ahead of it opened it, without an attempt', async () => {
    const breaker = new CircuitBreaker({ failureThreshold: 1, cooldownMs: 1_000, clock: new FakeClock() });
    const { clock, policies } = setUp({ breaker, bulkhead: new Bulkhead({ maxInFlight: 1, maxQueued: 4, clock: new FakeClock() }) });
    let fail: (outcome: AttemptOutcome<string>) => void = () => undefined;
    const ahead = scripted(clock, [], { repeatable: false });
    ahead.call.attempt = () => new Promise((resolve) => (fail = resolve));
    const aheadResult = callWithResilience(policies, ahead.call).catch((error: Error) => error.message);
    await clock.advance(0);
    const queued = scripted(clock, [{ ok: true, value: 'data' }]);
    const queuedResult = callWithResilience(policies, queued.call).catch((error: Error) => error.message);
    await clock.advance(0);
    expect(policies.bulkhead!.queued).toBe(1);

    fail(failure(true));
    expect(await aheadResult).toBe('transient');
    expect(breaker.state).toBe('open');
    expect(await queuedResult).toBe('refused: circuit-open');
    expect(queued.timeouts).toHaveLength(0);
    expect(policies.bulkhead!.inFlight).toBe(0);
  });

  it('does not count an answered failure (a 4xx) against the breaker', async () => {
    const breaker = new CircuitBreaker({ failureThreshold: 1, cooldownMs: 1_000, clock: new FakeClock() });
    const { clock, policies } = setUp({ breaker });
    await expect(callWithResilience(policies, scripted(clock, [failure(false, false)]).call)).rejects.toThrow('permanent');
    expect(breaker.state).toBe('closed');
    await expect(callWithResilience(policies, scripted(clock, [failure(false, true)]).call)).rejects.toThrow('permanent');
    expect(breaker.state).toBe('open');
  });

  it('refuses at once when the bulkhead queue is full, and releases a held slot when a stream is done', async () => {
    const { clock, policies } = setUp({ bulkhead: new Bulkhead({ maxInFlight: 1, maxQueued: 0, clock: new FakeClock() }) });
    let releaseStream: () => void = () => undefined;
    const streaming = scripted(clock, []);
    streaming.call.attempt = async () => ({ ok: true, value: 'stream', holdSlot: (release) => (releaseStream = release) });
    await expect(callWithResilience(policies, streaming.call)).resolves.toBe('stream');
    expect(policies.bulkhead!.inFlight).toBe(1);

    const refused = scripted(clock, [{ ok: true, value: 'data' }]);
    await expect(callWithResilience(policies, refused.call)).rejects.toThrow('refused: queue-full');
    // The refused attempt never reached the upstream, so the breaker learnt nothing from it.
    expect(policies.breaker!.state).toBe('closed');
    releaseStream();
    expect(policies.bulkhead!.inFlight).toBe(0);
    await expect(callWithResilience(policies, scripted(clock, [{ ok: true, value: 'data' }]).call)).resolves.toBe('data');
  });
});
