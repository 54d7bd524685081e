import { describe, expect, it } from 'vitest';
import { DerivedRead } from '../../src/upstreams/memoLoader.js';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((onResolve, onReject) => {
    resolve = onResolve;
    reject = onReject;
  });
  return { promise, resolve, reject };
}

describe('DerivedRead', () => {
  it('derives once per key, and answers the value itself once it has settled', async () => {
    const derivations: number[] = [];
    const read = new DerivedRead(async (key: number) => {
      derivations.push(key);
      return key * 2;
    }, String, 'batched');
    const first = read.get(21);
    expect(first).toBeInstanceOf(Promise);
    expect(read.get(21)).toBe(first);
    expect(await first).toBe(42);
    expect(read.get(21)).toBe(42);
    expect(read.get(4)).toBeInstanceOf(Promise);
    expect(derivations).toEqual([21, 4]);
  });

  it('keeps a failure as the rejected promise, so every reader gets the error', async () => {
    let calls = 0;
    const read = new DerivedRead(async () => {
      calls += 1;
      throw new Error('A35 failed');
    }, String, 'batched');
    await expect(read.get(1)).rejects.toThrow('A35 failed');
    await expect(read.get(1)).rejects.toThrow('A35 failed');
    expect(calls).toBe(1);
  });

  it('forgets what it derived on clearAll, even a derivation that settles afterwards', async () => {
    const pending = deferred<string>();
    const answers = [pending.promise, Promise.resolve('after the write')];
    const read = new DerivedRead(() => answers.shift()!, String, 'batched');
    const before = read.get(1);
    read.clearAll();
    pending.resolve('before the write');
    expect(await before).toBe('before the write');
    const after = read.get(1);
    expect(after).toBeInstanceOf(Promise);
    expect(await after).toBe('after the write');
    expect(read.get(1)).toBe('after the write');
  });

  it('keeps nothing in naive mode', async () => {
    let calls = 0;
    const read = new DerivedRead(async () => ++calls, String, 'naive');
    expect(await read.get(1)).toBe(1);
    expect(await read.get(1)).toBe(2);
  });
});
