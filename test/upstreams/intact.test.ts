import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { beforeEach, describe, expect, it } from 'vitest';
import { toDecimal } from '../../src/domain/money.js';
import type { UpstreamHttpClient } from '../../src/upstreams/http.js';
import {
  INTACT_DEMO_TOKEN,
  INTACT_SIMULATOR_EPOCH,
  IntactClient,
  INTACT_DEMO_TOKEN_B,
  IntactSimulator,
  allocationFromWire,
  createIntactLoaders,
  invoiceFromLedgerItem,
  ledgerItemFromWire,
  ledgerItemType,
  receiptFromLedgerItem,
  receiptFromWire,
  type IntactLedgerItem,
  type IntactLedgerQuery,
  type IntactPostResult,
  type IntactSimulatorOptions,
} from '../../src/upstreams/intact/index.js';
import { caught, useSimulatorConnections } from '../helpers/upstreamClient.js';

const DAY_MS = 86_400_000;

interface Harness {
  readonly sim: IntactSimulator;
  readonly http: UpstreamHttpClient;
  readonly client: IntactClient;
}

const connect = useSimulatorConnections();

/** A simulator that accepts one token for every account (the client's view of one company). */
async function start(options: IntactSimulatorOptions = {}, token: string | null = INTACT_DEMO_TOKEN): Promise<Harness> {
  const sim = new IntactSimulator({ token: INTACT_DEMO_TOKEN, ...options });
  const http = await connect(sim, 'INTACT');
  return { sim, http, client: new IntactClient(http, token) };
}

function query(accountCode: string, extra: Partial<IntactLedgerQuery> = {}): IntactLedgerQuery {
  return { accountCode, skip: 0, fetch: 100, ...extra };
}

function isPartlyPaid(item: IntactLedgerItem): boolean {
  const unallocated = toDecimal(item.Unallocated);
  return item.Type === 'Inv' && unallocated.greaterThan(0) && unallocated.lessThan(toDecimal(item.Debit));
}

function expectOk(result: IntactPostResult): Extract<IntactPostResult, { ok: true }> {
  if (!result.ok) throw new Error(`expected Intact to accept the receipt, got ${result.errors.join('; ')}`);
  return result;
}

function expectRefused(result: IntactPostResult): readonly string[] {
  if (result.ok) throw new Error('expected Intact to refuse the receipt');
  return result.errors;
}

