/** The part of autocannon's programmatic API the benchmark uses (the package ships no types). */
declare module 'autocannon' {
  interface AutocannonOptions {
    readonly url: string;
    readonly method?: string;
    readonly headers?: Readonly<Record<string, string>>;
    readonly body?: string;
    readonly connections?: number;
    /** Seconds. */
    readonly duration?: number;
    /** Requests to make, instead of a duration. */
    readonly amount?: number;
    /** Seconds. */
    readonly timeout?: number;
    readonly verifyBody?: (body: string) => boolean;
  }

  interface Histogram {
    readonly average: number;
    readonly p50: number;
    readonly p99: number;
    readonly total: number;
  }

  interface AutocannonResult {
    readonly requests: Histogram;
    readonly latency: Histogram;
    /** Seconds actually run. */
    readonly duration: number;
    readonly errors: number;
    readonly timeouts: number;
    readonly mismatches: number;
    readonly non2xx: number;
    readonly '2xx': number;
  }

  /** autocannon is a CommonJS module whose export is this function. */
  function autocannon(options: AutocannonOptions): Promise<AutocannonResult>;
  export = autocannon;
}
