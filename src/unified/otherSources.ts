import type { GraphQLError } from 'graphql';
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
import { settleRows } from './rowReads.js';

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

/**
 * iQmetrix payments live inside each invoice (D2): one call per invoice, all in parallel. An invoice
 * whose D2 fails loses only its own payments: the others' are kept, and `failure` counts the invoices.
 */
export async function iqmetrixPaymentsOf(context: GatewayContext, customer: CustomerModel): Promise<{ payments: IqmetrixPaymentModel[]; failure: GraphQLError | null }> {
  const invoices = await iqmetrixInvoicesOf(context, customer);
  const { values, failure } = await settleRows(
    'IQMETRIX',
    invoices,
    (invoice) => context.iqmetrix.loaders.invoice.load({ companyId: invoice.companyId, invoiceId: invoice.invoiceId }),
    "those invoices' payments are missing",
  );
  return { payments: values.flatMap((detail) => (detail ? detail.payments : [])), failure };
}

/** A Refrens customer's payments, invoice by invoice (C2); an invoice whose C2 fails loses only its own. */
export async function refrensCustomerPaymentsOf(context: GatewayContext, customer: CustomerModel): Promise<{ payments: RefrensPaymentModel[]; failure: GraphQLError | null }> {
  const { values, failure } = await settleRows('REFRENS', refrensInvoicesOf(customer), (invoice) => refrensPaymentsOf(context, invoice), "those invoices' payments are missing");
  return { payments: values.flat(), failure };
}
