import { describe, expect, it } from 'vitest';
import { UpstreamBadResponseError } from '../../src/errors.js';
import type { IqmClient, IqmInvoiceListQuery } from '../../src/upstreams/iqm/client.js';
import { createIqmLoaders } from '../../src/upstreams/iqm/loaders.js';
import type { IqmInvoiceRow } from '../../src/upstreams/iqm/wire.js';

const OW_ID = 200101;

function row(invoiceId: number, status: number): IqmInvoiceRow {
  return { invoiceId, status, invoiceAmount: 100.5, paidAmount: 0, issuedOn: 1_700_000_000_000, paymentTerm: 30, invoiceName: `INV-${invoiceId}` };
}

/** An IQM client whose A19 answers `rows` and counts its calls; nothing else is called here. */
function clientAnswering(rows: readonly IqmInvoiceRow[]) {
  const calls: IqmInvoiceListQuery[] = [];
  const client = {
    invoices: async (query: IqmInvoiceListQuery) => {
      calls.push(query);
      return { data: rows.map((item) => ({ ...item })) };
    },
  } as unknown as IqmClient;
  return { client, calls };
}

describe('IQM invoice by id (the A19 index)', () => {
  it('maps only the rows asked for, into the very objects the invoice list answers, with one A19', async () => {
    const { client, calls } = clientAnswering([row(1, 1), row(2, 1), row(3, 1)]);
    const loaders = createIqmLoaders(client, 'USD');
    const [second, missing] = await Promise.all([loaders.invoice.load({ owId: OW_ID, invoiceId: 2 }), loaders.invoice.load({ owId: OW_ID, invoiceId: 9 })]);
    expect(second).toMatchObject({ kind: 'IqmInvoice', owId: OW_ID, invoiceId: 2 });
    expect(missing).toBeNull();
    const list = await loaders.invoiceList.load({ owId: OW_ID, isCustomerRequest: true });
    expect(list.map((invoice) => invoice.invoiceId)).toEqual([1, 2, 3]);
    expect(list[1]).toBe(second);
    expect(calls).toHaveLength(1);
  });

  it('fails only the invoice whose row cannot be read; the list fails as a whole', async () => {
    const { client } = clientAnswering([row(1, 1), row(2, 999)]);
    const loaders = createIqmLoaders(client, 'USD');
    await expect(loaders.invoice.load({ owId: OW_ID, invoiceId: 1 })).resolves.toMatchObject({ invoiceId: 1 });
    await expect(loaders.invoice.load({ owId: OW_ID, invoiceId: 2 })).rejects.toBeInstanceOf(UpstreamBadResponseError);
    await expect(loaders.invoiceList.load({ owId: OW_ID, isCustomerRequest: true })).rejects.toBeInstanceOf(UpstreamBadResponseError);
  });

  it('reads A19 again after the loaders are cleared (a write), and maps the new rows', async () => {
    const { client, calls } = clientAnswering([row(1, 1)]);
    const loaders = createIqmLoaders(client, 'USD');
    const before = await loaders.invoice.load({ owId: OW_ID, invoiceId: 1 });
    for (const loader of Object.values(loaders)) loader.clearAll();
    const after = await loaders.invoice.load({ owId: OW_ID, invoiceId: 1 });
    expect(calls).toHaveLength(2);
    expect(after).not.toBe(before);
  });
});
