import { afterEach, expect } from 'vitest';
import type { SourceSystem } from '../../src/domain/models.js';
import { GatewayError } from '../../src/errors.js';
import { UpstreamHttpClient } from '../../src/upstreams/http.js';

interface StartableSimulator {
  start(): Promise<string>;
  stop(): Promise<void>;
  readonly baseUrl: string;
}

/**
 * For client ↔ simulator suites: returns `connect(sim, system)`, which starts the simulator and opens
 * a small pool to it. Everything connected is closed after each test, pools before simulators, so no
 * socket is left waiting on a closed server.
 */
export function useSimulatorConnections(): (sim: StartableSimulator, system: SourceSystem) => Promise<UpstreamHttpClient> {
  const open: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const resource of open.splice(0)) await resource.close();
  });
  return async (sim, system) => {
    await sim.start();
    const http = new UpstreamHttpClient({ system, baseUrl: sim.baseUrl, connections: 4, connectTimeoutMs: 1000, requestTimeoutMs: 2000 });
    open.push(http, { close: () => sim.stop() });
    return http;
  };
}

/** The typed error a client call failed with (the test fails if it succeeded or threw anything else). */
export async function caught(promise: Promise<unknown>): Promise<GatewayError> {
  const error = await promise.then(
    () => null,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(GatewayError);
  return error as GatewayError;
}
