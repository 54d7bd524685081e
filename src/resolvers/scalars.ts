import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { Decimal } from 'decimal.js';
import { isIsoDate } from '../domain/dates.js';
import { isCurrencyCode, toDecimal } from '../domain/money.js';

/**
 * Custom scalars. Inputs are validated strictly: a bad value is a GraphQL validation error that
 * names the scalar and the value, and no resolver runs.
 */

const DECIMAL_TEXT = /^-?\d{1,30}(\.\d{1,18})?$/;
const EMAIL = /^[^\s@]{1,64}@[^\s@.]+(\.[^\s@.]+)+$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

function invalid(scalar: string, value: unknown, rule: string): GraphQLError {
  return new GraphQLError(`${scalar} cannot represent ${JSON.stringify(value) ?? String(value)}: ${rule}`);
}

function literalValue(ast: ValueNode): unknown {
  if (ast.kind === Kind.STRING) return ast.value;
  if (ast.kind === Kind.INT) return Number(ast.value);
  if (ast.kind === Kind.FLOAT) return Number(ast.value);
  return ast.kind;
}

function parseDecimal(value: unknown): Decimal {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw invalid('Decimal', value, 'send amounts with a fraction as strings ("12.34"), never as floats');
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
    if (ast.kind === Kind.FLOAT) throw invalid('Decimal', literalValue(ast), 'send amounts with a fraction as strings ("12.34"), never as floats');
    return parseDecimal(literalValue(ast));
  },
});

function parseDateTime(value: unknown): Date {
  if (typeof value !== 'string' || !ISO_INSTANT.test(value)) {
    throw invalid('DateTime', value, 'expected ISO-8601 with a zone, e.g. "2026-10-07T12:00:00Z"');
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime()) || !isIsoDate(value.slice(0, 10))) throw invalid('DateTime', value, 'not a real instant');
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
  if (typeof value !== 'string' || value.length > 254 || !EMAIL.test(value)) throw invalid('EmailAddress', value, 'expected an e-mail address');
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
    throw new GraphQLError(
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
