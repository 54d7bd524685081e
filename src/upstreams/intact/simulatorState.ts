import { Decimal as BaseDecimal } from 'decimal.js';
import { seededRandom } from '../simulatorServer.js';

/** Arithmetic as a .NET decimal does it (28–29 significant digits), not decimal.js's default 20. */
const Decimal = BaseDecimal.clone({ precision: 29 });
type Decimal = BaseDecimal;

/**
 * The Intact simulator's world: customer accounts and their ledger items (invoices, receipts, a
 * credit note). Amounts are decimals; the HTTP layer writes them as JSON numbers.
 */

export interface IntactAccount {
  readonly accountCode: string;
  readonly name: string;
  readonly currency: string;
}

export interface SimLedgerItem {
  readonly id: number;
  readonly accountCode: string;
  /** Epoch milliseconds (UTC). */
  readonly date: number;
  readonly dueDate: number | null;
  readonly number: string;
  readonly reference: string | null;
  /** Intact's type code: `Inv`, `Rct`, `Crn`. */
  readonly type: string;
  readonly debit: Decimal;
  readonly credit: Decimal;
  /** What is still open: owed on an invoice, unspent on a receipt or credit note. */
  unallocated: Decimal;
  readonly currency: string;
}

export interface IntactSeedOptions {
  /** Invoices per account (default 8). */
  readonly invoicesPerAccount?: number;
}

/** The simulator's clock: fixed, so seeded data is the same on every run. */
export const INTACT_SIMULATOR_EPOCH = Date.UTC(2026, 9, 1);
export const DAY_MS = 86_400_000;

export const DEMO_ACCOUNTS: readonly IntactAccount[] = [
  { accountCode: 'CUS000001', name: 'Northwind Traders', currency: 'GBP' },
  { accountCode: 'CUS000002', name: 'Contoso Media', currency: 'GBP' },
  { accountCode: 'CUS000003', name: 'Tailspin Toys', currency: 'EUR' },
  { accountCode: 'CUS000004', name: 'Harbor Marker Co', currency: 'GBP' },
];

export class IntactSimulatorState {
  readonly accounts: ReadonlyMap<string, IntactAccount>;
  /** Every ledger item, by id. */
  readonly items = new Map<number, SimLedgerItem>();
  private nextItemId = 100_001;
  private nextInvoiceNumber = 6_760_801;
  private nextReceiptNumber = 1;
  private nextCreditNoteNumber = 1;

  constructor(seed: IntactSeedOptions = {}, accounts: readonly IntactAccount[] = DEMO_ACCOUNTS) {
    this.accounts = new Map(accounts.map((account) => [account.accountCode, account]));
    seedState(this, seed);
  }

  /** The ledger of an account, in insertion order. */
  ledgerOf(accountCode: string): SimLedgerItem[] {
    return [...this.items.values()].filter((item) => item.accountCode === accountCode);
  }

  /** An invoice of the account by number, whether or not it is still open. */
  invoiceOf(accountCode: string, number: string): SimLedgerItem | undefined {
    return this.ledgerOf(accountCode).find((item) => item.type === 'Inv' && item.number === number);
  }

  /** Adds an open invoice (Type `Inv`, due 30 days after its date). Tests use it for exact amounts. */
  addInvoice(accountCode: string, invoice: { debit: BaseDecimal.Value; date: number; reference?: string | null; number?: string }): SimLedgerItem {
    const account = this.requireAccount(accountCode);
    const debit = new Decimal(invoice.debit);
    return this.insert({
      accountCode,
      date: invoice.date,
      dueDate: invoice.date + 30 * DAY_MS,
      number: invoice.number ?? `SI${String(this.nextInvoiceNumber++).padStart(7, '0')}`,
      reference: invoice.reference ?? null,
      type: 'Inv',
      debit,
      credit: new Decimal(0),
      unallocated: debit,
      currency: account.currency,
    });
  }

