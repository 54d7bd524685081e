import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IqmSimulator } from '../../src/upstreams/iqm/index.js';
import { startTestIssuer, type TestIssuer } from '../helpers/auth.js';
import { iqmGatewayEnv, launchGateway, type GatewayProcess } from '../helpers/gatewayProcess.js';

/** Resolves when a TCP connection opens, rejects with the socket error (ECONNREFUSED) otherwise. */
function connectOnce(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', reject);
  });
}

const QUERY = /* GraphQL */ `
  query SlowInvoices {
    customerBySourceId(system: IQM, sourceId: "200101") {
      invoices(first: 3, filter: { sources: [IQM] }) { totalCount nodes { number } }
    }
  }
`;

let issuer: TestIssuer;

/** Starts `src/main.ts` as production would (its own process, its own signal handling), IQM pointing at the test's simulator. */
async function launch(iqm: IqmSimulator, env: Record<string, string>): Promise<GatewayProcess> {
  const gateway = await launchGateway({ ...(await iqmGatewayEnv(iqm, issuer)), ...env });
  expect(gateway.lines.find((line) => line.msg.startsWith('Gateway ready'))?.['url']).toBe(`http://127.0.0.1:${gateway.port}/graphql`);
  return gateway;
}

// Each test starts src/main.ts through tsx: about 3 s on an idle machine, up to 18 s measured at load 18 on 2 cores.
describe('Operations: graceful shutdown of the real process', { timeout: 60_000 }, () => {
  const iqm = new IqmSimulator();
  /** The invoice list is held at IQM until a test lets it go: an operation stays in flight as long as needed, without timing. */
  let gate = { arrived: () => {}, released: Promise.resolve(), release: () => {} };
  const launched: GatewayProcess[] = [];

  function holdInvoiceList(): { arrival: Promise<void>; release: () => void } {
    let arrived = () => {};
    let release = () => {};
    const arrival = new Promise<void>((resolve) => (arrived = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    gate = { arrived, released, release };
    return { arrival, release };
  }

  async function sendQuery(port: number): Promise<Response> {
    return fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await issuer.mint()}` },
      body: JSON.stringify({ query: QUERY }),
    });
  }

  beforeAll(async () => {
    iqm.app.addHook('onRequest', async (request) => {
      if (!request.url.includes('/invoice/list/')) return;
      gate.arrived();
      await gate.released;
    });
    await iqm.start();
    issuer = await startTestIssuer();
  });
  afterAll(async () => {
    await issuer?.close();
    gate.release();
    for (const gateway of launched) gateway.kill();
    await iqm.stop();
  });

  it('finishes the in-flight operation after SIGTERM, refuses new connections, and exits 0', async () => {
    const { arrival, release } = holdInvoiceList();
    const gateway = await launch(iqm, { SHUTDOWN_GRACE_MS: '15000' });
    launched.push(gateway);

    const pending = sendQuery(gateway.port);
    await arrival;
    gateway.process.kill('SIGTERM');
    await gateway.waitForLine((line) => line.msg.startsWith('shutting down'));

    // The listener is closed: a new connection is refused while the operation is still in flight.
    await expect(connectOnce(gateway.port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(gateway.lines.some((line) => line.msg === 'stopped')).toBe(false);

    release();
    const response = await pending;
    expect(response.status).toBe(200);
    const body = (await response.json()) as { data: { customerBySourceId: { invoices: { totalCount: number; nodes: { number: string }[] } } }; errors?: unknown };
    expect(body.errors).toBeUndefined();
    const expected = [...iqm.state.invoices.values()].filter((invoice) => invoice.owId === 200101).sort((a, b) => b.issuedOn - a.issuedOn);
    expect(body.data.customerBySourceId.invoices.totalCount).toBe(expected.length);
    expect(body.data.customerBySourceId.invoices.nodes.map((node) => node.number)).toEqual(expected.slice(0, 3).map((invoice) => invoice.invoiceName));

    // Exit 0 means the drain finished before the grace period's forced exit (which exits 1).
    expect(await gateway.exited).toBe(0);
    expect(gateway.lines.find((line) => line.msg === 'graphql operation')).toMatchObject({ operationName: 'SlowInvoices', outcome: 'success' });
    // The operation's own line is written when its response has finished, which may come just after
    // the listener's last connection closed; every shutdown step is logged before 'stopped'.
    expect(gateway.lines.filter((line) => line.msg !== 'graphql operation').at(-1)).toMatchObject({ msg: 'stopped', signal: 'SIGTERM' });
  });

  it('exits 1 when the grace period runs out with an operation still in flight', async () => {
    const { arrival, release } = holdInvoiceList();
    const gateway = await launch(iqm, { SHUTDOWN_GRACE_MS: '300' });
    launched.push(gateway);

    const pending = sendQuery(gateway.port).catch((error: unknown) => error);
    await arrival;
    gateway.process.kill('SIGTERM');

    // The IQM call is still held: only the grace period can end the process.
    expect(await gateway.exited).toBe(1);
    expect(gateway.lines.at(-1)).toMatchObject({ msg: expect.stringMatching(/^grace period over/), graceMs: 300, operationsInFlight: 1 });
    expect(gateway.lines.some((line) => line.msg === 'stopped')).toBe(false);
    expect(await pending).toBeInstanceOf(TypeError);
    release();
  });

  it('exits 1 without waiting when a second signal arrives during the drain', async () => {
    const { arrival, release } = holdInvoiceList();
    const gateway = await launch(iqm, { SHUTDOWN_GRACE_MS: '15000' });
    launched.push(gateway);

    const pending = sendQuery(gateway.port).catch((error: unknown) => error);
    await arrival;
    gateway.process.kill('SIGTERM');
    await gateway.waitForLine((line) => line.msg.startsWith('shutting down'));
    gateway.process.kill('SIGINT');

    expect(await gateway.exited).toBe(1);
    expect(gateway.lines.at(-1)).toMatchObject({ msg: 'second signal: exiting without waiting', signal: 'SIGINT', operationsInFlight: 1 });
    // The operation was cut off: its connection closed without an answer.
    expect(await pending).toBeInstanceOf(TypeError);
    release();
  });
});
