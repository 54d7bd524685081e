import { afterEach, describe, expect, it, vi } from 'vitest';
import { AttemptDeadline } from '../../src/upstreams/attemptDeadline.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('AttemptDeadline', () => {
  it('aborts its signal with a TimeoutError DOMException when the time is up, as AbortSignal.timeout does', () => {
    vi.useFakeTimers();
    const deadline = new AttemptDeadline(250);
    vi.advanceTimersByTime(249);
    expect(deadline.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(deadline.signal.aborted).toBe(true);
    expect(deadline.signal.reason).toBeInstanceOf(DOMException);
    expect((deadline.signal.reason as DOMException).name).toBe('TimeoutError');
  });

  it('rounds a fractional remaining budget up, never aborting early', () => {
    vi.useFakeTimers();
    const deadline = new AttemptDeadline(99.2);
    vi.advanceTimersByTime(99);
    expect(deadline.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(deadline.signal.aborted).toBe(true);
  });

  it('leaves no timer behind once cleared: the signal never aborts afterwards', () => {
    vi.useFakeTimers();
    const before = vi.getTimerCount();
    const deadline = new AttemptDeadline(10_000);
    expect(vi.getTimerCount()).toBe(before + 1);
    deadline.clear();
    expect(vi.getTimerCount()).toBe(before);
    vi.advanceTimersByTime(60_000);
    expect(deadline.signal.aborted).toBe(false);
  });
});