describe('Intact: client ↔ simulator', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await start();
  });

  /** The whole ledger of an account, as the wire sends it. */
  async function ledger(accountCode: string): Promise<IntactLedgerItem[]> {
    return (await h.client.ledger(query(accountCode, { fetch: 500 }))).Items;
  }

  async function openInvoices(accountCode: string): Promise<IntactLedgerItem[]> {
    return (await ledger(accountCode)).filter((item) => item.Type === 'Inv' && toDecimal(item.Unallocated).equals(toDecimal(item.Debit)));
  }

  async function invoice(accountCode: string, number: string): Promise<IntactLedgerItem> {
    const page = await h.client.ledger(query(accountCode, { number }));
    expect(page.TotalCount).toBe(1);
    return page.Items[0]!;
  }

  describe('B1 GET /CustomerLedger', () => {
    it('reads an account ledger newest first, with TotalCount and the seeded mix of items', async () => {
      const page = await h.client.ledger(query('CUS000001'));
      expect(page.Success).toBe(true);
      expect(page.TotalCount).toBe(10);
      expect(page.Items).toHaveLength(10);
      expect(page.Items.filter((item) => item.Type === 'Inv')).toHaveLength(8);
      expect(page.Items.filter((item) => item.Type === 'Rct')).toHaveLength(2);
      expect(new Set(page.Items.map((item) => item.Currency))).toEqual(new Set(['GBP']));
      const dates = page.Items.map((item) => item.Date ?? '');
      expect(dates).toEqual([...dates].sort().reverse());
      for (const item of page.Items.filter((row) => row.Type === 'Inv')) {
        expect(item.Number).toMatch(/^SI\d{7}$/);
        expect(item.Reference).toMatch(/^PO-\d+$/);
        expect(item.Date).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
        expect(Date.parse(`${item.DueDate}Z`) - Date.parse(`${item.Date}Z`)).toBe(30 * DAY_MS);
      }
      // Some invoices are settled, some partly paid, some open.
      const invoices = page.Items.filter((item) => item.Type === 'Inv');
      expect(invoices.some((item) => item.Unallocated === 0)).toBe(true);
      expect(invoices.some((item) => isPartlyPaid(item))).toBe(true);
      expect(invoices.some((item) => item.Unallocated === item.Debit)).toBe(true);
      expect((await h.client.ledger(query('CUS000003'))).Items.every((item) => item.Currency === 'EUR')).toBe(true);
    });

    it('filters by number and by reference', async () => {
      const [target] = await openInvoices('CUS000002');
      const byNumber = await h.client.ledger(query('CUS000002', { number: target!.Number }));
      expect(byNumber.TotalCount).toBe(1);
      expect(byNumber.Items.map((item) => item.Id)).toEqual([target!.Id]);

      const byReference = await h.client.ledger(query('CUS000002', { reference: target!.Reference }));
      expect(byReference.Items.map((item) => item.Number)).toEqual([target!.Number]);

      const none = await h.client.ledger(query('CUS000002', { number: 'SI0000000' }));
      expect(none).toMatchObject({ Success: true, TotalCount: 0, Items: [] });
    });

    it('filters by currency and by exact debit amount', async () => {
      expect((await h.client.ledger(query('CUS000001', { currency: 'GBP' }))).TotalCount).toBe(10);
      expect((await h.client.ledger(query('CUS000001', { currency: 'EUR' }))).TotalCount).toBe(0);

      const [target] = await openInvoices('CUS000004');
      const debit = toDecimal(target!.Debit);
      const page = await h.client.ledger(query('CUS000004', { debitAmount: debit }));
      expect(page.Items.map((item) => item.Number)).toContain(target!.Number);
      expect(page.Items.every((item) => toDecimal(item.Debit).equals(debit))).toBe(true);
      expect((await h.client.ledger(query('CUS000004', { debitAmount: debit.plus('0.01') }))).Items.map((item) => item.Number)).not.toContain(
        target!.Number,
      );
      expect(h.sim.calls.at(-2)?.url).toContain(`debitamount=${debit.toFixed()}`);
    });

    it('filters by fromDate and toDate, inclusive on the item Date, sent as zone-less UTC', async () => {
      const all = await ledger('CUS000001');
      const middle = all[4]!;
      const instant = new Date(`${middle.Date}Z`);
      const onTheDay = await h.client.ledger(query('CUS000001', { fromDate: instant, toDate: instant }));
      expect(onTheDay.Items.map((item) => item.Number)).toEqual([middle.Number]);
      expect(h.sim.calls.at(-1)?.url).toContain(`fromDate=${encodeURIComponent(middle.Date!)}`);

      const newer = await h.client.ledger(query('CUS000001', { fromDate: instant }));
      expect(newer.Items.map((item) => item.Number)).toEqual(all.slice(0, 5).map((item) => item.Number));
      const older = await h.client.ledger(query('CUS000001', { toDate: new Date(instant.getTime() - 1000) }));
      expect(older.Items.map((item) => item.Number)).toEqual(all.slice(5).map((item) => item.Number));
    });

    it('pages with skip (a 0-based count of items left out) and fetch, TotalCount counting before them', async () => {
      const all = await ledger('CUS000001');
      const page = await h.client.ledger(query('CUS000001', { skip: 1, fetch: 3 }));
      expect(page.TotalCount).toBe(10);
      expect(page.Items.map((item) => item.Id)).toEqual(all.slice(1, 4).map((item) => item.Id));
      const last = await h.client.ledger(query('CUS000001', { skip: 8, fetch: 5 }));
      expect(last.Items.map((item) => item.Id)).toEqual(all.slice(8).map((item) => item.Id));
      const beyond = await h.client.ledger(query('CUS000001', { skip: 50, fetch: 5 }));
      expect(beyond).toMatchObject({ TotalCount: 10, Items: [] });
      const filtered = await h.client.ledger(query('CUS000001', { currency: 'GBP', skip: 2, fetch: 2 }));
      expect(filtered.TotalCount).toBe(10);
      expect(filtered.Items).toHaveLength(2);
    });

    it('turns Success:false for an unknown account into NOT_FOUND (Intact answers HTTP 200)', async () => {
      const error = await caught(h.client.ledger(query('CUS999999')));
      expect(error.extensions['code']).toBe('NOT_FOUND');
      expect(error.message).toContain('Account CUS999999 not found');
      expect(h.sim.calls.at(-1)?.status).toBe(200);
    });

    it('turns any other Success:false into UPSTREAM_BAD_RESPONSE with Intact’s message', async () => {
      const error = await caught(h.client.ledger(query('')));
      expect(error.extensions['code']).toBe('UPSTREAM_BAD_RESPONSE');
      expect(error.message).toContain('accountCode is required');
    });

    it('sends the bearer token; a wrong or missing one is HTTP 401 → UNAUTHENTICATED', async () => {
      const wrong = new IntactClient(h.http, 'not-the-token');
      const error = await caught(wrong.ledger(query('CUS000001')));
      expect(error.extensions).toMatchObject({ code: 'UNAUTHENTICATED', system: 'INTACT' });
      expect(error.message).toContain('Unauthorized');
      expect(h.sim.calls.at(-1)?.status).toBe(401);

      const anonymous = new IntactClient(h.http, null);
      expect((await caught(anonymous.postReceipt({
        accountCode: 'CUS000001',
        amountPaid: toDecimal(1),
        datePaid: new Date(INTACT_SIMULATOR_EPOCH),
        paymentBranchCode: 'LON',
        receiptTypeCode: 'CC £',
        items: [],
      }))).extensions['code']).toBe('UNAUTHENTICATED');
    });

    it('answers each demo company’s token with its own accounts only; another company’s account is “not found”', async () => {
      const companies = await start({ token: undefined }, INTACT_DEMO_TOKEN);
      const b = new IntactClient(companies.http, INTACT_DEMO_TOKEN_B);
      expect((await companies.client.ledger(query('CUS000001'))).Success).toBe(true);
      await expect(companies.client.ledger(query('CUS000004'))).rejects.toMatchObject({ message: 'INTACT: Account CUS000004 not found' });
      expect((await b.ledger(query('CUS000004'))).Success).toBe(true);
      await expect(b.ledger(query('CUS000001'))).rejects.toMatchObject({ message: 'INTACT: Account CUS000001 not found' });
    });

    it('serves without a token when the simulator is started with token:null', async () => {
      const anonymous = await start({ token: null }, null);
      expect((await anonymous.client.ledger(query('CUS000001'))).TotalCount).toBe(10);
    });
  });

  describe('B2 POST /CustomerLedger', () => {
    const receipt = (accountCode: string, amount: string, items: { number: string; amount: string }[]) => ({
      accountCode,
      amountPaid: toDecimal(amount),
      datePaid: new Date(Date.UTC(2026, 9, 2, 11, 54, 22)),
      paymentBranchCode: 'LON',
      receiptTypeCode: 'CC £',
      items: items.map((item) => ({ number: item.number, amountPaid: toDecimal(item.amount) })),
    });

    it('posts a receipt partly allocated to an invoice; B1 reads back the outstanding and the receipt', async () => {
      const [target] = await openInvoices('CUS000001');
      const debit = toDecimal(target!.Debit);
      const part = debit.dividedBy(2).toDecimalPlaces(2);
      const before = await ledger('CUS000001');

      const result = expectOk(await h.client.postReceipt(receipt('CUS000001', part.plus(10).toFixed(), [{ number: target!.Number, amount: part.toFixed() }])));
      expect(result.receipt.Number).toMatch(/^RCT\d{6}$/);
      expect(toDecimal(result.receipt.Amount).equals(part.plus(10))).toBe(true);
      expect(toDecimal(result.receipt.Unallocated).equals(10)).toBe(true);
      expect(result.allocations).toHaveLength(1);
      expect(result.allocations[0]!.Number).toBe(target!.Number);
      expect(toDecimal(result.allocations[0]!.Amount).equals(part)).toBe(true);
      expect(toDecimal(result.allocations[0]!.Unallocated).equals(debit.minus(part))).toBe(true);

      expect(toDecimal((await invoice('CUS000001', target!.Number)).Unallocated).equals(debit.minus(part))).toBe(true);
      const posted = await invoice('CUS000001', result.receipt.Number);
      expect(posted).toMatchObject({ Type: 'Rct', Debit: 0, Currency: 'GBP', Date: '2026-10-02T11:54:22' });
      expect(toDecimal(posted.Credit).equals(part.plus(10))).toBe(true);
      expect(toDecimal(posted.Unallocated).equals(10)).toBe(true);
      const after = await ledger('CUS000001');
      expect(after).toHaveLength(before.length + 1);
      expect(after[0]!.Number).toBe(result.receipt.Number);
    });

    it('settles several invoices in full, leaving the rest of the receipt unallocated', async () => {
      const [first, second] = await openInvoices('CUS000003');
      const total = toDecimal(first!.Debit).plus(toDecimal(second!.Debit));
      const result = expectOk(
        await h.client.postReceipt(
          receipt('CUS000003', total.plus('0.05').toFixed(), [
            { number: first!.Number, amount: String(first!.Debit) },
            { number: second!.Number, amount: String(second!.Debit) },
          ]),
        ),
      );
      expect(result.allocations.map((allocation) => [allocation.Number, allocation.Unallocated])).toEqual([
        [first!.Number, 0],
        [second!.Number, 0],
      ]);
      expect(result.receipt.Unallocated).toBe(0.05);
      expect((await invoice('CUS000003', first!.Number)).Unallocated).toBe(0);
      expect((await invoice('CUS000003', second!.Number)).Unallocated).toBe(0);
      // A settled invoice is no longer open: a second allocation to it is refused.
      expect(expectRefused(await h.client.postReceipt(receipt('CUS000003', '1', [{ number: first!.Number, amount: '1' }])))).toEqual([
        `Invoice ${first!.Number} is not an open invoice of account CUS000003`,
      ]);
    });

    it('accepts a receipt with no items: all of it stays unallocated', async () => {
      const result = expectOk(await h.client.postReceipt(receipt('CUS000004', '75.50', [])));
      expect(result.allocations).toEqual([]);
      expect(result.receipt).toEqual({ Number: result.receipt.Number, Amount: 75.5, Unallocated: 75.5 });
    });

    it('refuses allocations that exceed the receipt, changing nothing', async () => {
      const [first, second] = await openInvoices('CUS000002');
      const before = await ledger('CUS000002');
      const refused = expectRefused(
        await h.client.postReceipt(
          receipt('CUS000002', '10.00', [
            { number: first!.Number, amount: '6.00' },
            { number: second!.Number, amount: '4.01' },
          ]),
        ),
      );
      expect(refused).toEqual(['Allocations total 10.01 exceeds the amount paid 10']);
      expect(await ledger('CUS000002')).toEqual(before);
      expect(h.sim.state.ledgerOf('CUS000002')).toHaveLength(before.length);
    });

    it('refuses an allocation above an invoice’s unallocated (also across repeated numbers), changing nothing', async () => {
      const partly = (await ledger('CUS000001')).find(isPartlyPaid)!;
      const outstanding = toDecimal(partly.Unallocated);
      const before = await ledger('CUS000001');

      const over = outstanding.plus('0.01').toFixed();
      expect(expectRefused(await h.client.postReceipt(receipt('CUS000001', '99999', [{ number: partly.Number, amount: over }])))).toEqual([
        `Allocation of ${over} to invoice ${partly.Number} exceeds its outstanding ${outstanding.toFixed()}`,
      ]);
      const errors = expectRefused(
        await h.client.postReceipt(
          receipt('CUS000001', '99999', [
            { number: partly.Number, amount: outstanding.toFixed() },
            { number: partly.Number, amount: '0.01' },
          ]),
        ),
      );
      expect(errors).toEqual([`Allocation of 0.01 to invoice ${partly.Number} exceeds its outstanding 0`]);
      expect(await ledger('CUS000001')).toEqual(before);
    });

    it('lists every reason at once: unknown invoice, non-positive amounts, unknown account', async () => {
      const errors = expectRefused(
        await h.client.postReceipt(receipt('CUS000001', '0', [
          { number: 'SI0000000', amount: '5' },
          { number: 'SI0000001', amount: '-1' },
        ])),
      );
      expect(errors).toEqual([
        'amountpaid must be greater than 0',
        'Invoice SI0000000 is not an open invoice of account CUS000001',
        'items[1].amountpaid for SI0000001 must be greater than 0',
      ]);
      expect(expectRefused(await h.client.postReceipt(receipt('CUS999999', '5', [])))).toEqual(['Account CUS999999 not found']);
      expect(h.sim.callsTo('/CustomerLedger', 'POST').map((call) => call.status)).toEqual([200, 200]);
    });

    it('allocates exactly: 0.1 + 0.2 against an invoice of 0.3 settles it', async () => {
      const small = h.sim.state.addInvoice('CUS000003', { debit: '0.3', date: INTACT_SIMULATOR_EPOCH, reference: 'PO-EXACT' });
      const result = expectOk(
        await h.client.postReceipt(
          receipt('CUS000003', '0.3', [
            { number: small.number, amount: '0.1' },
            { number: small.number, amount: '0.2' },
          ]),
        ),
      );
      expect(result.allocations.map((allocation) => allocation.Unallocated)).toEqual([0.2, 0]);
      expect(result.receipt.Unallocated).toBe(0);
      const read = await invoice('CUS000003', small.number);
      expect(read.Unallocated).toBe(0);
      expect(ledgerItemFromWire(read, 'CUS000003').unallocated.amount.isZero()).toBe(true);

      // The same in two receipts.
      const second = h.sim.state.addInvoice('CUS000003', { debit: '0.3', date: INTACT_SIMULATOR_EPOCH });
      expectOk(await h.client.postReceipt(receipt('CUS000003', '0.1', [{ number: second.number, amount: '0.1' }])));
      expectOk(await h.client.postReceipt(receipt('CUS000003', '0.2', [{ number: second.number, amount: '0.2' }])));
      expect((await invoice('CUS000003', second.number)).Unallocated).toBe(0);
      expect(second.unallocated.isZero()).toBe(true);
    });

    it('sends exactly the lower-case keys of the doc’s key table', async () => {
      const stub = await startStub(() => ({ status: 200, body: { Success: true, Receipt: { Number: 'RCT1', Amount: 56, Unallocated: 18 }, Allocations: [], Errors: [] } }));
      const client = new IntactClient(stub.http, 'secret');
      await client.postReceipt(receipt('06dev', '56', [{ number: 'SI6760981', amount: '15' }, { number: 'SI6760853', amount: '20.5' }]));
      expect(stub.requests[0]).toMatchObject({ method: 'POST', url: '/CustomerLedger', authorization: 'Bearer secret' });
      expect(JSON.parse(stub.requests[0]!.body)).toEqual({
        accountcode: '06dev',
        amountpaid: 56,
        datepaid: '2026-10-02T11:54:22',
        paymentbranchcode: 'LON',
        receipttypecode: 'CC £',
        items: [
          { number: 'SI6760981', amountpaid: 15 },
          { number: 'SI6760853', amountpaid: 20.5 },
        ],
      });
    });
  });

  describe('loaders', () => {
    it('ledgerPage calls B1 once for identical queries and maps the items', async () => {
      const loaders = createIntactLoaders(h.client);
      const fromDate = new Date(Date.UTC(2026, 0, 1));
      const [a, b, c] = await Promise.all([
        loaders.ledgerPage.load(query('CUS000001', { fromDate, fetch: 5 })),
        loaders.ledgerPage.load(query('CUS000001', { fromDate: new Date(fromDate.getTime()), fetch: 5 })),
        loaders.ledgerPage.load(query('CUS000001', { fromDate, fetch: 5, skip: 5 })),
      ]);
      expect(a).toBe(b);
      expect(a.totalCount).toBe(c.totalCount);
      expect(a.items).toHaveLength(5);
      expect(a.items[0]).toMatchObject({ accountCode: 'CUS000001', debit: { currencyCode: 'GBP' } });
      expect(h.sim.callsTo('/CustomerLedger', 'GET')).toHaveLength(2);
    });

    it('ledgerAll pages through B1 500 at a time until TotalCount is reached', async () => {
      const big = await start({ invoicesPerAccount: 520 });
      const loaders = createIntactLoaders(big.client);
      const [items, again] = await Promise.all([loaders.ledgerAll.load('CUS000002'), loaders.ledgerAll.load('CUS000002')]);
      expect(again).toBe(items);
      // 520 invoices, two receipts and Contoso's credit note.
      expect(items).toHaveLength(523);
      expect(new Set(items.map((item) => item.itemId)).size).toBe(523);
      const urls = big.sim.callsTo('/CustomerLedger', 'GET').map((call) => call.url);
      expect(urls).toEqual(['/CustomerLedger?accountCode=CUS000002&skip=0&fetch=500', '/CustomerLedger?accountCode=CUS000002&skip=500&fetch=500']);
      // fetch is capped at 500.
      expect((await big.client.ledger(query('CUS000002', { fetch: 1000 }))).Items).toHaveLength(500);
    });

    it('ledgerAll and ledgerPage pass an unknown account’s NOT_FOUND to the caller', async () => {
      const loaders = createIntactLoaders(h.client);
      expect((await caught(loaders.ledgerAll.load('CUS999999'))).extensions['code']).toBe('NOT_FOUND');
    });
  });

  describe('mapping', () => {
    it('reads type codes', () => {
      expect(['Inv', 'SL/Inv', 'Invoice', 'inv', 'Rct', 'SL/Rct', 'Receipt', 'Crn', 'Credit', 'Jnl', '7'].map(ledgerItemType)).toEqual([
        'INVOICE',
        'INVOICE',
        'INVOICE',
        'INVOICE',
        'RECEIPT',
        'RECEIPT',
        'RECEIPT',
        'CREDIT_NOTE',
        'CREDIT_NOTE',
        'OTHER',
        'OTHER',
      ]);
    });

    it('maps B1 items to ledger items, invoices and receipts with Money in the item’s currency', async () => {
      const items = (await ledger('CUS000002')).map((item) => ledgerItemFromWire(item, 'CUS000002'));
      expect(new Set(items.map((item) => item.type))).toEqual(new Set(['INVOICE', 'RECEIPT', 'CREDIT_NOTE']));
      const credit = items.find((item) => item.type === 'CREDIT_NOTE')!;
      expect(credit).toMatchObject({ typeCode: 'Crn', reference: 'RMA-2207' });

      const wire = (await openInvoices('CUS000002'))[0]!;
      const item = ledgerItemFromWire(wire, 'CUS000002');
      expect(item).toMatchObject({ accountCode: 'CUS000002', itemId: String(wire.Id), number: wire.Number, type: 'INVOICE', typeCode: 'Inv' });
      expect(item.date).toBe(wire.Date!.slice(0, 10));
      expect(item.debit.currencyCode).toBe('GBP');
      expect(item.debit.amount.toFixed()).toBe(String(wire.Debit));
      expect(item.credit.amount.isZero()).toBe(true);
      expect(invoiceFromLedgerItem(item)).toEqual({ kind: 'IntactInvoice', number: wire.Number, issuedOn: item.date, dueOn: item.dueDate, ledgerItem: item });

      const receiptItem = items.find((row) => row.type === 'RECEIPT' && !row.unallocated.amount.isZero())!;
      const receipt = receiptFromLedgerItem(receiptItem);
      expect(receipt).toMatchObject({ kind: 'IntactReceipt', accountCode: 'CUS000002', number: receiptItem.number, amount: receiptItem.credit, unallocated: receiptItem.unallocated });
      expect(receipt.paidAt?.toISOString().slice(0, 10)).toBe(receiptItem.date);

      const posted = receiptFromWire({ Number: 'RCT000099', Amount: 12.5, Unallocated: 2.5 }, 'CUS000003', 'EUR', new Date(INTACT_SIMULATOR_EPOCH));
      expect(posted.amount.amount.toFixed()).toBe('12.5');
      expect(posted.unallocated).toMatchObject({ currencyCode: 'EUR' });
      const allocation = allocationFromWire({ Number: 'SI6760801', Amount: 10, Unallocated: 0.3 }, 'EUR');
      expect(allocation).toMatchObject({ invoiceNumber: 'SI6760801', allocated: { currencyCode: 'EUR' } });
      expect(allocation.outstanding.amount.toFixed()).toBe('0.3');
    });
  });

  it('records every call it serves, so tests can count upstream calls', async () => {
    h.sim.resetCalls();
    await h.client.ledger(query('CUS000001'));
    await h.client.ledger(query('CUS000001', { number: 'SI0000000' }));
    await h.client.postReceipt({
      accountCode: 'CUS000001',
      amountPaid: toDecimal(5),
      datePaid: new Date(INTACT_SIMULATOR_EPOCH),
      paymentBranchCode: 'LON',
      receiptTypeCode: 'CC £',
      items: [],
    });
    await caught(new IntactClient(h.http, 'wrong').ledger(query('CUS000001')));
    expect(h.sim.callsTo('/CustomerLedger', 'GET').map((call) => call.status)).toEqual([200, 200, 401]);
    expect(h.sim.callsTo('/CustomerLedger', 'POST')).toHaveLength(1);
    expect(h.sim.calls).toHaveLength(4);
  });
});

