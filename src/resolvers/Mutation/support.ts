import type { GatewayContext } from '../../context.js';
import { fromGlobalId } from '../../domain/globalId.js';
import type { IqmInvoiceModel, UserErrorModel } from '../../domain/models.js';
import { parseIqmKey } from '../../federation/ids.js';
import type { IqmWriteResult } from '../../upstreams/iqm/index.js';

/** The payload of a mutation that changed nothing. */
export function rejected<T extends object>(payload: T, userErrors: UserErrorModel[]): T & { userErrors: UserErrorModel[] } {
  return { ...payload, userErrors };
}

export function invalidInput(field: readonly string[], message: string, code: UserErrorModel['code'] = 'INVALID_INPUT'): UserErrorModel {
  return { field, message, code };
}

/**
 * IQM's business refusals (`errorObjects`) as user errors. A 422 on a state change means the object
 * is not in a state that allows it, so those callers pass INVALID_TRANSITION.
 */
export function iqmUserErrors(
  result: Extract<IqmWriteResult, { ok: false }>,
  unprocessableCode: UserErrorModel['code'] = 'UPSTREAM_REJECTED',
): UserErrorModel[] {
  const code: UserErrorModel['code'] = result.status === 403 ? 'FORBIDDEN' : result.status === 404 ? 'NOT_FOUND' : result.status === 422 ? unprocessableCode : 'UPSTREAM_REJECTED';
  const messages = result.errors.length > 0 ? result.errors : ['IQM refused the request'];
  return messages.map((message) => ({ field: null, message, code }));
}

/** Decodes the global id of an IqmInvoice given in `input.<field>`. */
export function iqmInvoiceKey(id: string): { owId: number; invoiceId: number } | null {
  const parts = fromGlobalId(id);
  if (!parts || parts.typeName !== 'IqmInvoice') return null;
  const key = parseIqmKey(parts.key);
  return key ? { owId: key.owId, invoiceId: key.id } : null;
}

/** Decodes the global id of an IqmPayment. */
export function iqmPaymentKey(id: string): { owId: number; paymentId: number } | null {
  const parts = fromGlobalId(id);
  if (!parts || parts.typeName !== 'IqmPayment') return null;
  const key = parseIqmKey(parts.key);
  return key ? { owId: key.owId, paymentId: key.id } : null;
}

/** Reads an IQM invoice again after a write: the request's cached lists are dropped first. */
export async function freshIqmInvoice(context: GatewayContext, owId: number, invoiceId: number): Promise<IqmInvoiceModel | null> {
  context.iqm.loaders.invoiceList.clearAll();
  context.iqm.loaders.invoice.clearAll();
  context.iqm.loaders.customerPayments.clear(owId);
  return context.iqm.loaders.invoice.load({ owId, invoiceId });
}
