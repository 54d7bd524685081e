import { GraphQLError, type GraphQLResolveInfo } from 'graphql';
import { responsePathAsArray } from 'graphql';
import type { GatewayContext } from '../context.js';
import type { SourceSystem, UnavailableSourceModel } from '../domain/models.js';
import { GatewayError } from '../errors.js';

/** One system's contribution to a merged list. */
export interface SourceRead<T> {
  readonly system: SourceSystem;
  /** The system's rows, or a PartialPart when some rows' own reads failed and only the others are merged. */
  readonly read: () => Promise<readonly T[] | PartialPart<T>>;
}

/**
 * A system's part that is missing some rows: those whose own read (an iQmetrix invoice's D2, a
 * Refrens invoice's C2) failed. The rows it has are merged; `error` names the system and says how
 * many are missing (src/unified/rowReads.ts), and is reported like a failed system's.
 */
export class PartialPart<T> {
  constructor(
    readonly items: readonly T[],
    readonly error: GraphQLError,
  ) {}
}

/** `items`, or a PartialPart of them when `failure` says some rows are missing. */
export function partOf<T>(items: readonly T[], failure: GraphQLError | null): readonly T[] | PartialPart<T> {
  return failure ? new PartialPart(items, failure) : items;
}

export interface FanOutResult<T> {
  readonly items: T[];
  /** False when at least one system failed or lost rows: they are missing and an error names the system. */
  readonly complete: boolean;
  /** The systems that failed or lost rows, in band (the connection's `unavailableSources`). */
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
  reportAtField(context, info, result.errors);
  return result;
}

/** Reports errors of a field that still resolves (a merged list missing a part) at that field's path. */
export function reportAtField(context: GatewayContext, info: GraphQLResolveInfo, errors: readonly GraphQLError[]): void {
  if (errors.length === 0) return;
  const path = responsePathAsArray(info.path);
  for (const error of errors) context.partialErrors.push(new GraphQLError(error.message, { ...error, path, originalError: error.originalError ?? undefined }));
}

/** The in-band entry of a failed system or part (`UnavailableSource`), with its error's code and message. */
export function unavailableEntry(system: SourceSystem, error: GraphQLError): UnavailableSourceModel {
  return { system, code: String(error.extensions['code'] ?? 'INTERNAL_SERVER_ERROR'), message: error.message };
}

/**
 * The systems a merged answer is missing, without errors of its own: for a field beside the one
 * that reported them (Customer.balancesUnavailableSources). The reads share the request's loaders
 * and invoice facts, so asking again beside that field costs no call.
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
    let error: GraphQLError;
    if (outcome.status === 'fulfilled') {
      const part = outcome.value;
      if (!(part instanceof PartialPart)) {
        items.push(...part);
        return;
      }
      items.push(...part.items);
      error = part.error;
    } else {
      error = partialError(outcome.reason, system);
    }
    errors.push(error);
    unavailable.push(unavailableEntry(system, error));
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
