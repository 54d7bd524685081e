import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatorFault } from '../../src/upstreams/simulatorServer.js';
import { startStack, type TestStack } from '../helpers/stack.js';

const MARKER = 'UPSTREAM-BODY-MARKER-7f3a';
/** A body that every client's error-message reader would quote: IQM, Intact, Refrens and iQmetrix shapes at once. */
const LEAKY_BODY = {
  message: `${MARKER} at http://127.0.0.1:9/internal`,
  Message: `${MARKER} at http://127.0.0.1:9/internal`,
  errorObjects: [{ error: `${MARKER} at http://127.0.0.1:9/internal` }],
  Success: false,
  Messages: [`${MARKER} at http://127.0.0.1:9/internal`],
  [MARKER]: MARKER,
};

const customerId = (key: string) => Buffer.from(`Customer:DIRECTORY:${key}`).toString('base64url');

/** Touches all four systems: IQM (balance, invoices), Intact (ledger, invoices), Refrens and iQmetrix (invoices). */
const EVERY_SYSTEM = `query($id: ID!) {
  customer(id: $id) {
    availableBalance { amount }
    invoices(first: 10) { nodes { number total { amount } } }
    ledger(first: 5) { nodes { number } }
  }
}`;

/** Only the fan-out: failed systems come back as partial errors next to the others' invoices. */
const FAN_OUT = 'query($id: ID!) { customer(id: $id) { invoices(first: 10) { nodes { number } } } }';

const FAULTS: readonly SimulatorFault[] = [
  { kind: 'respond', status: 500, body: LEAKY_BODY },
  { kind: 'respond', status: 400, body: LEAKY_BODY },
  { kind: 'respond', status: 401, body: LEAKY_BODY },
  { kind: 'respond', status: 403, body: LEAKY_BODY },
  { kind: 'respond', status: 404, body: LEAKY_BODY },
  { kind: 'respond', status: 418, body: LEAKY_BODY },
  { kind: 'respond', status: 200, body: LEAKY_BODY },
  { kind: 'malformedJson' },
];

function simulators(stack: TestStack) {
  const { iqm, intact, refrens, iqmetrix } = stack.embedded;
  return [iqm!, intact!, refrens!, iqmetrix!];
}

/** Every origin a simulator listens on, as host:port and as the port alone. */
function upstreamAddresses(stack: TestStack): string[] {
  return simulators(stack).flatMap((simulator) => {
    const url = new URL(simulator.origin);
    return [url.host, `:${url.port}`];
  });
}

async function withFault<T>(stack: TestStack, fault: SimulatorFault, run: () => Promise<T>): Promise<T> {
  for (const simulator of simulators(stack)) simulator.injectFault({ route: '/', fault });
  try {
    return await run();
  } finally {
    for (const simulator of simulators(stack)) simulator.clearFaults();
  }
}

