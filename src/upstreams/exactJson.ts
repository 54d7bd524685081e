import { Decimal } from 'decimal.js';
import { z } from 'zod';
import { LosslessNumber, isSafeNumber, parse as losslessParse, stringify as losslessStringify } from 'lossless-json';

/**
 * JSON as the upstreams write it, with no amount passing through a binary float.
 *
 * Reading: a number whose digits a double holds exactly (every number with at most 15 significant
 * digits, and longer ones that happen to be exact) becomes a JS number; any other becomes a
 * LosslessNumber carrying the digits as written. Wire schemas take either where they take an amount
 * (`wireAmount` in each wire.ts) and refuse a LosslessNumber anywhere else, so an id or a count that
 * a double would round is a bad response, never a silently different value.
 *
 * Writing: LosslessNumber values are written as their digits; everything else as JSON.stringify would.
 */

/**
 * Whether the text holds a run of 16 or more digits and dots. A number token with 16 or more
 * significant digits needs one (its mantissa), so bodies without such a run — almost all of them —
 * are parsed by JSON.parse, which is exact for them; the rest go through lossless-json. The run may
 * sit inside a string (a card number, a long reference): that only costs the slower parse, never a
 * wrong value.
 *
 * Any 16 consecutive positions include exactly one at index 15, 31, 47, …, so only those are probed
 * and a run is measured only around a probe that hits a digit or dot: about one character in 16 is
 * read on a typical body instead of every one (issue 16; the scan was 2 % of the gateway's CPU).
 */
export function hasLongDigitRun(text: string): boolean {
  const length = text.length;
  for (let probe = 15; probe < length; probe += 16) {
    if (!isDigitOrDot(text.charCodeAt(probe))) continue;
    let start = probe;
    while (start > 0 && isDigitOrDot(text.charCodeAt(start - 1))) start -= 1;
    let end = probe + 1;
    while (end < length && isDigitOrDot(text.charCodeAt(end))) end += 1;
    if (end - start >= 16) return true;
  }
  return false;
}

function isDigitOrDot(code: number): boolean {
  return (code >= 48 && code <= 57) || code === 46;
}

function exactNumber(digits: string): number | LosslessNumber {
  return isSafeNumber(digits) ? Number(digits) : new LosslessNumber(digits);
}

/** Parses an upstream (or simulator) body; throws SyntaxError on text that is not JSON. */
export function parseExactJson(text: string): unknown {
  if (!hasLongDigitRun(text)) return JSON.parse(text) as unknown;
  return losslessParse(text, null, exactNumber);
}

/** Decimal values (simulator state) are written as JSON numbers with exactly their digits. */
const decimalAsNumber = { test: (value: unknown) => Decimal.isDecimal(value), stringify: (value: unknown) => (value as Decimal).toFixed() };

/**
 * Serialises a request (or simulator answer) body: LosslessNumber and Decimal values as JSON numbers
 * with exactly their digits, everything else as JSON.stringify would.
 */
export function stringifyExactJson(value: unknown): string {
  const text = losslessStringify(value, null, undefined, [decimalAsNumber]);
  if (text === undefined) throw new TypeError('nothing to serialise');
  return text;
}

export { LosslessNumber };

/** A JSON number in a wire schema: a JS number, or the exact digits of one a double cannot hold. */
export const jsonNumber = z.union([z.number(), z.instanceof(LosslessNumber)]);
