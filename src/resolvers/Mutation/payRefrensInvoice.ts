import type { MutationResolvers } from '../../__generated__/resolvers-types.js';
import { currencyDigits } from '../../domain/money.js';
import type { UserErrorModel } from '../../domain/models.js';
import { fromGlobalId } from '../../domain/globalId.js';
import { parseRefrensInvoiceKey } from '../../federation/ids.js';
import { refrensInvoicesOf } from '../../federation/otherSources.js';
import { paymentFromWire } from '../../upstreams/refrens/index.js';
import { invalidInput, rejected } from './support.js';
import { idempotent } from '../../idempotency/index.js';

/** C1: adds a payment to a Refrens invoice and returns it with the invoice's new balance. */
export const payRefrensInvoice: MutationResolvers['payRefrensInvoice'] = (_root, { input }, context) =>
  idempotent(context, { mutation: 'payRefrensInvoice', input, refuse: (errors) => rejected({ payment: null, invoice: null }, errors) }, async () => {
    const empty = { payment: null, invoice: null };
    const parts = fromGlobalId(input.invoiceId);
    const key = parts?.typeName === 'RefrensInvoice' ? parseRefrensInvoiceKey(parts.key) : null;
    const { urlKey, invoiceId } = key ?? { urlKey: '', invoiceId: '' };
    const customer = key ? context.directory.bySourceId('REFRENS_INVOICE', `${urlKey}/${invoiceId}`) : undefined;
    const invoice = customer ? refrensInvoicesOf(customer).find((candidate) => candidate.invoiceId === invoiceId) : undefined;
    if (!invoice) return rejected(empty, [invalidInput(['input', 'invoiceId'], 'not a Refrens invoice of the customer directory', 'NOT_FOUND')]);

    const digits = currencyDigits(invoice.total.currencyCode);
    const errors: UserErrorModel[] = [];
    if (input.amount.lessThanOrEqualTo(0)) errors.push(invalidInput(['input', 'amount'], 'must be greater than zero'));
    for (const [name, value] of [['amount', input.amount], ['tds', input.tds], ['transactionCharge', input.transactionCharge]] as const) {
      if (value && value.isNegative()) errors.push(invalidInput(['input', name], 'must not be negative'));
      if (value && value.decimalPlaces() > digits) errors.push(invalidInput(['input', name], `has more decimals than ${invoice.total.currencyCode} allows`));
    }
    if (errors.length > 0) return rejected(empty, errors);

    const result = await context.refrens.client.addPayment(urlKey, invoiceId, {
      amount: input.amount,
      tds: input.tds ?? null,
      transactionCharge: input.transactionCharge ?? null,
      method: input.method,
      paidAt: input.paidAt ?? null,
      notes: input.notes ?? null,
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
  });
