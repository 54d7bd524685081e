import type { Decimal } from 'decimal.js';
import type { MutationResolvers } from '../../__generated__/resolvers-types.js';
import { ZERO, currencyDigits, sumDecimals } from '../../domain/money.js';
import type { UserErrorModel } from '../../domain/models.js';
import { customerFromGlobalId } from '../../unified/customers.js';
import { INTACT_AMOUNT_TYPE, allocationFromWire, invoiceFromLedgerItem, receiptFromWire } from '../../upstreams/intact/index.js';
import { invalidInput, rejected, upstreamAmountErrors } from './support.js';
import { idempotent } from '../../idempotency/index.js';

/**
 * B2: posts a receipt and allocates it. Over-allocation (more than the receipt, more than an
 * invoice's outstanding amount) is refused here, against a fresh read of the ledger, before
 * anything is posted; Intact's own refusals (Success:false) become userErrors too.
 */
export const allocateReceipt: MutationResolvers['allocateReceipt'] = (_root, { input }, context) =>
  idempotent(context, { mutation: 'allocateReceipt', input, refuse: (errors) => rejected({ receipt: null, allocations: [] }, errors) }, async () => {
    const empty = { receipt: null, allocations: [] };
    const customer = customerFromGlobalId(context, input.customerId);
    const accountCode = customer?.identities.intactAccountCode ?? null;
    if (!customer || accountCode === null) {
      return rejected(empty, [invalidInput(['input', 'customerId'], 'not a customer with an Intact account', 'NOT_FOUND')]);
    }
    const ledger = await context.intact.loaders.ledgerAll.load(accountCode);
    const invoices = new Map(ledger.filter((item) => item.type === 'INVOICE').map((item) => [item.number, item]));
    const currencyCode = ledger[0]?.debit.currencyCode ?? 'GBP';
    const errors: UserErrorModel[] = [];
    const checkAmount = (amount: Decimal, field: string[]) => {
      if (amount.lessThanOrEqualTo(0)) errors.push(invalidInput(field, 'must be greater than zero'));
      else if (amount.decimalPlaces() > currencyDigits(currencyCode)) errors.push(invalidInput(field, `has more decimals than ${currencyCode} allows`));
      else errors.push(...upstreamAmountErrors(amount, INTACT_AMOUNT_TYPE, field));
    };
    checkAmount(input.amount, ['input', 'amount']);
    const allocations = input.allocations ?? [];
    const perInvoice = new Map<string, Decimal>();
    allocations.forEach((allocation, index) => {
      const field = ['input', 'allocations', String(index)];
      checkAmount(allocation.amount, [...field, 'amount']);
      const invoice = invoices.get(allocation.invoiceNumber);
      if (!invoice) {
        errors.push(invalidInput([...field, 'invoiceNumber'], `no invoice ${allocation.invoiceNumber} on account ${accountCode}`, 'NOT_FOUND'));
        return;
      }
      // From ZERO (40 significant digits), not a plain Decimal(0): decimal.js rounds a sum to its first
      // operand's precision, and the default 20 digits would round a 27-digit allocation.
      const total = (perInvoice.get(allocation.invoiceNumber) ?? ZERO).plus(allocation.amount);
      perInvoice.set(allocation.invoiceNumber, total);
      if (total.greaterThan(invoice.unallocated.amount)) {
        errors.push(
          invalidInput([...field, 'amount'], `invoice ${allocation.invoiceNumber} has only ${invoice.unallocated.amount.toFixed()} outstanding`, 'OVER_ALLOCATION'),
        );
      }
    });
    const allocated = sumDecimals(allocations.map((allocation) => allocation.amount));
    if (allocated.greaterThan(input.amount)) {
      errors.push(invalidInput(['input', 'allocations'], `allocations total ${allocated.toFixed()}, more than the receipt's ${input.amount.toFixed()}`, 'OVER_ALLOCATION'));
    }
    if (errors.length > 0) return rejected(empty, errors);

    const result = await context.intact.client.postReceipt({
      accountCode,
      amountPaid: input.amount,
      datePaid: input.paidAt,
      paymentBranchCode: input.paymentBranchCode,
      receiptTypeCode: input.receiptTypeCode,
      items: allocations.map((allocation) => ({ number: allocation.invoiceNumber, amountPaid: allocation.amount })),
    });
    if (!result.ok) {
      return rejected(empty, result.errors.map((message) => ({ field: null, message, code: 'UPSTREAM_REJECTED' as const })));
    }
    return {
      receipt: receiptFromWire(result.receipt, accountCode, currencyCode, input.paidAt),
      allocations: result.allocations.map((wire) => {
        const allocation = allocationFromWire(wire, currencyCode);
        const item = invoices.get(allocation.invoiceNumber);
        return {
          invoiceNumber: allocation.invoiceNumber,
          allocated: allocation.allocated,
          outstanding: allocation.outstanding,
          invoice: item ? invoiceFromLedgerItem({ ...item, unallocated: allocation.outstanding }) : null,
        };
      }),
      userErrors: [],
    };
  });
