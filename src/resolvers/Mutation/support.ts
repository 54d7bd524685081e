import type { GatewayContext } from '../../context.js';
import { ownsIqmWorkspace } from '../../auth/index.js';
import { fromGlobalId } from '../../domain/globalId.js';
import type { CreditModel, CustomerModel, IqmInvoiceModel, IqmPaymentModel, UserErrorModel } from '../../domain/models.js';
import { currencyDigits, decimalToWireNumber, wireAmountProblem, type Decimal, type WireAmountType } from '../../domain/money.js';
import { customerFromGlobalId } from '../../unified/customers.js';
import { parseIqmKey } from '../../unified/ids.js';
import { IQM_AMOUNT_TYPE, type IqmProofFile, type IqmWriteResult } from '../../upstreams/iqm/index.js';

/**
 * The client's own value for a field the idempotency marker may take (a transaction id, notes); null
 * when absent or blank. The marker goes exactly where this is null, and the write is reconcilable
 * exactly then: a blank value sent as is would carry no marker, and a search for the marker would
 * wrongly prove the write absent.
 */
export function clientMarkerField(value: string | null | undefined): string | null {
  return value?.trim() ? value : null;
}

/** The payload of a mutation that changed nothing. */
export function rejected<T extends object>(payload: T, userErrors: UserErrorModel[]): T & { userErrors: UserErrorModel[] } {
  return { ...payload, userErrors };
}

