import { isGuid } from './odata.js';

/**
 * The shape of every iQmetrix key in a path: a company id is a positive integer, invoice and
 * payment ids are GUIDs (`Invoices(<guid>)`), so nothing but those reaches the OData path.
 */
export function isIqmetrixCompanyId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

export function isIqmetrixGuid(value: unknown): value is string {
  return isGuid(value);
}
