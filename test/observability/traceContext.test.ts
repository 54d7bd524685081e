import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from '../helpers/stack.js';

const QUERY = '{ customerBySourceId(system: IQM, sourceId: "200101") { displayName financeDetails { totalCampaigns } invoices(first: 3) { nodes { number } } } }';

describe('Observability: W3C trace context with tracing off (no OTEL_EXPORTER_OTLP_ENDPOINT)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.close();
  });
  beforeEach(() => {
    for (const simulator of [stack.embedded.iqm!, stack.embedded.intact!, stack.embedded.refrens!, stack.embedded.iqmetrix!]) simulator.resetCalls();
  });

  const received = () => [stack.embedded.iqm!, stack.embedded.intact!, stack.embedded.refrens!, stack.embedded.iqmetrix!].flatMap((simulator) => simulator.calls);

  it('passes the caller’s traceparent and tracestate to every upstream call unchanged', async () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const response = await stack.gql(QUERY, {}, { traceparent, tracestate: 'congo=t61rcWkgMzE' });
    expect(response.errors).toBeUndefined();
    const calls = received();
    expect(calls.length).toBeGreaterThanOrEqual(3);
    expect(new Set(calls.map((call) => call.headers['traceparent']))).toEqual(new Set([traceparent]));
    expect(new Set(calls.map((call) => call.headers['tracestate']))).toEqual(new Set(['congo=t61rcWkgMzE']));
  });

  it('sends no trace context when the caller sends none, or an invalid one', async () => {
    const variants: Record<string, string>[] = [{}, { traceparent: '00-00000000000000000000000000000000-b7ad6b7169203331-01' }, { traceparent: 'not a traceparent', tracestate: 'a=b' }];
    for (const headers of variants) {
      expect((await stack.gql(QUERY, {}, headers)).errors).toBeUndefined();
    }
    const calls = received();
    expect(calls.length).toBeGreaterThanOrEqual(9);
    for (const call of calls) {
      expect(call.headers['traceparent']).toBeUndefined();
      expect(call.headers['tracestate']).toBeUndefined();
    }
  });
});