describe('Security: production mode', () => {
  let stack: TestStack;
  beforeAll(async () => {
    // No breaker opening and no retries: every injected fault must reach the gateway's error path.
    stack = await startStack({ env: { NODE_ENV: 'production', LOG_LEVEL: 'silent', UPSTREAM_BREAKER_FAILURES: '1000', UPSTREAM_RETRY_ATTEMPTS: '1' } });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('refuses introspection by default, and executes nothing else of the operation', async () => {
    for (const query of ['{ __schema { queryType { name } } }', '{ __type(name: "Customer") { name } customers(first: 1) { totalCount } }']) {
      const response = await stack.gql(query);
      expect(response.status).toBe(400);
      expect(response.data).toBeUndefined();
      expect(response.errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(response.errors?.[0]?.message).toMatch(/introspection is not allowed/);
    }
    const typename = await stack.gql<{ __typename: string }>('{ __typename }');
    expect(typename.data).toEqual({ __typename: 'Query' });
  });

  it('never sends a stack trace, whatever failed', async () => {
    const responses = [
      await stack.gql('{ customers(first: 1) { nodes { id } }'),
      await stack.gql('{ customerz { id } }'),
      await stack.gql('query($n: Int) { customers(first: $n) { totalCount } }', { n: 'ten' }),
      await stack.gql('{ customers(first: 1000) { totalCount } }'),
      await stack.gql('{ customers(first: 1, after: "not-a-cursor") { totalCount } }'),
      await withFault(stack, { kind: 'reset' }, () => stack.gql(EVERY_SYSTEM, { id: customerId('northwind') })),
    ];
    for (const response of responses) {
      expect(response.errors?.length).toBeGreaterThan(0);
      const text = JSON.stringify(response);
      expect(text).not.toContain('stacktrace');
      expect(text).not.toMatch(/\bat \S+ \(|\/work\/|node_modules|\.ts:\d+/);
    }
  });

  it('gives no "Did you mean" hints about the schema', async () => {
    const responses = [
      await stack.gql('{ customerz(first: 1) { totalCount } }'),
      await stack.gql('{ customers(frist: 1) { totalCount } }'),
      await stack.gql('{ customers(first: 1) { nodes { displayNam } } }'),
      await stack.gql('query($f: PaymentFilter) { organization { payments(first: 1, filter: $f) { totalCount } } }', { f: { status: ['PAIDD'] } }),
      await stack.gql('query($f: PaymentFilter) { organization { payments(first: 1, filter: $f) { totalCount } } }', { f: { statuss: ['PAID'] } }),
    ];
    for (const response of responses) {
      expect(response.status).toBe(400);
      expect(response.errors?.length).toBeGreaterThan(0);
      for (const error of response.errors!) expect(error.message).not.toMatch(/did you mean/i);
    }
    // The messages still say what is wrong.
    expect(responses[0]!.errors![0]!.message).toBe('Cannot query field "customerz" on type "Query".');
    expect(responses[3]!.errors![0]!.message).toContain('Value "PAIDD" does not exist in "PaymentStatus" enum.');
  });

  it('shows no upstream URL, host, port or body in any error of a failing upstream', async () => {
    const addresses = upstreamAddresses(stack);
    for (const [fault, query] of FAULTS.flatMap((each) => [[each, EVERY_SYSTEM], [each, FAN_OUT]] as const)) {
      const response = await withFault(stack, fault, () => stack.gql(query, { id: customerId('northwind') }));
      const label = `${JSON.stringify(fault).slice(0, 60)} ${query.slice(0, 40)}`;
      expect(response.status, label).toBeLessThan(500);
      expect(response.errors?.length, label).toBeGreaterThan(0);
      const text = JSON.stringify(response);
      expect(text, label).not.toContain(MARKER);
      expect(text, label).not.toMatch(/127\.0\.0\.1|localhost|https?:\/\//);
      for (const address of addresses) expect(text, label).not.toContain(address);
      for (const error of response.errors!) {
        expect(error.message, label).toMatch(/^(IQM|INTACT|REFRENS|IQMETRIX)\b|^Internal server error$/);
      }
    }
  });

  it('keeps CSRF prevention on: a GET or a text/plain POST without a preflight header is refused', async () => {
    const get = await fetch(`${stack.url}?query=${encodeURIComponent('{ customers(first: 1) { totalCount } }')}`, { headers: stack.auth });
    expect(get.status).toBe(400);
    expect(await get.text()).toMatch(/Cross-Site Request Forgery/);

    const textPlain = await fetch(stack.url, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', ...stack.auth },
      body: JSON.stringify({ query: '{ customers(first: 1) { totalCount } }' }),
    });
    expect(textPlain.status).toBe(400);
    expect(await textPlain.text()).toMatch(/Cross-Site Request Forgery/);

    const preflighted = await fetch(`${stack.url}?query=${encodeURIComponent('{ customers(first: 1) { totalCount } }')}`, {
      headers: { 'apollo-require-preflight': 'true', ...stack.auth },
    });
    expect(preflighted.status).toBe(200);
    expect(await preflighted.json()).toEqual({ data: { customers: { totalCount: expect.any(Number) } } });
  });
});

describe('Security: production mode with INTROSPECTION=true', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({ env: { NODE_ENV: 'production', LOG_LEVEL: 'silent', INTROSPECTION: 'true' } });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('answers introspection', async () => {
    const response = await stack.gql<{ __schema: { queryType: { name: string } } }>('{ __schema { queryType { name } } }');
    expect(response.status).toBe(200);
    expect(response.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });
});

describe('Security: the same faults outside production (control)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({ env: { UPSTREAM_BREAKER_FAILURES: '1000', UPSTREAM_RETRY_ATTEMPTS: '1' } });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('does pass the upstream’s words and schema hints on in development, so the production assertions can fail', async () => {
    const refused = await withFault(stack, { kind: 'respond', status: 400, body: LEAKY_BODY }, () => stack.gql(FAN_OUT, { id: customerId('northwind') }));
    expect(JSON.stringify(refused)).toContain(MARKER);
    const typo = await stack.gql('{ customerz(first: 1) { totalCount } }');
    expect(typo.errors?.[0]?.message).toMatch(/Did you mean "customer/);
    const introspection = await stack.gql('{ __schema { queryType { name } } }');
    expect(introspection.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });
});
