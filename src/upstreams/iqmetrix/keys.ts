import { isGuid } from './odata.js';

/**
 * The shape of every iQmetrix key in a path: a company id is a positive integer, and
 * invoice ids are GUIDs (`Invoices(<guid>)`), so nothing but those reaches the OData path.
 */
export function isIqmetrixCompanyId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

export function isIqmetrixGuid(value: unknown): value is string {
  return isGuid(value);
}

/**
 * A payment's `Id` is a String in the documentation ("15215" in its sample), not a GUID. It never
 * reaches a path (a payment is read from its invoice's D2 detail); it is still held to a short
 * token of letters, digits and dashes so that a hand-made id cannot carry anything else.
 */
export function isIqmetrixPaymentId(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9-]{1,64}$/.test(value);
}
