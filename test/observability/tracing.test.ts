import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observability/index.js';
import { startStack, type TestStack } from '../helpers/stack.js';

/** The parts of an OTLP/JSON span the test reads. */
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: { key: string; value: { stringValue?: string; intValue?: number | string; boolValue?: boolean } }[];
  status?: { code?: number };
}
interface OtlpExport {
  resourceSpans: { resource: { attributes: OtlpSpan['attributes'] }; scopeSpans: { spans: OtlpSpan[] }[] }[];
}

const SPAN_KIND_SERVER = 2;
const SPAN_KIND_CLIENT = 3;

function attribute(span: OtlpSpan, key: string): string | number | boolean | undefined {
  const value = span.attributes?.find((candidate) => candidate.key === key)?.value;
  if (!value) return undefined;
  if (value.intValue !== undefined) return Number(value.intValue);
  return value.stringValue ?? value.boolValue;
}

const QUERY = /* GraphQL */ `
  query CustomerInvoices {
    customerBySourceId(system: IQM, sourceId: "200101") {
      id
      financeDetails { totalCampaigns }
      invoices(first: 5, filter: { sources: [IQM] }) {
        totalCount
        nodes { number total { amount } ... on IqmInvoice { payments { totalCount } } }
      }
    }
  }
`;

describe('Observability: OpenTelemetry traces over OTLP/HTTP', () => {
  let collector: FastifyInstance;
  let stack: TestStack;
  const exports: OtlpExport[] = [];
  const logLines: string[] = [];
  const spans = () => exports.flatMap((batch) => batch.resourceSpans.flatMap((resource) => resource.scopeSpans.flatMap((scope) => scope.spans)));

  beforeAll(async () => {
    // A fake collector: what the gateway exports is what this test reads.
    collector = Fastify();
    collector.post('/v1/traces', async (request) => {
      exports.push(request.body as OtlpExport);
      return {};
    });
    await collector.listen({ host: '127.0.0.1', port: 0 });
    const address = collector.server.address();
    const port = address !== null && typeof address === 'object' ? address.port : 0;
    stack = await startStack({
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`, OTEL_SERVICE_NAME: 'gateway-under-test' },
      logger: createLogger({ logLevel: 'info' }, { write: (chunk: string) => void logLines.push(...chunk.split('\n').filter(Boolean)) }),
    });
  });
  afterAll(async () => {
    await stack.close();
    await collector.close();
  });
  beforeEach(() => {
    exports.length = 0;
    logLines.length = 0;
    for (const simulator of [stack.embedded.iqm!, stack.embedded.intact!, stack.embedded.refrens!, stack.embedded.iqmetrix!]) simulator.resetCalls();
  });

  it('exports operation → resolver → upstream call spans in one trace, and puts the trace id in the operation log line', async () => {
    const response = await stack.gql<{ customerBySourceId: { invoices: { totalCount: number } } }>(QUERY);
    expect(response.errors).toBeUndefined();
    await stack.services.observability.forceFlush();

    expect(exports[0]!.resourceSpans[0]!.resource.attributes).toContainEqual({ key: 'service.name', value: { stringValue: 'gateway-under-test' } });
    const all = spans();
    const byId = new Map(all.map((span) => [span.spanId, span]));
    const parentOf = (span: OtlpSpan) => (span.parentSpanId ? byId.get(span.parentSpanId) : undefined);

    const roots = all.filter((span) => !span.parentSpanId);
    expect(roots).toHaveLength(1);
    const root = roots[0]!;
    expect(root).toMatchObject({ name: 'query CustomerInvoices', kind: SPAN_KIND_SERVER });
    expect(attribute(root, 'graphql.operation.name')).toBe('CustomerInvoices');
    expect(attribute(root, 'graphql.operation.type')).toBe('query');
    expect(all.every((span) => span.traceId === root.traceId)).toBe(true);

    const rootField = all.find((span) => span.name === 'Query.customerBySourceId')!;
    expect(parentOf(rootField)).toBe(root);

    // One client span per upstream call that reached a simulator, each under a resolver span.
    const clients = all.filter((span) => span.kind === SPAN_KIND_CLIENT);
    const { iqm, intact, refrens, iqmetrix } = stack.embedded;
    const arrived = iqm!.calls.length + intact!.calls.length + refrens!.calls.length + iqmetrix!.calls.length;
    expect(clients).toHaveLength(arrived);
    for (const client of clients) {
      expect(client.name).toBe(`${attribute(client, 'http.request.method')} ${attribute(client, 'url.template')}`);
      expect(attribute(client, 'http.response.status_code')).toBe(200);
      expect(attribute(client, 'upstream.attempts')).toBe(1);
      const parent = parentOf(client)!;
      expect(parent.name).toMatch(/^[A-Z]\w*\.\w+$/);
      // The chain of parents ends at the operation span.
      let ancestor: OtlpSpan | undefined = parent;
      while (ancestor && ancestor !== root) ancestor = parentOf(ancestor);
      expect(ancestor).toBe(root);
    }
    const invoiceList = clients.find((span) => attribute(span, 'url.template') === '/invoice/list/{owId}')!;
    expect(invoiceList).toBeDefined();
    expect(attribute(invoiceList, 'upstream.system')).toBe('IQM');
    expect(parentOf(invoiceList)!.name).toBe('Customer.invoices');
    expect(parentOf(parentOf(invoiceList)!)).toBe(rootField);
    const financeDetails = clients.find((span) => attribute(span, 'url.template') === '/customer/financial-details')!;
    expect(parentOf(financeDetails)!.name).toBe('Customer.financeDetails');
    expect(clients.length).toBeGreaterThanOrEqual(3);

    // Pure mapping resolvers (Money, number) get no span of their own.
    expect(all.some((span) => span.name.endsWith('.total') || span.name.endsWith('.number'))).toBe(false);

    const operationLine = logLines.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line['msg'] === 'graphql operation');
    expect(operationLine?.['traceId']).toBe(root.traceId);
  });

  it('marks the upstream span and the operation as failed when an upstream fails', async () => {
    const iqm = stack.embedded.iqm!;
    iqm.injectFault({ route: '/invoice/list', method: 'GET', times: 1, fault: { kind: 'respond', status: 404, body: { success: false } } });
    const response = await stack.gql(QUERY);
    expect(response.errors?.length).toBeGreaterThan(0);
    await stack.services.observability.forceFlush();

    const all = spans();
    const failedCall = all.find((span) => span.kind === SPAN_KIND_CLIENT && attribute(span, 'url.template') === '/invoice/list/{owId}')!;
    expect(attribute(failedCall, 'http.response.status_code')).toBe(404);
    expect(failedCall.status?.code).toBe(2);
    const root = all.find((span) => !span.parentSpanId)!;
    expect(root.status?.code).toBe(2);
    expect(attribute(root, 'error.type')).toBe(response.errors![0]!.extensions!['code']);
  });

  it('continues the caller’s W3C trace: the operation span is the caller’s child, and every upstream call carries its own span as traceparent', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const callerSpanId = '00f067aa0ba902b7';
    const response = await stack.gql(QUERY, {}, { traceparent: `00-${traceId}-${callerSpanId}-01`, tracestate: 'vendor=finance,other=1' });
    expect(response.errors).toBeUndefined();
    await stack.services.observability.forceFlush();

    const all = spans();
    expect(all.length).toBeGreaterThan(3);
    expect(all.every((span) => span.traceId === traceId)).toBe(true);
    const root = all.find((span) => span.kind === SPAN_KIND_SERVER)!;
    expect(root.parentSpanId).toBe(callerSpanId);

    // What the simulators recorded: one traceparent per call, naming that call's client span.
    const clientSpanIds = new Set(all.filter((span) => span.kind === SPAN_KIND_CLIENT).map((span) => span.spanId));
    const received = [stack.embedded.iqm!, stack.embedded.intact!, stack.embedded.refrens!, stack.embedded.iqmetrix!].flatMap((simulator) => simulator.calls);
    expect(received.length).toBe(clientSpanIds.size);
    const sentParents = received.map((call) => {
      const match = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/.exec(call.headers['traceparent'] ?? '');
      expect(match, call.route).not.toBeNull();
      expect(match![1]).toBe(traceId);
      expect(call.headers['tracestate']).toBe('vendor=finance,other=1');
      return match![2]!;
    });
    expect(new Set(sentParents)).toEqual(clientSpanIds);
  });

  it('starts a trace of its own when the caller sends none, and sends it upstream', async () => {
    const response = await stack.gql(QUERY);
    expect(response.errors).toBeUndefined();
    await stack.services.observability.forceFlush();
    const root = spans().find((span) => span.kind === SPAN_KIND_SERVER)!;
    expect(root.parentSpanId ?? '').toBe('');
    const traceparents = stack.embedded.iqm!.calls.map((call) => call.headers['traceparent']);
    expect(traceparents.length).toBeGreaterThan(0);
    for (const traceparent of traceparents) expect(traceparent).toMatch(new RegExp(`^00-${root.traceId}-[0-9a-f]{16}-01$`));
  });
});
