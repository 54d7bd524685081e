import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReadinessReport } from '../../src/observability/index.js';
import { startStack, type TestStack } from '../helpers/stack.js';

async function probe(stack: TestStack, path: '/healthz' | '/readyz'): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${stack.origin}${path}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('Observability: /healthz and /readyz with every upstream up', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.close();
  });

  it('answers /healthz with 200 while the process runs', async () => {
    expect(await probe(stack, '/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
  });

  it('answers /readyz with 200 and a per-upstream report when every upstream is reachable and no breaker is open', async () => {
    const { status, body } = await probe(stack, '/readyz');
    expect(status).toBe(200);
    expect(body).toEqual({
      status: 'ready',
      config: 'loaded',
      failing: [],
      upstreams: ['IQM', 'INTACT', 'REFRENS', 'IQMETRIX'].map((system) => ({ system, ready: true, breaker: 'closed', reachable: true })),
    });
  });

  it('answers 503 "draining" once shutdown has begun, so a load balancer stops sending traffic', async () => {
    stack.services.observability.markDraining();
    const { status, body } = await probe(stack, '/readyz');
    expect(status).toBe(503);
    expect(body['status']).toBe('draining');
    // Liveness is unaffected: the process is still up and finishing its work.
    expect((await probe(stack, '/healthz')).status).toBe(200);
  });
});

describe('Observability: /readyz with failing upstreams', () => {
  let stack: TestStack;

  beforeAll(async () => {
    // One failure opens a breaker, so the test can open IQM's with a single faulted call.
    stack = await startStack({ env: { UPSTREAM_BREAKER_FAILURES: '1', UPSTREAM_RETRY_ATTEMPTS: '1' } });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('answers 503 naming each system that is not ready: one with an open breaker, one refusing connections', async () => {
    const iqm = stack.embedded.iqm!;
    iqm.injectFault({ route: '/invoice/list', method: 'GET', times: 1, fault: { kind: 'respond', status: 503 } });
    const failed = await stack.gql(`{ customerBySourceId(system: IQM, sourceId: "200101") { invoices(first: 1, filter: { sources: [IQM] }) { totalCount } } }`);
    expect(failed.errors?.[0]?.extensions?.['code']).toBe('UPSTREAM_UNAVAILABLE');
    expect(iqm.callsTo('/invoice/list', 'GET').map((call) => call.status)).toEqual([503]);
    await stack.embedded.refrens!.stop();

    const { status, body } = await probe(stack, '/readyz');
    expect(status).toBe(503);
    const report = body as unknown as ReadinessReport;
    expect(report.status).toBe('not ready');
    expect(report.failing).toEqual(['IQM', 'REFRENS']);
    expect(report.upstreams).toEqual([
      { system: 'IQM', ready: false, breaker: 'open', reachable: null },
      { system: 'INTACT', ready: true, breaker: 'closed', reachable: true },
      { system: 'REFRENS', ready: false, breaker: 'closed', reachable: false },
      { system: 'IQMETRIX', ready: true, breaker: 'closed', reachable: true },
    ]);
  });
});
