import type { MutationPayRefrensInvoiceArgs, MutationResolvers } from '../../__generated__/resolvers-types.js';
import { currencyDigits, toDecimal } from '../../domain/money.js';
import type { GatewayContext } from '../../context.js';
import type { RefrensInvoiceModel, UserErrorModel } from '../../domain/models.js';
import { fromGlobalId } from '../../domain/globalId.js';
import { parseRefrensInvoiceKey } from '../../unified/ids.js';
import { refrensInvoicesOf } from '../../unified/otherSources.js';
import { REFRENS_AMOUNT_TYPE, paymentFromWire } from '../../upstreams/refrens/index.js';
import { clientMarkerField, invalidInput, rejected, upstreamAmountErrors } from './support.js';
import { idempotent } from '../../idempotency/index.js';

/**
 * How an ambiguous payRefrensInvoice is reconciled: from the invoice's payments (C2), the one not
 * removed that carries the marker in its notes, with this amount. `refId` is not used: the
 * documentation does not show it coming back. Undefined when the client's own notes took the marker's
 * place. Also what the orphan sweep runs (reconcilers.ts).
 */
export function reconcilePayRefrensInvoice(input: MutationPayRefrensInvoiceArgs['input']) {
  if (clientMarkerField(input.notes)) return undefined;
  return async (current: GatewayContext, marker: string) => {
    const target = refrensTarget(current, input.invoiceId);
    if (!target) return { found: 'unknown' } as const;
    const payments = (await current.refrens.client.invoicePayments(target.urlKey, target.invoiceId)).filter((payment) => payment.notes === marker && !payment.isRemoved);
    if (payments.length === 0) return { found: 'not_applied' } as const;
    const [payment] = payments;
    if (payments.length > 1 || !payment || !input.amount.equals(toDecimal(payment.amount))) return { found: 'unknown' } as const;
    return {
      found: 'applied' as const,
      payload: { payment: paymentFromWire(payment, target.urlKey, target.invoiceId, target.invoice.total.currencyCode), invoice: target.invoice, userErrors: [] },
    };
  };
}

/**
 * C1: adds a payment to a Refrens invoice and returns it with the invoice's new balance. Without
 * client notes, the idempotency marker goes into C1's `notes` (which C2 documents coming back), so an
 * ambiguous outcome is reconciled from the invoice's payments (reconcilePayRefrensInvoice).
 */
export const payRefrensInvoice: MutationResolvers['payRefrensInvoice'] = (_root, { input }, context) => {
  const notes = clientMarkerField(input.notes);
  return idempotent(
    context,
    {
      mutation: 'payRefrensInvoice',
      input,
      refuse: (errors) => rejected({ payment: null, invoice: null }, errors),
      reconcile: reconcilePayRefrensInvoice(input),
    },
    async (marker) => {
      const empty = { payment: null, invoice: null };
      const target = refrensTarget(context, input.invoiceId);
      if (!target) return rejected(empty, [invalidInput(['input', 'invoiceId'], 'not a Refrens invoice of the customer directory', 'NOT_FOUND')]);
      const { urlKey, invoiceId, invoice } = target;

      const digits = currencyDigits(invoice.total.currencyCode);
      const errors: UserErrorModel[] = [];
      if (input.amount.lessThanOrEqualTo(0)) errors.push(invalidInput(['input', 'amount'], 'must be greater than zero'));
      for (const [name, value] of [['amount', input.amount], ['tds', input.tds], ['transactionCharge', input.transactionCharge]] as const) {
        if (value && value.isNegative()) errors.push(invalidInput(['input', name], 'must not be negative'));
        if (value && value.decimalPlaces() > digits) errors.push(invalidInput(['input', name], `has more decimals than ${invoice.total.currencyCode} allows`));
        if (value) errors.push(...upstreamAmountErrors(value, REFRENS_AMOUNT_TYPE, ['input', name]));
      }
      if (errors.length > 0) return rejected(empty, errors);

      const result = await context.refrens.client.addPayment(urlKey, invoiceId, {
        amount: input.amount,
        tds: input.tds ?? null,
        transactionCharge: input.transactionCharge ?? null,
        method: input.method,
        paidAt: input.paidAt ?? null,
        notes: notes ?? marker,
        reference: input.reference ?? null,
      });
      if (!result.ok) {
        const fieldErrors: UserErrorModel[] = result.fieldErrors.map((error) => ({
          field: error.field ? ['input', error.field === 'paymentMethod' ? 'method' : error.field === 'refId' ? 'reference' : error.field] : null,
          message: error.message,
          code: 'UPSTREAM_REJECTED',
        }));
        return rejected(empty, fieldErrors.length > 0 ? fieldErrors : result.errors.map((message) => ({ field: null, message, code: 'UPSTREAM_REJECTED' as const })));
      }
      return {
        payment: paymentFromWire(result.payment, urlKey, invoiceId, invoice.total.currencyCode),
        invoice,
        userErrors: [],
      };
    },
  );
};

/** The Refrens invoice a global id names, when it belongs to the caller's customer directory. */
function refrensTarget(context: GatewayContext, id: string): { urlKey: string; invoiceId: string; invoice: RefrensInvoiceModel } | null {
  const parts = fromGlobalId(id);
  const key = parts?.typeName === 'RefrensInvoice' ? parseRefrensInvoiceKey(parts.key) : null;
  if (!key) return null;
  const { urlKey, invoiceId } = key;
  const customer = context.directory.bySourceId('REFRENS_INVOICE', `${urlKey}/${invoiceId}`);
  const invoice = customer ? refrensInvoicesOf(customer).find((candidate) => candidate.invoiceId === invoiceId) : undefined;
  return invoice ? { urlKey, invoiceId, invoice } : null;
}