export function invalidInput(field: readonly string[] | null, message: string, code: UserErrorModel['code'] = 'INVALID_INPUT'): UserErrorModel {
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

/**
 * Decodes the global id of an IQM object of `typeName`; null when it is not one, or names a
 * workspace outside the caller's tenant (such ids are refused before any upstream call).
 */
function ownIqmKey(context: GatewayContext, id: string, typeName: 'IqmInvoice' | 'IqmPayment' | 'Credit'): { owId: number; id: number } | null {
  const parts = fromGlobalId(id);
  if (!parts || parts.typeName !== typeName) return null;
  const key = parseIqmKey(parts.key);
  return key && ownsIqmWorkspace(context, key.owId) ? key : null;
}

/** Decodes the global id of one of the tenant's IqmInvoices given in `input.<field>`. */
export function iqmInvoiceKey(context: GatewayContext, id: string): { owId: number; invoiceId: number } | null {
  const key = ownIqmKey(context, id, 'IqmInvoice');
  return key ? { owId: key.owId, invoiceId: key.id } : null;
}

/**
 * The IQM invoice a payment is made against (A36, A37): required for AGAINST_INVOICE and an invoice of
 * the same customer workspace; null for other payment types. Problems are pushed to `errors`.
 */
export function paymentInvoiceId(
  context: GatewayContext,
  input: { readonly type: string; readonly invoiceId?: string | null },
  owId: number | null,
  errors: UserErrorModel[],
): number | null {
  if (input.type !== 'AGAINST_INVOICE') return null;
  const key = input.invoiceId ? iqmInvoiceKey(context, input.invoiceId) : null;
  if (!key) errors.push(invalidInput(['input', 'invoiceId'], 'required for AGAINST_INVOICE: the id of an IQM invoice of the customer'));
  else if (owId !== null && key.owId !== owId) errors.push(invalidInput(['input', 'invoiceId'], 'the invoice belongs to another customer'));
  else return key.invoiceId;
  return null;
}

/** Decodes the global id of one of the tenant's IqmPayments. */
export function iqmPaymentKey(context: GatewayContext, id: string): { owId: number; paymentId: number } | null {
  const key = ownIqmKey(context, id, 'IqmPayment');
  return key ? { owId: key.owId, paymentId: key.id } : null;
}

/**
 * Reads an IQM invoice again after a write. The write itself dropped the request's cached IQM reads
 * (createContext), so this is a fresh upstream read.
 */
export async function freshIqmInvoice(context: GatewayContext, owId: number, invoiceId: number): Promise<IqmInvoiceModel | null> {
  return context.iqm.loaders.invoice.load({ owId, invoiceId });
}

/** The customer named by `input.customerId` and its IQM workspace, or the user error to return. */
export function iqmCustomer(context: GatewayContext, id: string, field: readonly string[] = ['input', 'customerId']): { customer: CustomerModel; owId: number } | UserErrorModel {
  const customer = customerFromGlobalId(context, id);
  if (!customer) return invalidInput(field, 'not the id of a customer', 'NOT_FOUND');
  const owId = customer.identities.iqmWorkspaceId;
  if (owId === null) return invalidInput(field, 'the customer has no IQM workspace');
  return { customer, owId };
}

/** Decodes the global id of one of the tenant's Credits. */
export function iqmCreditKey(context: GatewayContext, id: string): { owId: number; creditId: number } | null {
  const key = ownIqmKey(context, id, 'Credit');
  return key ? { owId: key.owId, creditId: key.id } : null;
}

export function isUserError(value: object): value is UserErrorModel {
  return 'code' in value && 'message' in value && 'field' in value;
}

/**
 * An amount IQM can take: greater than zero, with no more fraction digits than the IQM currency has
 * (2 for USD), and one IQM's documented number type holds exactly (not rounded on arrival).
 * Returns the user errors, empty when the amount is fine.
 */
export function amountErrors(context: GatewayContext, amount: Decimal, field: readonly string[]): UserErrorModel[] {
  if (!amount.greaterThan(0)) return [invalidInput(field, 'must be greater than 0')];
  const digits = currencyDigits(context.iqm.currencyCode);
  if (amount.decimalPlaces() > digits) return [invalidInput(field, `must have at most ${digits} decimal places for ${context.iqm.currencyCode}`)];
  return upstreamAmountErrors(amount, IQM_AMOUNT_TYPE, field);
}

/** The user error for an amount the upstream's documented number type cannot hold exactly, if it cannot. */
export function upstreamAmountErrors(value: Decimal, type: WireAmountType, field: readonly string[]): UserErrorModel[] {
  const problem = wireAmountProblem(value, type);
  return problem === null ? [] : [invalidInput(field, `cannot be sent exactly: ${problem}`)];
}

/** A percentage or rate IQM takes as a JSON number: zero or more, exactly representable. */
export function rateErrors(value: Decimal | null | undefined, field: readonly string[], max?: number): UserErrorModel[] {
  if (value === null || value === undefined) return [];
  if (value.isNegative()) return [invalidInput(field, 'must not be negative')];
  if (max !== undefined && value.greaterThan(max)) return [invalidInput(field, `must be at most ${max}`)];
  if (value.decimalPlaces() > 6) return [invalidInput(field, 'must have at most 6 decimal places')];
  return upstreamAmountErrors(value, IQM_AMOUNT_TYPE, field);
}

export { decimalToWireNumber };

/** A staged payment proof the caller referenced, or the INVALID_UPLOAD user error; null when none was given. */
export async function stagedProof(
  context: GatewayContext,
  uploadId: string | null | undefined,
  field: readonly string[] = ['input', 'paymentProofUploadId'],
): Promise<{ proof: IqmProofFile | null; uploadId: string | null } | UserErrorModel> {
  if (uploadId === null || uploadId === undefined) return { proof: null, uploadId: null };
  const upload = await context.services.uploads.get(uploadId, context.caller.partitionKey);
  // Someone else's upload is reported exactly like an unknown one.
  if (!upload) return invalidInput(field, 'no staged upload with this id (upload the file with POST /uploads first; uploads expire)', 'INVALID_UPLOAD');
  return { proof: { path: upload.path, fileName: upload.fileName, mimeType: upload.mimeType }, uploadId: upload.id };
}

/** Drops a staged upload once IQM has accepted the write that carried it. */
export async function consumeUpload(context: GatewayContext, uploadId: string | null): Promise<void> {
  if (uploadId !== null) await context.services.uploads.discard(uploadId);
}

/** Reads an IQM payment again after a write. */
export async function freshIqmPayment(context: GatewayContext, owId: number, paymentId: number): Promise<IqmPaymentModel | null> {
  const payments = await context.iqm.loaders.customerPayments.load(owId);
  return payments.find((payment) => payment.paymentId === paymentId) ?? null;
}

/**
 * The payment a write just added: IQM answers only a message, so the customer's list is read again
 * and the newest payment (highest id) is taken. Two adds for one customer racing each other could
 * swap their answers; the README says so.
 */
export async function addedIqmPayment(context: GatewayContext, owId: number): Promise<IqmPaymentModel | null> {
  const payments = await context.iqm.loaders.customerPayments.load(owId);
  return payments.reduce<IqmPaymentModel | null>((newest, payment) => (!newest || payment.paymentId > newest.paymentId ? payment : newest), null);
}

/** Reads a customer's credit again after a write. */
export async function freshCredit(context: GatewayContext, owId: number, creditId: number): Promise<CreditModel | null> {
  const credits = await context.iqm.loaders.customerCredits.load(owId);
  return credits.find((credit) => credit.creditId === creditId) ?? null;
}

/**
 * Evidence of an IQM payment the gateway wrote with `marker` in its transactionId (A24, A43), from
 * the customer's payments (A35): none → not applied; exactly one that also `matches` the request
 * (target, amount) → applied; anything else (a marker on a payment that does not match, two of
 * them) proves nothing.
 */
export async function iqmPaymentByMarker(
  context: GatewayContext,
  owId: number,
  marker: string,
  matches: (payment: IqmPaymentModel) => boolean,
): Promise<{ readonly found: 'applied'; readonly payment: IqmPaymentModel } | { readonly found: 'not_applied' } | { readonly found: 'unknown' }> {
  const marked = (await context.iqm.loaders.customerPayments.load(owId)).filter((payment) => payment.transactionId === marker);
  if (marked.length === 0) return { found: 'not_applied' };
  const [payment] = marked;
  return marked.length === 1 && payment && matches(payment) ? { found: 'applied', payment } : { found: 'unknown' };
}