  /** Adds a receipt (Type `Rct`, number `RCT` + six digits) with `unallocated` left on it. */
  addReceipt(accountCode: string, receipt: { amount: Decimal; unallocated: Decimal; date: number; reference?: string | null }): SimLedgerItem {
    const account = this.requireAccount(accountCode);
    return this.insert({
      accountCode,
      date: receipt.date,
      dueDate: null,
      number: `RCT${String(this.nextReceiptNumber++).padStart(6, '0')}`,
      reference: receipt.reference ?? null,
      type: 'Rct',
      debit: new Decimal(0),
      credit: receipt.amount,
      unallocated: receipt.unallocated,
      currency: account.currency,
    });
  }

  addCreditNote(accountCode: string, note: { amount: Decimal; date: number; reference: string | null }): SimLedgerItem {
    const account = this.requireAccount(accountCode);
    return this.insert({
      accountCode,
      date: note.date,
      dueDate: null,
      number: `CRN${String(this.nextCreditNoteNumber++).padStart(6, '0')}`,
      reference: note.reference,
      type: 'Crn',
      debit: new Decimal(0),
      credit: note.amount,
      unallocated: note.amount,
      currency: account.currency,
    });
  }

  private requireAccount(accountCode: string): IntactAccount {
    const account = this.accounts.get(accountCode);
    if (!account) throw new Error(`Intact simulator: no account ${accountCode}`);
    return account;
  }

  private insert(item: Omit<SimLedgerItem, 'id'>): SimLedgerItem {
    const stored: SimLedgerItem = { id: this.nextItemId++, ...item };
    this.items.set(stored.id, stored);
    return stored;
  }
}

/**
 * Per account, `invoicesPerAccount` invoices 11 days apart, going back from September 2026: the
 * newest are open, every fourth from the third is half paid and every fourth from the fourth is
 * settled. Two receipts pay for them (one fully allocated, one leaving money on account);
 * Contoso Media also holds an open credit note.
 */
function seedState(state: IntactSimulatorState, options: IntactSeedOptions): void {
  const random = seededRandom(20261001);
  const invoicesPerAccount = options.invoicesPerAccount ?? 8;
  const pennies = (min: number, max: number) => new Decimal(Math.round((min + random() * (max - min)) * 100)).dividedBy(100);
  let reference = 10_001;

  [...state.accounts.values()].forEach((account, accountIndex) => {
    const settled: Decimal[] = [];
    const partlyPaid: Decimal[] = [];
    for (let index = invoicesPerAccount - 1; index >= 0; index -= 1) {
      const date = INTACT_SIMULATOR_EPOCH - (3 + accountIndex + index * 11) * DAY_MS;
      const invoice = state.addInvoice(account.accountCode, { debit: pennies(120, 4_800), date, reference: `PO-${reference++}` });
      if (index % 4 === 3) {
        settled.push(invoice.debit);
        invoice.unallocated = new Decimal(0);
      } else if (index % 4 === 2) {
        const part = invoice.debit.dividedBy(2).toDecimalPlaces(2);
        partlyPaid.push(part);
        invoice.unallocated = invoice.debit.minus(part);
      }
    }
    const sum = (values: Decimal[]) => values.reduce((total, value) => total.plus(value), new Decimal(0));
    if (settled.length > 0) {
      state.addReceipt(account.accountCode, {
        amount: sum(settled),
        unallocated: new Decimal(0),
        date: INTACT_SIMULATOR_EPOCH - (40 + accountIndex) * DAY_MS,
        reference: 'BACS',
      });
    }
    const onAccount = pennies(50, 400);
    state.addReceipt(account.accountCode, {
      amount: sum(partlyPaid).plus(onAccount),
      unallocated: onAccount,
      date: INTACT_SIMULATOR_EPOCH - (2 + accountIndex) * DAY_MS,
      reference: 'CHQ',
    });
    if (account.accountCode === 'CUS000002') {
      state.addCreditNote(account.accountCode, { amount: pennies(40, 200), date: INTACT_SIMULATOR_EPOCH - 20 * DAY_MS, reference: 'RMA-2207' });
    }
  });
}
