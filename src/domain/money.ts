import { Decimal } from 'decimal.js';
import currencyCodes from 'currency-codes';

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
 * Reads an upstream amount. JSON numbers are converted through their shortest round-trip text
 * (`String(n)`), which is the literal the upstream wrote for any amount with at most 15 significant
 * digits; strings are parsed as written.
 */
export function toDecimal(value: number | string | Decimal): Decimal {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new RangeError(`not a finite amount: ${value}`);
  }
  return new ExactDecimal(typeof value === 'number' ? String(value) : value);
}

export const ZERO = toDecimal(0);

export function money(amount: number | string | Decimal, currencyCode: string): MoneyModel {
  return { amount: toDecimal(amount), currencyCode };
}

export function sumDecimals(values: readonly Decimal[]): Decimal {
  return values.reduce<Decimal>((total, value) => total.plus(value), ZERO);
}

/** ISO-4217 codes that name no money: XXX (no currency involved) and XTS (reserved for testing). */
const NOT_MONEY = new Set(['XXX', 'XTS']);

/** Whether `code` is an active ISO-4217 currency code (upper case, as ISO writes it). */
export function isCurrencyCode(code: string): boolean {
  return /^[A-Z]{3}$/.test(code) && !NOT_MONEY.has(code) && currencyCodes.code(code) !== undefined;
}

/**
 * Minor-unit digits of a currency, from ISO 4217 (2 for USD, 0 for JPY, 3 for BHD and KWD, 4 for
 * CLF): an amount in that currency has at most this many decimals. 2 when ISO gives none.
 */
export function currencyDigits(code: string): number {
  return currencyCodes.code(code)?.digits ?? 2;
}

/** A JSON number for an upstream request body. Only called at the wire edge of a client. */
export function decimalToWireNumber(value: Decimal): number {
  return Number(value.toFixed());
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