describe('Intact: client wire tolerance', () => {
  it('reads objects in Errors, Items:null, numeric Type and amounts given as strings', async () => {
    const answers = [
      { status: 200, body: { Items: null, TotalCount: 0, ErrorMessage: null, Success: true } },
      {
        status: 200,
        body: {
          Items: [{ Id: '9007199254740993', Date: '2024-03-04T11:54:22.1234567', DueDate: null, Number: 'X1', Reference: null, Type: 7, Debit: '12.30', Credit: null, Unallocated: 12.3, Currency: 'GBP' }],
          TotalCount: 1,
          Success: true,
        },
      },
      { status: 200, body: { Success: false, Receipt: null, Errors: [{ Message: 'Branch LON is closed' }, 'Receipt type unknown'], ErrorMessage: 'ignored' } },
      { status: 400, body: { Success: false, ErrorMessage: 'The request body is malformed' } },
      { status: 200, body: { Success: false, Errors: [{ Code: 12 }] } },
      { status: 500, body: { Success: false, ErrorMessage: 'boom' } },
    ];
    const stub = await startStub(() => answers.shift() ?? { status: 500, body: null });
    const client = new IntactClient(stub.http, null);
    expect(await client.ledger(query('A'))).toEqual({ Items: [], TotalCount: 0, ErrorMessage: null, Success: true });
    const item = (await client.ledger(query('A'))).Items[0]!;
    expect(ledgerItemFromWire(item, 'A')).toMatchObject({ itemId: '9007199254740993', type: 'OTHER', typeCode: '7', date: '2024-03-04', dueDate: null });
    expect(ledgerItemFromWire(item, 'A').debit.amount.toFixed(2)).toBe('12.30');
    expect(stub.requests[0]!.authorization).toBeUndefined();

    const request = {
      accountCode: 'A',
      amountPaid: toDecimal(1),
      datePaid: new Date(0),
      paymentBranchCode: 'LON',
      receiptTypeCode: 'X',
      items: [],
    };
    expect(await client.postReceipt(request)).toEqual({ ok: false, errors: ['Branch LON is closed', 'Receipt type unknown'] });
    expect(await client.postReceipt(request)).toEqual({ ok: false, errors: ['The request body is malformed'] });
    expect(await client.postReceipt(request)).toEqual({ ok: false, errors: ['{"Code":12}'] });
    expect((await caught(client.postReceipt(request))).extensions['code']).toBe('UPSTREAM_UNAVAILABLE');
  });
});

// ---------------------------------------------------------------- a canned upstream, for what the simulator never sends

interface Stub {
  readonly http: UpstreamHttpClient;
  readonly requests: { method: string; url: string; authorization: string | undefined; body: string }[];
}

async function startStub(answer: () => { status: number; body: unknown }): Promise<Stub> {
  const requests: Stub['requests'] = [];
  const server: Server = createServer((request: IncomingMessage, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      requests.push({ method: request.method ?? '', url: request.url ?? '', authorization: request.headers.authorization, body });
      const { status, body: json } = answer();
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
    });
  });
  let baseUrl = '';
  const http = await connect(
    {
      get baseUrl() {
        return baseUrl;
      },
      async start() {
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
        return baseUrl;
      },
      stop: () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    },
    'INTACT',
  );
  return { http, requests };
}
