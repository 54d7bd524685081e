import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIRST_QUERY } from '../../src/exploration/firstQuery.js';
import { startStack, type TestStack } from '../helpers/stack.js';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The ```graphql block that follows `marker` in the README. */
function readmeQuery(marker: string): string {
  const at = README.indexOf(marker);
  expect(at, `README has no "${marker}"`).toBeGreaterThanOrEqual(0);
  const block = /```graphql\n([\s\S]*?)```/.exec(README.slice(at));
  expect(block, `no graphql block after "${marker}"`).not.toBeNull();
  return block![1]!;
}

interface InvoicesAnswer {
  customerBySourceId: { displayName: string; invoices: { nodes: { source: string }[] } } | null;
}

describe('Exploration: the README’s first queries, as a newcomer copies them', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.close();
  });

  it('the first query is the one GraphiQL and Sandbox open on, and answers from all four systems without errors', async () => {
    const query = readmeQuery('Both open on this first query');
    expect(query).toBe(FIRST_QUERY);
    const answer = await stack.gql<{ customers: { nodes: { displayName: string; sources: string[]; invoices: { nodes: unknown[] } }[] } }>(query);
    expect(answer.status).toBe(200);
    expect(answer.errors).toBeUndefined();
    const customers = answer.data!.customers.nodes;
    expect(customers.map((customer) => customer.displayName)).toEqual(['Northwind Traders', 'Contoso Media', 'Fabrikam Outdoor', 'Tailspin Toys']);
    expect(new Set(customers.flatMap((customer) => customer.sources))).toEqual(new Set(['IQM', 'INTACT', 'REFRENS', 'IQMETRIX']));
    for (const customer of customers) expect(customer.invoices.nodes.length).toBeGreaterThan(0);
  });

  it('the labelled tenant-isolation example answers NOT_FOUND for the other tenant’s customer with no upstream call, and data with that tenant’s token', async () => {
    const query = readmeQuery('**Second example: tenant isolation.**');
    for (const simulator of [stack.embedded.iqm!, stack.embedded.intact!]) simulator.resetCalls();
    const refused = await stack.gql<InvoicesAnswer>(query);
    expect(refused.data!.customerBySourceId).toBeNull();
    expect(refused.errors?.map((error) => [error.extensions?.['code'], error.path])).toEqual([['NOT_FOUND', ['customerBySourceId']]]);
    expect(stack.embedded.iqm!.calls.length + stack.embedded.intact!.calls.length).toBe(0);

    // What `npm run token -- --tenant blue-harbor --scopes "finance:read"` mints.
    expect(README).toContain('npm run token -- --tenant blue-harbor --scopes "finance:read" --header');
    const allowed = await stack.gql<InvoicesAnswer>(query, {}, await stack.as({ tenant: 'blue-harbor', scopes: ['finance:read'] }));
    expect(allowed.errors).toBeUndefined();
    expect(allowed.data!.customerBySourceId!.displayName).toBe('Harbor Marker Co');
    expect(new Set(allowed.data!.customerBySourceId!.invoices.nodes.map((invoice) => invoice.source))).toEqual(new Set(['IQM', 'INTACT']));
  });
});
