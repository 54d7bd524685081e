import DataLoader from 'dataloader';

/**
 * How the request's loaders reach the upstreams. `batched` (the default) batches and de-duplicates
 * within a request; `naive` makes one upstream call per `load`, batching nothing and remembering
 * nothing — what a hand-written resolver per field does. Naive exists only so the benchmark can show
 * what batching saves (GATEWAY_EXECUTION_MODE=naive); never run it in production.
 */
export type ExecutionMode = 'batched' | 'naive';

/**
 * A per-request loader for upstream calls that have no batch endpoint: identical calls made while
 * one request resolves are made once (same tick or later), distinct calls go out in parallel.
 * `cacheKey` must capture every argument that changes the upstream call.
 */
export function memoLoader<K, V>(load: (key: K) => Promise<V>, cacheKey: (key: K) => string, mode: ExecutionMode = 'batched'): DataLoader<K, V, string> {
  return new DataLoader<K, V, string>(
    (keys) => Promise.all(keys.map((key) => load(key).catch((error: unknown) => toError(error)))),
    loaderOptions(mode, cacheKey),
  );
}

/**
 * DataLoader options for a mode: in naive mode every `load` is its own batch of one and nothing is
 * cached, whatever the batch function would have shared.
 */
export function loaderOptions<K, V>(mode: ExecutionMode, cacheKey: (key: K) => string): DataLoader.Options<K, V, string> {
  return mode === 'naive' ? { batch: false, cache: false, cacheKeyFn: cacheKey } : { cacheKeyFn: cacheKey };
}

/**
 * A value derived from loaders' answers (an index, a grouping), derived once per key per request.
 * Answers the value itself once it has settled, else its promise: a resolver that returns a plain
 * value lets graphql-js complete its field, and the object around it, without a promise. A failure
 * stays the rejected promise, so every reader gets the error. `clearAll` forgets it with the
 * loaders it derives from (a write drops an upstream's reads). In naive mode nothing is kept.
 */
export class DerivedRead<K, V> {
  private readonly known = new Map<string, V | Promise<V>>();

  constructor(
    private readonly derive: (key: K) => Promise<V>,
    private readonly cacheKey: (key: K) => string,
    private readonly mode: ExecutionMode,
  ) {}

  get(key: K): V | Promise<V> {
    const id = this.cacheKey(key);
    const known = this.known.get(id);
    if (known !== undefined) return known;
    const deriving = this.derive(key);
    if (this.mode === 'naive') return deriving;
    this.known.set(id, deriving);
    deriving.then(
      (value) => {
        // Unless a write forgot it meanwhile: then the next reader derives again.
        if (this.known.get(id) === deriving) this.known.set(id, value);
      },
      () => undefined,
    );
    return deriving;
  }

  clearAll(): void {
    this.known.clear();
  }
}

export function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
