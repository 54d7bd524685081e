/**
 * One attempt's timeout: its signal aborts with a `TimeoutError` DOMException, as
 * `AbortSignal.timeout`'s does, but its timer stops the moment the attempt ends. `AbortSignal.timeout`
 * leaves its timer running until the signal has been garbage-collected (a WeakRef and a finalization
 * registry entry per call), so every upstream call kept a timer, a weak reference and a registry entry
 * alive well past its answer: in a bare loop (bench/README.md, issue 16) 20 µs per call against 10,
 * and 270 bytes per call still held after a full collection until the 10 s timer fires.
 */
export class AttemptDeadline {
  readonly #controller = new AbortController();
  readonly #timer: NodeJS.Timeout;

  constructor(timeoutMs: number) {
    const controller = this.#controller;
    this.#timer = setTimeout(() => controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), Math.ceil(timeoutMs));
    // Like AbortSignal.timeout's: a pending attempt alone does not keep the process alive.
    this.#timer.unref();
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  clear(): void {
    clearTimeout(this.#timer);
  }
}
