import { LosslessNumber } from 'lossless-json';

/**
 * Fast paths beside the zod schemas of the largest upstream rows (issue 16: zod took 4–10 µs per
 * ledger row and 1.5–2.6 µs per IQM row, several times what parsing the JSON costs).
 *
 * A fast decoder accepts only values its schema accepts and returns exactly what the schema's
 * parse would return (the same keys, in the same order, with the same transforms); for anything
 * else it returns undefined and the schema decides, so a value the schema refuses is refused with
 * zod's own message, as before. test/upstreams/fastWire.test.ts checks every decoder against its
 * schema on generated rows, valid and not.
 */
export type FastDecoder<T> = (value: unknown) => T | undefined;

const decoders = new WeakMap<object, FastDecoder<unknown>>();

/** Registers `decoder` as the fast path of `schema`; returns the schema. */
export function withFastPath<S extends object, T>(schema: S, decoder: FastDecoder<T>): S {
  decoders.set(schema, decoder);
  return schema;
}

/** The fast path registered for `schema`, if any. */
export function fastDecoderOf(schema: object): FastDecoder<unknown> | undefined {
  return decoders.get(schema);
}

/** Refused by a fast decoder: the schema decides instead. */
class NotFast extends Error {}
const NOT_FAST = new NotFast();

/** Throws unless `condition` holds; `attempt` catches it and answers undefined. */
export function ensure(condition: boolean): void {
  if (!condition) throw NOT_FAST;
}

/** Runs a decoder body that calls `ensure`; undefined when a requirement failed. */
export function attempt<T>(decode: () => T): T | undefined {
  try {
    return decode();
  } catch (error) {
    if (error === NOT_FAST) return undefined;
    throw error;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof LosslessNumber);
}

/** `z.number()`: a finite JS number (JSON never holds another). */
export function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** `z.number().int()`: zod 4 takes a safe integer. */
export function isInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

/** `jsonNumber`: a JS number, or the exact digits exactJson.ts kept of a longer one. */
export function isJsonNumber(value: unknown): value is number | LosslessNumber {
  return isNumber(value) || value instanceof LosslessNumber;
}

/** `.nullable().optional()` (or `.nullish()`) around a check. */
export function isNullish(value: unknown): value is null | undefined {
  return value === null || value === undefined;
}
