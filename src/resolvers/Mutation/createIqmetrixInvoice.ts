import type { MutationCreateIqmetrixInvoiceArgs, MutationResolvers } from '../../__generated__/resolvers-types.js';
import type { GatewayContext } from '../../context.js';
import { Decimal } from 'decimal.js';
import { currencyDigits, sumDecimals } from '../../domain/money.js';
import type { UserErrorModel } from '../../domain/models.js';
import { IQMETRIX_AMOUNT_TYPE, createInvoiceToWire, invoiceDetailFromWire, plainIqmetrixInvoice } from '../../upstreams/iqmetrix/index.js';
import { clientMarkerField, invalidInput, rejected, upstreamAmountErrors } from './support.js';
import { ownsIqmetrixCompany } from '../../auth/index.js';
import { idempotent } from '../../idempotency/index.js';

/**
 * How an ambiguous createIqmetrixInvoice is reconciled: from the customer's invoices at that location
 * and employee (D1, then D2 for each), the one whose Notes carry the marker and whose order lines add
 * up to the same total. Undefined when the client's own notes took the marker's place. Also what the
 * orphan sweep runs (reconcilers.ts).
 */
export function reconcileCreateIqmetrixInvoice(input: MutationCreateIqmetrixInvoiceArgs['input']) {
  if (clientMarkerField(input.notes)) return undefined;
  return async (current: GatewayContext, marker: string) => {
    const companyId = input.companyId ?? current.iqmetrix.defaultCompanyId;
    if (companyId === null || !ownsIqmetrixCompany(current, companyId)) return { found: 'unknown' } as const;
    const summaries = await current.iqmetrix.client.invoiceSummaries(companyId, {
      customerIds: [input.customerId],
      locationId: input.locationId,
      employeeId: input.employeeId,
    });
    const details = await Promise.all(summaries.map((summary) => current.iqmetrix.client.invoice(companyId, summary.Id)));
    const marked = details.filter((detail) => detail?.Notes === marker);
    if (marked.length === 0) return { found: 'not_applied' } as const;
    const [found] = marked;
    if (marked.length > 1 || !found) return { found: 'unknown' } as const;
    const invoice = invoiceDetailFromWire(found, companyId, current.iqmetrix.currencyCode);
    const lines = (orders: readonly { items: readonly { quantity: number; sellingPrice: { amount: Decimal } | Decimal }[] }[]) =>
      sumDecimals(orders.flatMap((order) => order.items.map((item) => (Decimal.isDecimal(item.sellingPrice) ? item.sellingPrice : item.sellingPrice.amount).times(item.quantity))));
    if (!lines(invoice.orders).equals(lines(input.orders))) return { found: 'unknown' } as const;
    return { found: 'applied' as const, payload: { invoice: plainIqmetrixInvoice(invoice.invoice), userErrors: [] } };
  };
}

/**
 * D3: creates an iQmetrix invoice and returns it as iQmetrix stored it (201 body). Without client
 * notes, the idempotency marker goes into the invoice's `Notes`, so an ambiguous outcome is reconciled
 * from the customer's invoices (reconcileCreateIqmetrixInvoice).
 */
export const createIqmetrixInvoice: MutationResolvers['createIqmetrixInvoice'] = (_root, { input }, context) => {
  const notes = clientMarkerField(input.notes);
  return idempotent(
    context,
    {
      mutation: 'createIqmetrixInvoice',
      input,
      refuse: (errors) => rejected({ invoice: null }, errors),
      reconcile: reconcileCreateIqmetrixInvoice(input),
    },
    async (marker) => {
      const companyId = input.companyId ?? context.iqmetrix.defaultCompanyId;
      if (companyId === null) {
        return rejected({ invoice: null }, [invalidInput(['input', 'companyId'], 'required: no IQMETRIX_COMPANY_ID is configured')]);
      }
      // Another tenant's company (or one built by hand) does not exist for this caller: refused before
      // anything else is checked or sent, so the answer tells nothing about it.
      if (!ownsIqmetrixCompany(context, companyId)) return rejected({ invoice: null }, [invalidInput(['input', 'companyId'], 'no such iQmetrix company', 'NOT_FOUND')]);
      const { currencyCode } = context.iqmetrix;
      const digits = currencyDigits(currencyCode);
      const errors: UserErrorModel[] = [];
      if (input.orders.length === 0) errors.push(invalidInput(['input', 'orders'], 'an invoice needs at least one order'));
      input.orders.forEach((order, orderIndex) => {
        if (order.items.length === 0) errors.push(invalidInput(['input', 'orders', String(orderIndex), 'items'], 'an order needs at least one item'));
        order.items.forEach((item, itemIndex) => {
          const field = ['input', 'orders', String(orderIndex), 'items', String(itemIndex)];
          if (item.quantity <= 0) errors.push(invalidInput([...field, 'quantity'], 'must be greater than zero'));
          if (item.sellingPrice.isNegative()) errors.push(invalidInput([...field, 'sellingPrice'], 'must not be negative'));
          if (item.sellingPrice.decimalPlaces() > digits) errors.push(invalidInput([...field, 'sellingPrice'], `has more decimals than ${currencyCode} allows`));
          errors.push(...upstreamAmountErrors(item.sellingPrice, IQMETRIX_AMOUNT_TYPE, [...field, 'sellingPrice']));
        });
      });
      (input.payments ?? []).forEach((payment, index) => {
        const field = ['input', 'payments', String(index), 'amount'];
        if (payment.amount.lessThanOrEqualTo(0)) errors.push(invalidInput(field, 'must be greater than zero'));
        if (payment.amount.decimalPlaces() > digits) errors.push(invalidInput(field, `has more decimals than ${currencyCode} allows`));
        errors.push(...upstreamAmountErrors(payment.amount, IQMETRIX_AMOUNT_TYPE, field));
      });
      if (errors.length > 0) return rejected({ invoice: null }, errors);

      const result = await context.iqmetrix.client.createInvoice(
        companyId,
        createInvoiceToWire({
          customerId: input.customerId,
          locationId: input.locationId,
          employeeId: input.employeeId,
          printableId: input.printableId ?? null,
          notes: notes ?? marker,
          isRefund: input.isRefund ?? false,
          originalInvoiceId: input.originalInvoiceId ?? null,
          orders: input.orders.map((order) => ({
            printableId: order.printableId ?? null,
            referenceId: order.referenceId ?? null,
            items: order.items.map((item) => ({
              description: item.description,
              productId: item.productId ?? null,
              quantity: item.quantity,
              sellingPrice: item.sellingPrice,
              serialNumber: item.serialNumber ?? null,
              sku: item.sku ?? null,
            })),
          })),
          payments: (input.payments ?? []).map((payment) => ({
            amount: payment.amount,
            paymentMethodId: payment.paymentMethodId,
            referenceId: payment.referenceId ?? null,
            transactionDate: payment.transactionDate ?? null,
          })),
        }),
      );
      if (!result.ok) return rejected({ invoice: null }, result.errors.map((message) => ({ field: null, message, code: 'UPSTREAM_REJECTED' as const })));
      return { invoice: plainIqmetrixInvoice(invoiceDetailFromWire(result.invoice, companyId, context.iqmetrix.currencyCode).invoice), userErrors: [] };
    },
  );
};
