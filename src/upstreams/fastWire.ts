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
 *
 * Decoders are written out field by field (`if (input['x'] !== undefined) row['x'] = asText(input['x'])`):
 * a store under a literal key is several times faster in V8 than one under a key read from a table
 * (an 18-field IQM payment row: about 0.09 µs against 0.5 µs, bench/wireDecode.ts), and a key the
 * input does not hold stays absent, as zod leaves an absent optional key.
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

/** `z.string()`. */
export function isText(value: unknown): value is string {
  return typeof value === 'string';
}

const DECIMAL_TEXT = /^-?\d+(\.\d+)?$/;

/** A documented .NET decimal (`z.union([jsonNumber, z.string().regex(/^-?\d+(\.\d+)?$/)])`). */
export function isDecimal(value: unknown): value is number | LosslessNumber | string {
  return isJsonNumber(value) || (typeof value === 'string' && DECIMAL_TEXT.test(value));
}

/*
 * The field readers of the written-out decoders: each returns `value` when its schema takes it as it
 * is, and otherwise makes the decoder step aside (`ensure`). Absent keys are the caller's: it reads a
 * field only when the input holds it.
 */

/** `value` as an object whose fields a decoder reads. */
export function asRecord(value: unknown): Record<string, unknown> {
  ensure(isRecord(value));
  return value as Record<string, unknown>;
}

/** `z.string()`. */
export function asText(value: unknown): string {
  ensure(typeof value === 'string');
  return value as string;
}

/** `z.string().nullable()`. */
export function asNullableText(value: unknown): string | null {
  ensure(value === null || typeof value === 'string');
  return value as string | null;
}

/** `z.number()`. */
export function asNumber(value: unknown): number {
  ensure(isNumber(value));
  return value as number;
}

/** `z.number().nullable()`. */
export function asNullableNumber(value: unknown): number | null {
  ensure(value === null || isNumber(value));
  return value as number | null;
}

/** `z.number().int()`. */
export function asInteger(value: unknown): number {
  ensure(isInteger(value));
  return value as number;
}

/** `z.number().int().nullable()`. */
export function asNullableInteger(value: unknown): number | null {
  ensure(value === null || isInteger(value));
  return value as number | null;
}

/** `z.boolean().nullable()`. */
export function asNullableFlag(value: unknown): boolean | null {
  ensure(value === null || typeof value === 'boolean');
  return value as boolean | null;
}

/** `jsonNumber`. */
export function asJsonNumber(value: unknown): number | LosslessNumber {
  ensure(isJsonNumber(value));
  return value as number | LosslessNumber;
}

/** `jsonNumber.nullable()`. */
export function asNullableJsonNumber(value: unknown): number | LosslessNumber | null {
  ensure(value === null || isJsonNumber(value));
  return value as number | LosslessNumber | null;
}

/** A .NET decimal (isDecimal). */
export function asDecimal(value: unknown): number | LosslessNumber | string {
  ensure(isDecimal(value));
  return value as number | LosslessNumber | string;
}

/** A .NET decimal or null. */
export function asNullableDecimal(value: unknown): number | LosslessNumber | string | null {
  ensure(value === null || isDecimal(value));
  return value as number | LosslessNumber | string | null;
}

/** `z.array(item)`: a new array of the decoded items. */
export function asList<T>(value: unknown, item: (value: unknown) => T): T[] {
  ensure(Array.isArray(value));
  const input = value as unknown[];
  const output: T[] = [];
  for (const element of input) output.push(item(element));
  return output;
}

/** `z.array(item).nullable()`. */
export function asNullableList<T>(value: unknown, item: (value: unknown) => T): T[] | null {
  return value === null ? null : asList(value, item);
}
