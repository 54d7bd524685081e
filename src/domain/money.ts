import { Decimal } from 'decimal.js';
import currencyCodes from 'currency-codes';
import { LosslessNumber } from 'lossless-json';

/**
 * Money as the gateway holds it: an exact decimal and an ISO-4217 code.
 * Amounts never pass through a JS number once they are inside the gateway.
 */
export interface MoneyModel {
  readonly amount: Decimal;
  readonly currencyCode: string;
}

/** A decimal with enough precision that sums of upstream amounts are exact. */
const ExactDecimal = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_EVEN, toExpNeg: -40, toExpPos: 40 });

export type { Decimal };

/**
 * A JSON number as it travels on the wire: a JS number where a double holds its digits exactly,
 * otherwise a LosslessNumber carrying the digits as written (src/upstreams/exactJson.ts reads and
 * writes both).
 */
export type WireNumber = number | LosslessNumber;

/**
 * Reads an upstream amount. JSON numbers arrive as JS numbers only when a double holds them
 * exactly (exactJson.ts), so their shortest round-trip text (`String(n)`) is the literal the
 * upstream wrote; longer ones arrive as LosslessNumber and strings are parsed as written.
 */
export function toDecimal(value: number | string | Decimal | LosslessNumber): Decimal {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new RangeError(`not a finite amount: ${value}`);
  }
  if (value instanceof LosslessNumber) return new ExactDecimal(value.value);
  // decimal.js reads a number through its shortest round-trip text, as String() writes it, without
  // the string path's syntax check (issue 16); zero goes as text so -0 stays an unsigned 0.
  if (typeof value === 'number') return new ExactDecimal(value === 0 ? '0' : value);
  return new ExactDecimal(value);
}

export const ZERO = toDecimal(0);

export function money(amount: number | string | Decimal | LosslessNumber, currencyCode: string): MoneyModel {
  return { amount: toDecimal(amount), currencyCode };
}

export function sumDecimals(values: readonly Decimal[]): Decimal {
  return values.reduce<Decimal>((total, value) => total.plus(value), ZERO);
}

/** ISO-4217 codes that name no money: XXX (no currency involved) and XTS (reserved for testing). */
const NOT_MONEY = new Set(['XXX', 'XTS']);

/**
 * The active ISO-4217 codes, once: `currencyCodes.code` searches its list on every call, and every
 * Money in an answer has its code checked on the way out.
 */
const CURRENCY_CODES: ReadonlySet<string> = new Set(currencyCodes.codes().filter((code) => /^[A-Z]{3}$/.test(code) && !NOT_MONEY.has(code)));

/** Whether `code` is an active ISO-4217 currency code (upper case, as ISO writes it). */
export function isCurrencyCode(code: string): boolean {
  return CURRENCY_CODES.has(code);
}

/**
 * Minor-unit digits of a currency, from ISO 4217 (2 for USD, 0 for JPY, 3 for BHD and KWD, 4 for
 * CLF): an amount in that currency has at most this many decimals. 2 when ISO gives none.
 */
export function currencyDigits(code: string): number {
  return currencyCodes.code(code)?.digits ?? 2;
}

/**
 * A JSON number for an upstream request body, written with exactly the decimal's digits (never
 * through a float). Only called at the wire edge of a client; whether the upstream can hold the
 * amount is checked before that (`wireAmountProblem`).
 */
export function decimalToWireNumber(value: Decimal): WireNumber {
  const digits = value.toFixed();
  const asNumber = Number(digits);
  return toDecimal(asNumber).equals(value) ? asNumber : new LosslessNumber(digits);
}

/**
 * The number types upstream documents give an amount: an IEEE-754 double (a JSON or TypeScript
 * `number` read by a JavaScript server) or a .NET `decimal` (96-bit integer, scale 0–28).
 */
export type WireAmountType = 'double' | 'dotnet-decimal';

const DOTNET_DECIMAL_MAX_UNSCALED = new ExactDecimal(2).pow(96).minus(1);

/**
 * Why an upstream whose documented amount type is `type` cannot hold `value` exactly, or null when
 * it can. A double holds a decimal exactly when the decimal survives the round trip through the
 * nearest double (so 0.1 and 99999999999999.9 pass, 99999999999999.99 does not).
 */
export function wireAmountProblem(value: Decimal, type: WireAmountType): string | null {
  if (type === 'double') {
    const nearest = Number(value.toFixed());
    if (Number.isFinite(nearest) && toDecimal(nearest).equals(value)) return null;
    return `${value.toFixed()} has more significant digits than the upstream's number type (an IEEE-754 double, about 15 digits) holds; it would arrive rounded`;
  }
  const scale = value.decimalPlaces();
  const unscaled = value.abs().times(new ExactDecimal(10).pow(scale));
  if (scale <= 28 && unscaled.lessThanOrEqualTo(DOTNET_DECIMAL_MAX_UNSCALED)) return null;
  return `${value.toFixed()} does not fit the upstream's decimal type (.NET decimal: 28-29 significant digits)`;
}

/** Totals of several amounts, one entry per currency, in currency-code order. */
export function totalsByCurrency(amounts: readonly MoneyModel[]): MoneyModel[] {
  const byCurrency = new Map<string, Decimal>();
  for (const { amount, currencyCode } of amounts) {
    byCurrency.set(currencyCode, (byCurrency.get(currencyCode) ?? ZERO).plus(amount));
  }
  return [...byCurrency.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currencyCode, amount]) => ({ amount, currencyCode }));
}
