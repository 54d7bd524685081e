import type { IqmSimulatorState } from '../simulatorState.js';
import { ok, type SimRoutes } from './support.js';

const item = (id: number, name: string, label: string, order = id) => ({ name, id, label, order });

/** A47–A52, exactly as the doc lists them. */
export const REFERENCE_LISTS: Readonly<Record<string, readonly ReturnType<typeof item>[]>> = {
  '/static/payment-type': [item(1, 'as_fund', 'As Fund'), item(2, 'against_invoice', 'Against Invoice'), item(3, 'refund', 'Refund')],
  '/static/payment-status': [item(1, 'processing', 'Processing'), item(2, 'paid', 'Paid'), item(3, 'rejected', 'Rejected'), item(4, 'cancelled', 'Cancelled')],
  '/static/invoice-payment-modes': [item(1, 'paypal', 'PayPal'), item(2, 'cheque', 'Cheque'), item(3, 'wire_transfer', 'Wire Transfer')],
  '/static/invoice-status': [
    item(1, 'pending', 'Pending', 1),
    item(2, 'partially_paid', 'Partially Paid', 2),
    item(3, 'unpaid', 'Unpaid', 3),
    item(4, 'paid', 'Paid', 4),
    item(5, 'overdue', 'Overdue', 5),
    item(7, 'processing', 'Processing', 7),
    item(8, 'cancelled', 'Cancelled', 8),
  ],
  '/static/invoice-payment-terms': [
    ...[7, 15, 30, 45, 60, 90, 120].map((days, index) => item(index + 1, String(days), `Net ${days}`)),
    item(8, '0', 'Custom'),
  ],
  '/static/pg/payment-type': [item(1, 'publisher', 'Publisher'), item(2, 'platform', 'Platform')],
};

/** Static reference lists: A47–A52. */
export function registerReferenceRoutes(routes: SimRoutes, state: IqmSimulatorState): void {
  for (const [path, rows] of Object.entries(REFERENCE_LISTS)) {
    routes.get(path, async () =>
      path === '/static/pg/payment-type' && state.answerVariants.A52 === 'sample'
        ? ok({ totalRecords: rows.length, filteredRecords: rows.length, pgPaymentTypes: rows })
        : ok(rows),
    );
  }
}
