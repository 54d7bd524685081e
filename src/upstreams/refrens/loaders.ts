import type DataLoader from 'dataloader';
import { memoLoader, type ExecutionMode } from '../memoLoader.js';
import type { RefrensPaymentModel } from '../../domain/models.js';
import type { RefrensClient } from './client.js';
import { paymentFromWire } from './mapping.js';

/** A Refrens invoice: the business's `urlKey` and the invoice id, the two path parameters of C1/C2. */
export interface RefrensInvoiceKey {
  readonly urlKey: string;
  readonly invoiceId: string;
}

/** Per-request Refrens loaders. */
export interface RefrensLoaders {
  /**
   * C2 per invoice. Refrens has no batch endpoint, so each distinct invoice is one call per
   * request; clear the key after a C1 write on that invoice.
   */
  readonly invoicePayments: DataLoader<RefrensInvoiceKey, readonly RefrensPaymentModel[], string>;
}

export function createRefrensLoaders(client: RefrensClient, currencyCode: string, mode: ExecutionMode = 'batched'): RefrensLoaders {
  const invoicePayments = memoLoader(
    async ({ urlKey, invoiceId }: RefrensInvoiceKey) =>
      (await client.invoicePayments(urlKey, invoiceId)).map((wire) => paymentFromWire(wire, urlKey, invoiceId, currencyCode)),
    // JSON keeps "a|b" + "c" apart from "a" + "b|c".
    ({ urlKey, invoiceId }) => JSON.stringify([urlKey, invoiceId]),
    mode,
  );
  return { invoicePayments };
}
