import { GraphQLScalarType, Kind, print, type ValueNode } from 'graphql';
import { Decimal } from 'decimal.js';
import { isIsoDate } from '../domain/dates.js';
import { isCurrencyCode, toDecimal } from '../domain/money.js';

/**
 * Custom scalars. Inputs are validated strictly: a bad value is refused before any resolver runs,
 * with a message that names the scalar, the value and the rule. graphql-js puts the field path in
 * front of it (`Variable "$input" got invalid value "abc" at "input.amount"; …`), and
 * src/security/inputPaths.ts does the same for values written inline in the document.
 * Output is checked only where a bad value would be the gateway's own bug (Decimal, dates, currency).
 */

const DECIMAL_TEXT = /^-?\d{1,30}(\.\d{1,18})?$/;
/** RFC 5321/5322 "dot-atom" local part and a DNS host name with a top-level domain of letters. */
const EMAIL =
  /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_INSTANT = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-](\d{2}):(\d{2}))$/;

/** A value a scalar refuses; `shown` is how the value is quoted in the message. */
class InvalidValue {
  constructor(readonly shown: string) {}
}

/**
 * A plain TypeError on purpose, not a GraphQLError: graphql-js then wraps it with where the value
 * is (a literal's location, which inputPaths.ts turns into its path; a variable's path). A
 * GraphQLError thrown here would be reported bare, with neither.
 */
function invalid(scalar: string, value: unknown, rule: string): TypeError {
  const shown = value instanceof InvalidValue ? value.shown : (JSON.stringify(value) ?? String(value));
  return new TypeError(`${scalar} cannot represent ${shown}: ${rule}`);
}

/**
 * The JavaScript value of a literal for the parse functions: strings as written, whole numbers
 * as their digits (exact, however long), anything else as a refusal quoting the literal.
 */
function literalValue(ast: ValueNode): unknown {
  if (ast.kind === Kind.STRING) return ast.value;
  if (ast.kind === Kind.INT) return Number.isSafeInteger(Number(ast.value)) ? Number(ast.value) : new InvalidValue(ast.value);
  if (ast.kind === Kind.FLOAT) return Number(ast.value);
  return new InvalidValue(print(ast));
}

function parseDecimal(value: unknown): Decimal {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw invalid('Decimal', value, 'send amounts as strings ("12.34"): a JSON number with a fraction, or above 2^53, is not exact');
    return toDecimal(value);
  }
  if (typeof value !== 'string' || !DECIMAL_TEXT.test(value)) {
    throw invalid('Decimal', value, 'expected a decimal string such as "1250.50"');
  }
  return toDecimal(value);
}

export const DecimalScalar = new GraphQLScalarType<Decimal, string>({
  name: 'Decimal',
  description: 'An exact decimal number, serialised as a string.',
  serialize(value) {
    if (value instanceof Decimal) return value.toFixed();
    if (typeof value === 'string' && DECIMAL_TEXT.test(value)) return value;
    throw invalid('Decimal', value, 'not a decimal');
  },
  parseValue: parseDecimal,
  parseLiteral(ast) {
    if (ast.kind === Kind.FLOAT) throw invalid('Decimal', new InvalidValue(ast.value), 'send amounts with a fraction as strings ("12.34"), never as floats');
    // An integer literal is exact as written, however long; only a JSON number loses digits.
    return parseDecimal(ast.kind === Kind.INT ? ast.value : literalValue(ast));
  },
});

function parseDateTime(value: unknown): Date {
  const match = typeof value === 'string' ? ISO_INSTANT.exec(value) : null;
  if (typeof value !== 'string' || !match) {
    throw invalid('DateTime', value, 'expected ISO-8601 with a zone, e.g. "2026-10-07T12:00:00Z"');
  }
  const [, day = '', hour = '', minute = '', second = '00', , , offsetHour = '00', offsetMinute = '00'] = match;
  // Date.parse takes 24:00 as the next midnight and rolls some impossible values over: check each part.
  const inRange = isIsoDate(day) && Number(hour) <= 23 && Number(minute) <= 59 && Number(second) <= 59 && Number(offsetHour) <= 23 && Number(offsetMinute) <= 59;
  const date = new Date(value);
  if (!inRange || Number.isNaN(date.getTime())) throw invalid('DateTime', value, 'not a real instant');
  return date;
}

