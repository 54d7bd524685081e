import { GraphQLError, type GraphQLResolveInfo } from 'graphql';
import { responsePathAsArray } from 'graphql';
import type { GatewayContext } from '../context.js';
import type { SourceSystem, UnavailableSourceModel } from '../domain/models.js';
import { GatewayError } from '../errors.js';

/** One system's contribution to a merged list. */
export interface SourceRead<T> {
  readonly system: SourceSystem;
  readonly read: () => Promise<readonly T[]>;
}

export interface FanOutResult<T> {
  readonly items: T[];
  /** False when at least one system failed: its items are missing and an error names it. */
  readonly complete: boolean;
  /** The systems that failed, in band (the connection's `unavailableSources`). */
  readonly unavailable: UnavailableSourceModel[];
}

/**
 * Reads every system at once (the reads start in the same tick, so calls to different upstreams
 * overlap), merges what arrived in `compare` order, and turns each failed system into an error at
 * this field's path whose extensions name the system, and into an `unavailable` entry; the field
 * itself still resolves.
 */
export async function fanOut<T>(
  context: GatewayContext,
  info: GraphQLResolveInfo,
  reads: readonly SourceRead<T>[],
  compare: (left: T, right: T) => number,
): Promise<FanOutResult<T>> {
  const result = await readEvery(reads, compare);
  const path = responsePathAsArray(info.path);
  for (const error of result.errors) context.partialErrors.push(new GraphQLError(error.message, { ...error, path, originalError: error.originalError ?? undefined }));
  return result;
}

/**
 * The systems a merged answer is missing, without errors of its own: for a field beside the one
 * that reported them (Customer.balancesUnavailableSources). The reads share the request's loaders,
 * so asking again costs no call.
 */
export async function unavailableSources<T>(reads: readonly SourceRead<T>[]): Promise<UnavailableSourceModel[]> {
  return (await readEvery(reads, () => 0)).unavailable;
}

async function readEvery<T>(reads: readonly SourceRead<T>[], compare: (left: T, right: T) => number): Promise<FanOutResult<T> & { errors: GraphQLError[] }> {
  const settled = await Promise.allSettled(reads.map((source) => source.read()));
  const items: T[] = [];
  const errors: GraphQLError[] = [];
  const unavailable: UnavailableSourceModel[] = [];
  settled.forEach((outcome, index) => {
    const system = reads[index]!.system;
    if (outcome.status === 'fulfilled') {
      items.push(...outcome.value);
      return;
    }
    const error = partialError(outcome.reason, system);
    errors.push(error);
    unavailable.push({ system, code: String(error.extensions['code'] ?? 'INTERNAL_SERVER_ERROR'), message: error.message });
  });
  return { items: items.sort(compare), complete: errors.length === 0, unavailable, errors };
}

/** A failed system's error, without a path yet (fanOut puts it at its field's). */
function partialError(reason: unknown, system: SourceSystem): GraphQLError {
  if (reason instanceof GatewayError) {
    return new GraphQLError(reason.message, { originalError: reason, extensions: { ...reason.extensions, system } });
  }
  return new GraphQLError(`${system} could not be read`, { originalError: reason instanceof Error ? reason : undefined, extensions: { code: 'INTERNAL_SERVER_ERROR', system } });
}

/**
 * Newest first by a date-like key (nulls last), then by a tie-breaker so the order is stable. Each
 * item's keys are computed once, not once per comparison: a sort compares each item about log n
 * times, and a key such as `paidAt.toISOString()` is not free (issue 16).
 */
export function newestFirst<T extends object>(dateOf: (item: T) => string | null, tieBreak: (item: T) => string): (left: T, right: T) => number {
  const keys = new Map<T, { readonly date: string | null; tie?: string }>();
  const keysOf = (item: T) => {
    let known = keys.get(item);
    if (!known) keys.set(item, (known = { date: dateOf(item) }));
    return known;
  };
  return (left, right) => {
    const l = keysOf(left);
    const r = keysOf(right);
    const a = l.date;
    const b = r.date;
    if (a !== b) {
      if (a === null) return 1;
      if (b === null) return -1;
      return a < b ? 1 : -1;
    }
    const x = (l.tie ??= tieBreak(left));
    const y = (r.tie ??= tieBreak(right));
    return x < y ? 1 : x > y ? -1 : 0;
  };
}
