import { readFileSync } from 'node:fs';
import { ApolloGateway } from '@apollo/gateway';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SUPERGRAPH_FILE } from '../examples/supergraph/compose.js';
import { DEMO_CRM_DATA, directoryCustomerId } from '../examples/supergraph/crm/data.js';
import { startCrmSubgraph, type CrmSubgraph } from '../examples/supergraph/crm/server.js';
import { financeGatewayConfig } from '../examples/supergraph/gateway.config.js';
import { startApolloGatewayRouter, type RunningRouter } from '../examples/supergraph/routers/apolloGateway.js';
import { startHiveGateway } from '../examples/supergraph/routers/hiveGateway.js';
import { createLogger } from '../src/observability/index.js';
import { OTHER_TEST_TENANT } from './helpers/auth.js';
import { startStack, type GraphQLResponse, type TestStack } from './helpers/stack.js';

/**
 * The example supergraph (README, "Supergraph") through two routers that run on Node: the finance
 * gateway (a test stack: its simulators, a test issuer) and the CRM subgraph of examples/supergraph
 * behind `@apollo/gateway` in Apollo Server and behind Hive Gateway (gateway.config.ts on
 * `@graphql-hive/gateway-runtime`). One set of servers for the file; queries go both ways, with the
 * caller's token forwarded, and upstream calls are counted at the simulators.
 */

const SUPERGRAPH_SDL = readFileSync(SUPERGRAPH_FILE, 'utf8');
const NORTHWIND = directoryCustomerId('northwind');
const CONTOSO = directoryCustomerId('contoso');
const TAILSPIN = directoryCustomerId('tailspin');
const HARBOR_MARKER = directoryCustomerId('harbor-marker');

type Response<TData> = GraphQLResponse<TData>;
type Errors = Response<unknown>['errors'];

/** Each error as `path code serviceName`, for comparing what a router passed on. */
const errorsOf = (errors: Errors) => (errors ?? []).map((error) => `${(error.path ?? []).join('.')} ${String(error.extensions?.['code'])} ${String(error.extensions?.['serviceName'])}`);

const CUSTOMER_WITH_CRM = /* GraphQL */ `
  query CustomerWithCrm($id: ID!) {
    customer(id: $id) {
      displayName
      balances { currencyCode outstanding { amount currencyCode } }
      accountManager { name email }
      openTickets { id subject status priority }
    }
  }
`;
interface CustomerWithCrm {
  customer: {
    displayName: string;
    balances: { currencyCode: string; outstanding: { amount: string; currencyCode: string } }[];
    accountManager: { name: string; email: string } | null;
    openTickets: { id: string; subject: string; status: string; priority: string }[];
  } | null;
}

const INVOICE_PAGE = 'invoices(first: 3) { totalCount nodes { source number total { amount currencyCode } } unavailableSources { system code } }';
interface InvoicePage {
  totalCount: number | null;
  nodes: { source: string; number: string; total: { amount: string; currencyCode: string } }[];
  unavailableSources: { system: string; code: string }[];
}

const TICKETS_WITH_FINANCE = /* GraphQL */ `
  query TicketsWithFinance {
    supportTickets { id status customer { id displayName ${INVOICE_PAGE} } }
  }
`;
interface TicketsWithFinance {
  supportTickets: { id: string; status: string; customer: { id: string; displayName: string; invoices: InvoicePage } }[];
}

/** The same finance fields read straight from the gateway, for the customers the CRM returned. */
const NODES_WITH_FINANCE = /* GraphQL */ `
  query NodesWithFinance($ids: [ID!]!) {
    nodes(ids: $ids) { ... on Customer { id displayName ${INVOICE_PAGE} } }
  }
`;

/** What each router does where the two differ, asserted below. */
interface RouterBehaviour {
  readonly name: string;
  router(): RunningRouter;
  /** Verifies the token itself (Hive Gateway's JWT plugin) and answers 401 before any subgraph fetch. */
  readonly authenticatesAtRouter: boolean;
  /** Checks `@requiresScopes` itself (Hive Gateway's genericAuth) before any subgraph fetch. */
  readonly enforcesScopesAtRouter: boolean;
  /** Passes on a subgraph's error at a path that holds data even when no field under it is null. */
  readonly keepsErrorsBesideData: boolean;
}