export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  serialize(value) {
    if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString();
    if (typeof value === 'string') return parseDateTime(value).toISOString();
    throw invalid('DateTime', value, 'not an instant');
  },
  parseValue: parseDateTime,
  parseLiteral: (ast) => parseDateTime(literalValue(ast)),
});

function parseDate(value: unknown): string {
  if (typeof value !== 'string' || !isIsoDate(value)) throw invalid('Date', value, 'expected a real calendar date YYYY-MM-DD');
  return value;
}

export const DateScalar = new GraphQLScalarType<string, string>({
  name: 'Date',
  serialize: parseDate,
  parseValue: parseDate,
  parseLiteral: (ast) => parseDate(literalValue(ast)),
});

function parseCurrencyCode(value: unknown): string {
  if (typeof value !== 'string' || !isCurrencyCode(value)) throw invalid('CurrencyCode', value, 'expected an active ISO-4217 code such as "USD"');
  return value;
}

export const CurrencyCodeScalar = new GraphQLScalarType<string, string>({
  name: 'CurrencyCode',
  serialize: parseCurrencyCode,
  parseValue: parseCurrencyCode,
  parseLiteral: (ast) => parseCurrencyCode(literalValue(ast)),
});

function parseEmail(value: unknown): string {
  const local = typeof value === 'string' ? value.slice(0, value.lastIndexOf('@')) : '';
  if (typeof value !== 'string' || value.length > 254 || local.length > 64 || !EMAIL.test(value)) {
    throw invalid('EmailAddress', value, 'expected an e-mail address such as "name@example.com"');
  }
  return value;
}

export const EmailAddressScalar = new GraphQLScalarType<string, string>({
  name: 'EmailAddress',
  serialize: (value) => String(value),
  parseValue: parseEmail,
  parseLiteral: (ast) => parseEmail(literalValue(ast)),
});

function parseGuid(value: unknown): string {
  if (typeof value !== 'string' || !GUID.test(value)) throw invalid('Guid', value, 'expected a GUID such as "503d1d4a-c974-4286-b4a2-002699e60ad6"');
  return value.toLowerCase();
}

export const GuidScalar = new GraphQLScalarType<string, string>({
  name: 'Guid',
  serialize: (value) => String(value),
  parseValue: parseGuid,
  parseLiteral: (ast) => parseGuid(literalValue(ast)),
});

/** The shape of an idempotency key; its meaning is in src/idempotency. Self-contained on purpose. */
const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{8,128}$/;

function parseIdempotencyKey(value: unknown): string {
  if (typeof value !== 'string' || !IDEMPOTENCY_KEY.test(value)) {
    const shown = typeof value === 'string' ? JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value) : 'a non-string value';
    // A TypeError, like invalid() above, so graphql-js reports where the value is.
    throw new TypeError(
      `IdempotencyKey cannot represent ${shown}: expected 8 to 128 characters of A-Z, a-z, 0-9, "_", ".", ":" or "-" (a UUID fits)`,
    );
  }
  return value;
}

export const IdempotencyKeyScalar = new GraphQLScalarType<string, string>({
  name: 'IdempotencyKey',
  serialize: parseIdempotencyKey,
  parseValue: parseIdempotencyKey,
  // A non-string literal (an Int that happens to look like a key) is refused, not coerced.
  parseLiteral: (ast) => parseIdempotencyKey(ast.kind === Kind.STRING ? ast.value : null),
});

export const scalarResolvers = {
  Decimal: DecimalScalar,
  DateTime: DateTimeScalar,
  Date: DateScalar,
  CurrencyCode: CurrencyCodeScalar,
  EmailAddress: EmailAddressScalar,
  Guid: GuidScalar,
  IdempotencyKey: IdempotencyKeyScalar,
};
