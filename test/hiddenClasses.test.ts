import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '../src/auth/index.js';
import { createContext } from '../src/context.js';
import { invoiceDetailFromWire, plainIqmetrixInvoice } from '../src/upstreams/iqmetrix/index.js';
import { startStack, type TestStack } from './helpers/stack.js';

/**
 * Issue 16, fifth pass: objects made per request or per upstream row carry no accessor of their
 * own. V8 keeps an accessor in the hidden class, so an object literal with a getter gets a hidden
 * class of its own in the old generation, pointing at its closure, and everything that closure
 * reaches survives the young-generation collections (bench/README.md, "What the young generation
 * keeps": 57 KB promoted per MB allocated for a customer's invoices with payments, 1.9 without).
 * Getters belong on a class's prototype.
 */

/** Paths of own accessor properties, walking own data properties down to `depth`. */
function ownAccessors(value: unknown, path: string, depth: number): string[] {
  if (typeof value !== 'object' || value === null || depth < 0) return [];
  const found: string[] = [];
  for (const [key, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(value))) {
    if (descriptor.get !== undefined || descriptor.set !== undefined) found.push(`${path}.${key}`);
    else found.push(...ownAccessors(descriptor.value, `${path}.${key}`, depth - 1));
  }
  return found;
}

const D2 = {
  Id: '418938fe-e3e2-4f66-af01-a485a02a6b09',
  CreatedDateUtc: '2015-04-23T13:14:12.997',
  Customer: { Id: '503d1d4a-c974-4286-b4a2-002699e60ad6' },
  Orders: [{ Id: '216f7424-ae18-4c69-9597-984b430d0759', Items: [{ Id: '0fff7fb5-4620-4b81-8199-ec41ba6f0451', Quantity: 2, SellingPrice: 499 }] }],
  Payments: [{ Id: '15215', Amount: 15, TransactionDate: '2016-01-06T16:22:41.1236641+00:00' }],
  TaxCalculationResult: { Lines: [{ Tax: 0.85 }] },
};

describe('no per-request accessors', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.close();
  });

  it("the request context's upstream scopes keep their loaders behind a prototype getter, built on first read", () => {
    const [tenant] = stack.embedded.demoTenants;
    const caller: Caller = {
      kind: 'token',
      tenant: tenant!,
      subject: 'hidden-classes',
      issuer: 'test',
      scopes: new Set(),
      partitionKey: 'test|hidden-classes',
      client: { name: null, version: null },
    };
    const context = createContext(stack.services, { caller, headers: {}, linkOrigin: '' });
    // `services` and `directory` are built once at start-up and shared: only what the request made is walked.
    const { services: _services, directory: _directory, ...perRequest } = context;
    expect(ownAccessors(perRequest, 'context', 2)).toEqual([]);
    // Still lazy, and one bundle per request.
    const loaders = context.iqm.loaders;
    expect(context.iqm.loaders).toBe(loaders);
    expect(createContext(stack.services, { caller, headers: {}, linkOrigin: '' }).iqm.loaders).not.toBe(loaders);
  });

  it('an iQmetrix D2 invoice maps its lazy parts without accessors of its own, and the same values', () => {
    const detail = invoiceDetailFromWire(D2, 14146, 'CAD');
    expect(ownAccessors(detail, 'detail', 3)).toEqual([]);
    expect(detail.invoice.total.amount.toFixed()).toBe('998.85');
    expect(detail.orders[0]!.items[0]!.quantity).toBe(2);
    expect(detail.customer!.id).toBe('503d1d4a-c974-4286-b4a2-002699e60ad6');
    expect(detail.taxLines).toHaveLength(1);
    expect(detail.orders).toBe(detail.orders);
    // What a mutation answers is plain data the idempotency codec can store, total included.
    const plain = plainIqmetrixInvoice(detail.invoice);
    expect(Object.getPrototypeOf(plain)).toBe(Object.prototype);
    expect(plain.total.amount.toFixed()).toBe('998.85');
  });
});
