import DataLoader from 'dataloader';

/**
 * A per-request loader for upstream calls that have no batch endpoint: identical calls made while
 * one request resolves are made once (same tick or later), distinct calls go out in parallel.
 * `cacheKey` must capture every argument that changes the upstream call.
 */
export function memoLoader<K, V>(load: (key: K) => Promise<V>, cacheKey: (key: K) => string): DataLoader<K, V, string> {
  return new DataLoader<K, V, string>(
    (keys) => Promise.all(keys.map((key) => load(key).catch((error: unknown) => toError(error)))),
    { cacheKeyFn: cacheKey },
  );
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
