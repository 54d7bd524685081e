import { createHash } from 'node:crypto';
import { Decimal } from 'decimal.js';
import { toDecimal } from '../domain/money.js';

/**
 * The faithful codec for stored mutation payloads. Payloads are domain models holding Decimal and
 * Date values, which JSON alone would turn into strings; here they are tagged (`{"$decimal": "12.30"}`,
 * `{"$date": "2026-10-05T10:00:00.000Z"}`) and restored on decode, so a replay hands the type
 * resolvers the same values the first answer had. A plain object that has a key starting with `$` is
 * wrapped (`{"$object": …}`) so data can never be mistaken for a tag. Anything else that is not plain
 * data (functions, Maps, class instances) is refused at encode time rather than silently changed.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function encodePayload(value: unknown): string {
  return JSON.stringify(tag(value, '$'));
}

export function decodePayload(text: string): unknown {
  return untag(JSON.parse(text) as Json);
}

/**
 * A stable hash of a mutation's input without its idempotency key: the same request always gives
 * the same fingerprint, whatever the order of its fields; an absent field and a null one are the same
 * (the resolvers treat them alike), and decimals compare by value ("10.50" and "10.5" are one amount).
 */
export function fingerprintOf(input: object): string {
  const { idempotencyKey: _key, ...rest } = input as { idempotencyKey?: unknown };
  return createHash('sha256').update(JSON.stringify(canonical(rest, '$'))).digest('base64url');
}

function tag(value: unknown, path: string): Json {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`cannot store ${value} at ${path}`);
    return value;
  }
  if (Decimal.isDecimal(value)) return { $decimal: value.toString() };
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new TypeError(`cannot store an invalid Date at ${path}`);
    return { $date: value.toISOString() };
  }
  if (Array.isArray(value)) return value.map((item, index) => (item === undefined ? null : tag(item, `${path}[${index}]`)));
  if (isPlainObject(value)) {
    const out: { [key: string]: Json } = {};
    let needsWrap = false;
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined) continue;
      if (key.startsWith('$')) needsWrap = true;
      out[key] = tag(item, `${path}.${key}`);
    }
    return needsWrap ? { $object: out } : out;
  }
  throw new TypeError(`cannot store a ${describe(value)} at ${path}`);
}

function untag(value: Json): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(untag);
  const keys = Object.keys(value);
  if (keys.length === 1) {
    const inner = value[keys[0]!]!;
    if (keys[0] === '$decimal' && typeof inner === 'string') return toDecimal(inner);
    if (keys[0] === '$date' && typeof inner === 'string') return new Date(inner);
    if (keys[0] === '$object' && typeof inner === 'object' && inner !== null && !Array.isArray(inner)) return untagFields(inner);
  }
  return untagFields(value);
}

function untagFields(value: { [key: string]: Json }): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = untag(item);
  return out;
}

function canonical(value: unknown, path: string): Json {
  if (Decimal.isDecimal(value)) return { $decimal: value.toString() };
  if (value instanceof Date) return { $date: value.toISOString() };
  if (Array.isArray(value)) return value.map((item, index) => canonical(item ?? null, `${path}[${index}]`));
  if (isPlainObject(value)) {
    const out: { [key: string]: Json } = {};
    for (const key of Object.keys(value).sort()) {
      const item = value[key];
      if (item === undefined || item === null) continue;
      out[key] = canonical(item, `${path}.${key}`);
    }
    return out;
  }
  return tag(value, path);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function describe(value: unknown): string {
  if (typeof value === 'object' && value !== null) return value.constructor?.name ?? 'object';
  return typeof value;
}
