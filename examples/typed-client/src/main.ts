import { ApproveInvoiceDocument, CustomerInvoicesDocument, CustomerPaymentsDocument } from './__generated__/graphql.js';
import { createClient, GatewayUnreachableError, GraphQLRequestError } from './request.js';

/**
 * Runs the example operations against a gateway and prints what it finds:
 *   npm start                                   # the gateway on the embedded simulators, in another terminal
 *   npm run example:typed-client                # GATEWAY_URL defaults to http://localhost:4000/graphql
 *   GATEWAY_URL=http://gateway.internal:4000/graphql npm run example:typed-client
 *   GATEWAY_TOKEN=$(npm run -s token) npm run example:typed-client   # act with a token (needed to approve)
 *
 * Operations travel as trusted-document ids (see request.ts), so this also runs against a gateway
 * started with TRUSTED_DOCUMENTS_MODE=enforce and this example's persisted-documents.json.
 *
 * A second run prints exactly what the first printed: the one write (approving the demo customer's
 * pending IQM invoice) happens only while that invoice is still pending, and the listing is read
 * after it.
 */
const url = process.env['GATEWAY_URL'] ?? 'http://localhost:4000/graphql';
// Without GATEWAY_TOKEN the embedded default answers as its read-only demo caller (the approval is then refused).
const token = process.env['GATEWAY_TOKEN'];
const client = createClient({ url, trustedDocuments: true, headers: token ? { authorization: `Bearer ${token}` } : {} });
const APPROVAL_NOTE = 'Approved from the typed client';

async function main(): Promise<void> {
  const variables = { system: 'IQM', sourceId: '200101', first: 5 } as const;
  const before = await client.request(CustomerInvoicesDocument, variables);
  if (!before.data.customer) throw new Error('IQM workspace 200101 is not a known customer');

  // The demo invoice: the one this example approved on an earlier run, else the newest pending one.
  const iqmInvoices = before.data.customer.invoices.edges.flatMap(({ node }) => (node.__typename === 'IqmInvoice' ? [node] : []));
  const demo = iqmInvoices.find((node) => node.actionNote === APPROVAL_NOTE) ?? iqmInvoices.find((node) => node.status === 'PENDING');
  let approval = 'no pending IQM invoice to approve';
  if (demo && demo.actionNote !== APPROVAL_NOTE && !token) {
    approval = `${demo.number} left pending: approving needs a token (GATEWAY_TOKEN)`;
  } else if (demo) {
    if (demo.actionNote !== APPROVAL_NOTE) {
      const approved = await client.request(ApproveInvoiceDocument, { input: { invoiceId: demo.id, actionNote: APPROVAL_NOTE } });
      const { userErrors } = approved.data.approveInvoice;
      if (userErrors.length > 0) throw new Error(`approving ${demo.number} was refused: ${userErrors.map((error) => `${error.code} ${error.message}`).join('; ')}`);
    }
    approval = `${demo.number} approved from this client`;
  }

  const { data } = await client.request(CustomerInvoicesDocument, variables);
  const customer = data.customer!;
  console.log(`${customer.displayName} (${customer.sources.join(', ')}): ${customer.invoices.totalCount ?? '?'} invoices`);
  for (const { node } of customer.invoices.edges) {
    // `__typename` narrows the union: invoiceId exists only on IqmInvoice.
    const iqmId = node.__typename === 'IqmInvoice' ? ` (IQM #${node.invoiceId})` : '';
    console.log(`  ${node.source} ${node.number}${iqmId}: ${node.status}, ${node.outstanding.amount} of ${node.total.amount} ${node.total.currencyCode} outstanding`);
  }
  console.log(`  ${approval}`);

  const payments = await client.request(CustomerPaymentsDocument, { customerId: customer.id, first: 5 });
  for (const payment of payments.data.customer?.payments.nodes ?? []) {
    console.log(`  payment ${payment.source} ${payment.amount.amount} ${payment.amount.currencyCode} ${payment.status}`);
  }
}

try {
  await main();
} catch (error) {
  // One line, no stack: what went wrong and what to do about it.
  if (error instanceof GatewayUnreachableError) {
    console.error(`typed-client: ${error.message}. Start it with \`npm start\`, or set GATEWAY_URL to its /graphql URL.`);
  } else if (error instanceof GraphQLRequestError) {
    console.error(`typed-client: the gateway refused the request: ${error.message}${error.errors[0]?.extensions?.code ? ` (${error.errors[0].extensions.code})` : ''}`);
  } else {
    console.error(`typed-client: ${error instanceof Error ? error.message : String(error)}`);
  }
  process.exitCode = 1;
}
