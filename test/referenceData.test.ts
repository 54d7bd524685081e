import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IqmSimulator } from '../src/upstreams/iqm/index.js';
import { startStack, type TestStack } from './helpers/stack.js';

const QUERY = /* GraphQL */ `
  {
    financeReferenceData {
      paymentTypes { id name label order }
      paymentStatuses { id label }
      invoicePaymentModes { id label }
      invoiceStatuses { id name label }
      invoicePaymentTerms { id name label }
      pgPaymentTypes { id name label }
    }
  }
`;

interface ReferenceAnswer {
  financeReferenceData: Record<string, { id: number; name?: string; label: string; order?: number }[]>;
}

describe('ReferenceData: IQM static lists (A47–A52)', () => {
  let stack: TestStack;
  let iqm: IqmSimulator;

  beforeAll(async () => {
    stack = await startStack();
    iqm = stack.embedded.iqm!;
  });
  afterAll(async () => {
    await stack.close();
  });

  it('reads the six lists once per tenant, then serves its callers from the shared cache with zero upstream calls', async () => {
    iqm.resetCalls();
    const first = await stack.gql<ReferenceAnswer>(QUERY);
    expect(first.errors).toBeUndefined();
    const lists = first.data!.financeReferenceData;
    expect(lists['paymentTypes']).toEqual([
      { id: 1, name: 'as_fund', label: 'As Fund', order: 1 },
      { id: 2, name: 'against_invoice', label: 'Against Invoice', order: 2 },
      { id: 3, name: 'refund', label: 'Refund', order: 3 },
    ]);
    expect(lists['paymentStatuses']!.map((item) => item.label)).toEqual(['Processing', 'Paid', 'Rejected', 'Cancelled']);
    expect(lists['invoicePaymentModes']!.map((item) => item.label)).toEqual(['PayPal', 'Cheque', 'Wire Transfer']);
    expect(lists['invoiceStatuses']!.map((item) => item.id)).toEqual([1, 2, 3, 4, 5, 7, 8]);
    expect(lists['invoicePaymentTerms']!.map((item) => item.label)).toEqual(['Net 7', 'Net 15', 'Net 30', 'Net 45', 'Net 60', 'Net 90', 'Net 120', 'Custom']);
    expect(lists['pgPaymentTypes']!.map((item) => item.name)).toEqual(['publisher', 'platform']);
    expect(iqm.calls.map((call) => call.route).sort()).toEqual(
      ['invoice-payment-modes', 'invoice-payment-terms', 'invoice-status', 'payment-status', 'payment-type', 'pg/payment-type'].map((name) => `/api/v3/fa/static/${name}`).sort(),
    );

    iqm.resetCalls();
    const second = await stack.gql<ReferenceAnswer>(QUERY);
    expect(second.data).toEqual(first.data);
    // Another person of the same tenant is served from the same cache: the lists are not personal data.
    const colleague = await stack.gql<ReferenceAnswer>(QUERY, undefined, await stack.as({ subject: 'colleague' }));
    expect(colleague.data).toEqual(first.data);
    expect(iqm.calls).toEqual([]);
    // Another tenant's lists are read with its own credentials, once, and never served from the first tenant's entries.
    const otherTenant = await stack.gql<ReferenceAnswer>(QUERY, undefined, await stack.as({ tenant: 'blue-harbor' }));
    expect(otherTenant.data).toEqual(first.data);
    expect(new Set(iqm.calls.map((call) => call.headers['authorization']))).toEqual(new Set(['Bearer demo-iqm-token-b']));
    expect(iqm.calls).toHaveLength(6);
  });
});
