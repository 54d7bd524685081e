import { ApproveInvoiceDocument, CustomerInvoicesDocument, CustomerPaymentsDocument } from './__generated__/graphql.js';
import { createClient } from './request.js';

/**
 * Runs the example operations against a gateway (default: `npm start` on the embedded simulators):
 *   GATEWAY_URL=http://localhost:4000/graphql GATEWAY_TOKEN=$(npm run -s token) npx tsx examples/typed-client/src/main.ts
 * Without GATEWAY_TOKEN the embedded default answers as its read-only demo caller.
 */
const token = process.env['GATEWAY_TOKEN'];
const client = createClient({
  url: process.env['GATEWAY_URL'] ?? 'http://localhost:4000/graphql',
  persistedQueries: true,
  headers: token ? { authorization: `Bearer ${token}` } : {},
});

const invoices = await client.request(CustomerInvoicesDocument, { system: 'IQM', sourceId: '200101', first: 5 });
const customer = invoices.data.customer;
if (!customer) throw new Error('IQM workspace 200101 is not a known customer');
console.log(`${customer.displayName} (${customer.sources.join(', ')}): ${customer.invoices.totalCount ?? '?'} invoices`);
for (const { node } of customer.invoices.edges) {
  // `__typename` narrows the union: invoiceId exists only on IqmInvoice.
  const iqmId = node.__typename === 'IqmInvoice' ? ` (IQM #${node.invoiceId})` : '';
  console.log(`  ${node.source} ${node.number}${iqmId}: ${node.status}, ${node.outstanding.amount} of ${node.total.amount} ${node.total.currencyCode} outstanding`);
}

const payments = await client.request(CustomerPaymentsDocument, { customerId: customer.id, first: 5 });
for (const payment of payments.data.customer?.payments.nodes ?? []) {
  console.log(`  payment ${payment.source} ${payment.amount.amount} ${payment.amount.currencyCode} ${payment.status}`);
}

const pending = customer.invoices.edges.find(({ node }) => node.__typename === 'IqmInvoice' && node.status === 'PENDING');
if (pending) {
  const approved = await client.request(ApproveInvoiceDocument, { input: { invoiceId: pending.node.id, actionNote: 'Approved from the typed client' } });
  const { invoice, userErrors } = approved.data.approveInvoice;
  console.log(userErrors.length > 0 ? `  not approved: ${userErrors.map((error) => `${error.code} ${error.message}`).join('; ')}` : `  approved ${pending.node.number}: now ${invoice?.status}`);
}