describe('Supergraph: the finance gateway and the CRM behind @apollo/gateway and Hive Gateway', () => {
  let stack: TestStack;
  let crm: CrmSubgraph;
  let apollo: RunningRouter;
  let hive: RunningRouter;
  const logged: string[] = [];
  const logger = createLogger({ logLevel: 'info' }, { write: (chunk: string) => void logged.push(...chunk.split('\n').filter(Boolean)) });
  /** The GraphQL operations the finance gateway executed (one log line each), since the last reset. */
  const financeOperations = () => logged.map((line) => JSON.parse(line) as { msg: string; requestId: string }).filter((line) => line.msg === 'graphql operation');
  const simulators = () => [stack.embedded.iqm!, stack.embedded.intact!, stack.embedded.refrens!, stack.embedded.iqmetrix!];
  const upstreamCalls = () => simulators().flatMap((simulator) => simulator.calls.map((call) => `${call.method} ${call.url}`)).sort();
  const reset = () => {
    for (const simulator of simulators()) simulator.resetCalls();
    crm.resetRequests();
    logged.length = 0;
  };

  async function post<TData>(url: string, query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = stack.auth): Promise<Response<TData>> {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
    return { status: response.status, ...((await response.json()) as Omit<Response<TData>, 'status'>) };
  }

  beforeAll(async () => {
    stack = await startStack({
      logger,
      // A fault below must fail every attempt of one call, and must not open the breaker for later tests.
      env: { UPSTREAM_RETRY_BASE_DELAY_MS: '1', UPSTREAM_BREAKER_FAILURES: '1000' },
    });
    const issuer = stack.issuer!;
    crm = await startCrmSubgraph({ issuer: issuer.issuer, audience: issuer.audience, jwksUrl: issuer.jwksUrl });
    const subgraphUrls = { finance: stack.url, crm: crm.url };
    apollo = await startApolloGatewayRouter({ supergraphSdl: SUPERGRAPH_SDL, subgraphUrls, subgraphsEnforceAuthorization: true });
    hive = await startHiveGateway({
      ...financeGatewayConfig({ supergraph: SUPERGRAPH_SDL, issuer: issuer.issuer, audience: issuer.audience, jwksUrl: issuer.jwksUrl, subgraphUrls }),
      logging: false,
    });
  });
  afterAll(async () => {
    await apollo?.stop();
    await hive?.stop();
    await crm?.stop();
    await stack?.close();
  });
  afterEach(() => {
    for (const simulator of simulators()) simulator.clearFaults();
    reset();
  });

  it('@apollo/gateway refuses the supergraph as composed (it cannot enforce @authenticated/@requiresScopes); the example serves it only where the subgraphs enforce them', async () => {
    expect(SUPERGRAPH_SDL).toContain('@link(url: "https://specs.apollo.dev/requiresScopes/v0.1", for: SECURITY)');
    const gateway = new ApolloGateway({ supergraphSdl: SUPERGRAPH_SDL, logger: { debug() {}, info() {}, warn() {}, error() {} } });
    await expect(gateway.load()).rejects.toThrow(/requiresScopes\/v0\.1 is for: SECURITY but is unsupported/);
    await expect(startApolloGatewayRouter({ supergraphSdl: SUPERGRAPH_SDL, subgraphsEnforceAuthorization: false })).rejects.toThrow(/cannot enforce/);
  });

  const routers: RouterBehaviour[] = [
    { name: '@apollo/gateway', router: () => apollo, authenticatesAtRouter: false, enforcesScopesAtRouter: false, keepsErrorsBesideData: true },
    { name: 'Hive Gateway', router: () => hive, authenticatesAtRouter: true, enforcesScopesAtRouter: true, keepsErrorsBesideData: false },
  ];

  describe.each(routers)('through $name', (behaviour) => {
    const url = () => behaviour.router().url;

    it('finance root → CRM fields: one fetch to each subgraph, and the upstream calls of the same query sent to the gateway alone', async () => {
      const direct = await stack.gql<CustomerWithCrm>(`query($id: ID!) { customer(id: $id) { displayName balances { currencyCode outstanding { amount currencyCode } } } }`, { id: NORTHWIND });
      expect(direct.errors).toBeUndefined();
      const directCalls = upstreamCalls();
      reset();

      const response = await post<CustomerWithCrm>(url(), CUSTOMER_WITH_CRM, { id: NORTHWIND });
      expect(response.status).toBe(200);
      expect(response.errors).toBeUndefined();
      expect(response.data!.customer).toEqual({
        ...direct.data!.customer,
        accountManager: { name: 'Priya Raman', email: 'priya.raman@alchemist.example' },
        openTickets: [{ id: 'T-1002', subject: 'Invoice total differs from the purchase order', status: 'OPEN', priority: 'HIGH' }],
      });
      expect(response.data!.customer!.balances.length).toBeGreaterThan(0);
      expect(financeOperations()).toHaveLength(1);
      expect(crm.requests.map((request) => request.tenant)).toEqual(['alchemist-media']);
      expect(upstreamCalls()).toEqual(directCalls);
    });

    it('CRM root → finance fields through _entities: one entity fetch, with the upstream calls of nodes(ids:) for the tickets’ customers', async () => {
      const ids = [TAILSPIN, CONTOSO, NORTHWIND];
      const direct = await stack.gql<{ nodes: TicketsWithFinance['supportTickets'][number]['customer'][] }>(NODES_WITH_FINANCE, { ids });
      expect(direct.errors).toBeUndefined();
      const directCalls = upstreamCalls();
      reset();

      const response = await post<TicketsWithFinance>(url(), TICKETS_WITH_FINANCE);
      expect(response.errors).toBeUndefined();
      const tickets = response.data!.supportTickets;
      // The CRM's tickets, newest first, each with its customer's finance data from the gateway.
      expect(tickets.map((ticket) => [ticket.id, ticket.status, ticket.customer.displayName])).toEqual([
        ['T-1004', 'PENDING', 'Tailspin Toys'],
        ['T-1003', 'OPEN', 'Contoso Media'],
        ['T-1002', 'OPEN', 'Northwind Traders'],
        ['T-1001', 'CLOSED', 'Northwind Traders'],
      ]);
      const byId = new Map(direct.data!.nodes.map((customer) => [customer.id, customer]));
      for (const ticket of tickets) expect(ticket.customer).toEqual(byId.get(ticket.customer.id));
      expect(tickets[0]!.customer.invoices.nodes.length).toBeGreaterThan(0);
      // One _entities operation for the three customers (Northwind twice), the calls nodes(ids:) makes.
      const operations = financeOperations();
      expect(operations).toHaveLength(1);
      expect(upstreamCalls()).toEqual(directCalls);
      expect(new Set(directCalls).size).toBe(directCalls.length);
      expect(crm.requests).toHaveLength(1);
    });

    it('the caller’s token and client headers reach both subgraphs; cookies do not', async () => {
      const headers: Record<string, string> = {
        ...stack.auth,
        'apollographql-client-name': 'finance-web',
        'apollographql-client-version': '4.2.0',
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
        'x-request-id': `supergraph-${behaviour.name.replace(/\W/g, '')}-request`,
        cookie: 'session=secret',
      };
      const response = await post<CustomerWithCrm>(url(), CUSTOMER_WITH_CRM, { id: NORTHWIND }, headers);
      expect(response.errors).toBeUndefined();
      const [atCrm] = crm.requests;
      for (const name of ['authorization', 'apollographql-client-name', 'apollographql-client-version', 'traceparent', 'x-request-id'] as const) {
        expect(atCrm!.headers[name], name).toBe(headers[name]);
      }
      expect(atCrm!.headers['cookie']).toBeUndefined();
      // The finance gateway's log line carries the caller's request id: the same headers reached it.
      expect(financeOperations().map((line) => line.requestId)).toEqual([headers['x-request-id']]);
    });

    it(`a request without a token is refused (${behaviour.authenticatesAtRouter ? 'by the router: 401' : 'by the gateway: UNAUTHENTICATED'}), and nothing upstream is asked`, async () => {
      const response = await post<CustomerWithCrm>(url(), CUSTOMER_WITH_CRM, { id: NORTHWIND }, {});
      if (behaviour.authenticatesAtRouter) {
        expect(response.status).toBe(401);
        expect(response.data ?? null).toBeNull();
        expect(financeOperations()).toHaveLength(0);
      } else {
        // @apollo/gateway forwards the request; the gateway's 401 becomes the field's error.
        expect(response.status).toBe(200);
        expect(response.data).toEqual({ customer: null });
        expect(errorsOf(response.errors)).toEqual([' UNAUTHENTICATED undefined']);
      }
      expect(crm.requests).toHaveLength(0);
      expect(upstreamCalls()).toEqual([]);
    });

    it('cross-organization: a blue-harbor token sees nothing of alchemist-media, in either direction', async () => {
      const harbor = await stack.as({ tenant: OTHER_TEST_TENANT });
      // Finance root: another organization's customer id is not found, and the CRM is never asked about it.
      const theirs = await post<CustomerWithCrm>(url(), CUSTOMER_WITH_CRM, { id: NORTHWIND }, harbor);
      expect(theirs.data).toEqual({ customer: null });
      expect(errorsOf(theirs.errors)).toEqual(['customer NOT_FOUND finance']);
      expect(JSON.stringify(theirs)).not.toMatch(/Northwind|Priya|T-100/);
      expect(upstreamCalls()).toEqual([]);
      expect(crm.requests).toHaveLength(0);

      // CRM root: the CRM answers blue-harbor's tickets only, and the gateway blue-harbor's invoices.
      const tickets = await post<TicketsWithFinance>(url(), TICKETS_WITH_FINANCE, {}, harbor);
      expect(tickets.errors).toBeUndefined();
      expect(tickets.data!.supportTickets.map((ticket) => [ticket.id, ticket.customer.id, ticket.customer.displayName])).toEqual([['T-2001', HARBOR_MARKER, 'Harbor Marker Co']]);
      const direct = await stack.gql<{ nodes: unknown[] }>(NODES_WITH_FINANCE, { ids: [HARBOR_MARKER] }, harbor);
      expect(tickets.data!.supportTickets[0]!.customer).toEqual(direct.data!.nodes[0]);
      expect(crm.requests.map((request) => request.tenant)).toEqual(['blue-harbor']);

      // Another organization's account manager is unknown to blue-harbor's CRM data.
      const managed = await post<{ accountsByManager: unknown[] }>(url(), '{ accountsByManager(email: "priya.raman@alchemist.example") { displayName } }', {}, harbor);
      expect(managed.errors).toBeUndefined();
      expect(managed.data).toEqual({ accountsByManager: [] });
    });

    it(`partial failure of one upstream survives the router: data and unavailableSources in band; the error ${behaviour.keepsErrorsBesideData ? 'is passed on with serviceName' : 'only where a field under its path is null'}`, async () => {
      stack.embedded.iqmetrix!.injectFault({ route: 'InvoiceSummaries', fault: { kind: 'respond', status: 503 } });
      type Partial = { customer: { displayName: string; accountManager: { name: string } | null; invoices: Omit<InvoicePage, 'totalCount'> & { totalCount?: number | null } } };
      // totalCount is null when a system is missing (a list with a hole has no honest total); the second query does not ask for it.
      const withTotal = `query($id: ID!) { customer(id: $id) { displayName accountManager { name } invoices(first: 100) { totalCount nodes { source } unavailableSources { system code } } } }`;
      const withoutTotal = withTotal.replace('totalCount ', '');
      for (const query of [withTotal, withoutTotal]) {
        const response = await post<Partial>(url(), query, { id: NORTHWIND });
        expect(response.status).toBe(200);
        const customer = response.data!.customer;
        expect(customer.displayName).toBe('Northwind Traders');
        expect(customer.accountManager).toEqual({ name: 'Priya Raman' });
        expect(customer.invoices.unavailableSources).toEqual([{ system: 'IQMETRIX', code: 'UPSTREAM_UNAVAILABLE' }]);
        expect(new Set(customer.invoices.nodes.map((node) => node.source))).toEqual(new Set(['IQM', 'INTACT', 'REFRENS']));
        // The gateway answered one error at customer.invoices, beside the data. What the client gets of it:
        if (behaviour.keepsErrorsBesideData || query === withTotal) {
          expect(errorsOf(response.errors), query).toEqual(['customer.invoices UPSTREAM_UNAVAILABLE finance']);
          expect(response.errors![0]!.extensions?.['system']).toBe('IQMETRIX');
        } else {
          // Hive Gateway (graphql-tools stitching) raises a subgraph's error only at a field that comes out
          // null under its path: with every field there holding data, unavailableSources is all the client learns.
          expect(response.errors, query).toBeUndefined();
        }
      }
      expect(financeOperations()).toHaveLength(2);
      // A GET is retried: three attempts per operation, all answered 503.
      expect(stack.embedded.iqmetrix!.callsTo('InvoiceSummaries', 'GET').map((call) => call.status)).toEqual([503, 503, 503, 503, 503, 503]);
    });

    it(`a token without finance:read: ${behaviour.enforcesScopesAtRouter ? 'the router refuses the operation before any fetch' : 'the gateway answers FORBIDDEN, through the router'}`, async () => {
      const ledgerOnly = await stack.as({ scopes: ['ledger:read'] });
      const response = await post<CustomerWithCrm>(url(), CUSTOMER_WITH_CRM, { id: NORTHWIND }, ledgerOnly);
      if (behaviour.enforcesScopesAtRouter) {
        // Hive Gateway's genericAuth rejects the whole operation (Apollo Router would remove the field instead).
        expect(response.status).toBe(401);
        expect(response.data).toBeNull();
        expect(errorsOf(response.errors)).toEqual(['customer UNAUTHORIZED_FIELD_OR_TYPE undefined']);
        expect(financeOperations()).toHaveLength(0);
      } else {
        expect(response.data).toEqual({ customer: null });
        expect(errorsOf(response.errors)).toEqual(['customer FORBIDDEN finance']);
      }
      expect(crm.requests).toHaveLength(0);
      expect(upstreamCalls()).toEqual([]);
    });
  });

  it('a router that forwards no headers (@apollo/gateway’s default) is refused by the gateway: no demo identity, nobody’s data', async () => {
    const bare = await startApolloGatewayRouter({
      supergraphSdl: SUPERGRAPH_SDL,
      subgraphUrls: { finance: stack.url, crm: crm.url },
      subgraphsEnforceAuthorization: true,
      propagateHeaders: false,
    });
    try {
      const harbor = await stack.as({ tenant: OTHER_TEST_TENANT });
      for (const id of [NORTHWIND, HARBOR_MARKER]) {
        const response = await post<CustomerWithCrm>(bare.url, CUSTOMER_WITH_CRM, { id }, harbor);
        expect(response.data).toEqual({ customer: null });
        expect(errorsOf(response.errors)).toEqual([' UNAUTHENTICATED undefined']);
      }
      const tickets = await post<TicketsWithFinance>(bare.url, TICKETS_WITH_FINANCE, {}, harbor);
      expect(tickets.data ?? null).toBeNull();
      expect(errorsOf(tickets.errors)).toEqual([' UNAUTHENTICATED undefined']);
      expect(upstreamCalls()).toEqual([]);
      // The CRM refused too (a request without a token is counted without a tenant).
      expect(crm.requests.map((request) => request.tenant)).toEqual([null]);
    } finally {
      await bare.stop();
    }
  });

  it('the CRM’s data names customers of the demo directory, by the gateway’s own ids, each in its own organization', async () => {
    for (const [tenant, organization] of Object.entries(DEMO_CRM_DATA)) {
      const response = await stack.gql<{ customers: { nodes: { id: string }[] } }>('{ customers(first: 20) { nodes { id } } }', {}, await stack.as({ tenant }));
      const own = new Set(response.data!.customers.nodes.map((customer) => customer.id));
      for (const id of [...organization.managers.flatMap((manager) => manager.customerIds), ...organization.tickets.map((ticket) => ticket.customerId)]) {
        expect(own.has(id), `${tenant}: ${Buffer.from(id, 'base64url').toString()}`).toBe(true);
      }
    }
  });
});
