import type { OperationDefinitionNode } from 'graphql';

/**
 * Results derived from one operation and its variables alone, kept for the next request that sends
 * the same document with the same variables (issue 16: the cost walks ran on every request, a tenth
 * of a small operation's CPU). Apollo hands every request of a cached document the same parsed
 * operation object, so a WeakMap keyed by it lets a result go when Apollo drops the document; each
 * operation keeps its `maxEntries` most recent variable sets.
 */
export class OperationMemo<T> {
  private readonly byOperation = new WeakMap<OperationDefinitionNode, Map<string, T>>();

  constructor(private readonly maxEntries = 64) {}

  /** The remembered result for `key`, else `compute()`'s, remembered unless it throws. */
  get(operation: OperationDefinitionNode, key: string, compute: () => T): T {
    let results = this.byOperation.get(operation);
    const known = results?.get(key);
    if (known !== undefined) return known;
    const value = compute();
    if (!results) this.byOperation.set(operation, (results = new Map()));
    if (results.size >= this.maxEntries) results.delete(results.keys().next().value!);
    results.set(key, value);
    return value;
  }
}

/** The variables exactly as the request sent them, as a key: coercion is a function of them. */
export function variablesKey(variables: Readonly<Record<string, unknown>> | undefined): string {
  return variables === undefined ? '' : JSON.stringify(variables);
}
