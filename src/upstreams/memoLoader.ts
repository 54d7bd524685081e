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
 * Starts a load whose result a resolver further down the same operation will ask for, so that call
 * overlaps the ones being made now instead of waiting for them. A failure is not reported here: the
 * resolver that asks for the value later gets it from the loader's cache. Does nothing in naive
 * mode, where nothing is cached and the later `load` would make the call again.
 */
export function prefetch<K, V>(loader: DataLoader<K, V, string>, key: K, mode: ExecutionMode): void {
  if (mode === 'naive') return;
  loader.load(key).catch(() => undefined);
}

export function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
