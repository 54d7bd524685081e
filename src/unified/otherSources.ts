import type { GatewayContext } from '../context.js';
import type {
  CustomerModel,
  IntactReceiptModel,
  InvoiceModel,
  IqmetrixInvoiceModel,
  IqmetrixPaymentModel,
  RefrensInvoiceModel,
  RefrensPaymentModel,
} from '../domain/models.js';
import { money } from '../domain/money.js';
import { invoiceFromLedgerItem, receiptFromLedgerItem } from '../upstreams/intact/index.js';

/**
 * How a customer's invoices and payments are read from Intact, Refrens and iQmetrix. Each read
 * goes through the request's loaders: a customer asked for invoices and payments in one operation
 * reads each upstream list once.
 */

export async function intactInvoicesOf(context: GatewayContext, accountCode: string): Promise<InvoiceModel[]> {
  const items = await context.intact.loaders.ledgerAll.load(accountCode);
  return items.filter((item) => item.type === 'INVOICE').map(invoiceFromLedgerItem);
}

export async function intactReceiptsOf(context: GatewayContext, accountCode: string): Promise<IntactReceiptModel[]> {
  const items = await context.intact.loaders.ledgerAll.load(accountCode);
  return items.filter((item) => item.type === 'RECEIPT').map(receiptFromLedgerItem);
}

/** Refrens has no invoice read: the directory names the customer's invoices and their totals. */
export function refrensInvoicesOf(customer: CustomerModel): RefrensInvoiceModel[] {
  const refrens = customer.identities.refrens;
  if (!refrens) return [];
  return refrens.invoices.map((invoice) => ({
    kind: 'RefrensInvoice',
    urlKey: refrens.urlKey,
    invoiceId: invoice.invoiceId,
    number: invoice.number,
    total: money(invoice.total, invoice.currencyCode),
    issuedOn: invoice.issuedOn,
    dueOn: invoice.dueOn,
    customerKey: customer.key,
  }));
}

/** A Refrens invoice's currency is the directory's, so its payments are read in it. */
export async function refrensPaymentsOf(context: GatewayContext, invoice: RefrensInvoiceModel): Promise<RefrensPaymentModel[]> {
  const payments = await context.refrens.loaders.invoicePayments.load({ urlKey: invoice.urlKey, invoiceId: invoice.invoiceId });
  return payments.map((payment) =>
    payment.amount.currencyCode === invoice.total.currencyCode
      ? payment
      : {
          ...payment,
          amount: money(payment.amount.amount, invoice.total.currencyCode),
          tds: money(payment.tds.amount, invoice.total.currencyCode),
          transactionCharge: money(payment.transactionCharge.amount, invoice.total.currencyCode),
        },
  );
}

export async function iqmetrixInvoicesOf(context: GatewayContext, customer: CustomerModel): Promise<IqmetrixInvoiceModel[]> {
  const iqmetrix = customer.identities.iqmetrix;
  if (!iqmetrix) return [];
  const invoices = await context.iqmetrix.loaders.summariesByCustomer.load({ companyId: iqmetrix.companyId, customerId: iqmetrix.customerId });
  return [...invoices];
}

/** iQmetrix payments live inside each invoice (D2): one call per invoice, all in parallel. */
export async function iqmetrixPaymentsOf(context: GatewayContext, customer: CustomerModel): Promise<IqmetrixPaymentModel[]> {
  const invoices = await iqmetrixInvoicesOf(context, customer);
  const details = await context.iqmetrix.loaders.invoice.loadMany(
    invoices.map((invoice) => ({ companyId: invoice.companyId, invoiceId: invoice.invoiceId })),
  );
  return details.flatMap((detail) => {
    if (detail instanceof Error) throw detail;
    return detail ? [...detail.payments] : [];
  });
}
