import Fastify, { type FastifyInstance } from 'fastify';

/**
 * What every embedded simulator shares: a real HTTP server on loopback, a log of the calls it
 * served (tests count upstream calls here, where they really arrive), and an optional latency.
 */

export interface SimulatorCall {
  readonly method: string;
  /** The route template as registered, e.g. `/api/v3/fa/invoice/list/:owId`. */
  readonly route: string;
  /** The path and query as received. */
  readonly url: string;
  readonly status: number;
}

export interface SimulatorServerOptions {
  /** Added before every answer, to model a remote system (benchmarks). */
  readonly latencyMs?: number;
  /** Largest request body the simulator reads (multipart uploads included). */
  readonly bodyLimit?: number;
}

export class SimulatorServer {
  readonly app: FastifyInstance;
  readonly calls: SimulatorCall[] = [];
  private url: string | null = null;

  constructor(readonly name: string, options: SimulatorServerOptions = {}) {
    this.app = Fastify({ logger: false, bodyLimit: options.bodyLimit ?? 20 * 1024 * 1024, forceCloseConnections: true });
    const latencyMs = options.latencyMs ?? 0;
    if (latencyMs > 0) {
      this.app.addHook('onRequest', async () => {
        await new Promise((resolve) => setTimeout(resolve, latencyMs));
      });
    }
    this.app.addHook('onResponse', async (request, reply) => {
      this.calls.push({
        method: request.method,
        route: request.routeOptions.url ?? request.url,
        url: request.url,
        status: reply.statusCode,
      });
    });
  }

  /** Starts listening on 127.0.0.1 (port 0: a free port) and returns the origin. */
  async start(port = 0): Promise<string> {
    if (this.url) return this.url;
    await this.app.listen({ host: '127.0.0.1', port });
    const address = this.app.server.address();
    if (address === null || typeof address === 'string') throw new Error(`${this.name} simulator has no TCP address`);
    this.url = `http://127.0.0.1:${address.port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    await this.app.close();
    this.url = null;
  }

  get origin(): string {
    if (!this.url) throw new Error(`${this.name} simulator is not started`);
    return this.url;
  }

  /** Calls whose route template contains `routePart` (all calls when omitted). */
  callsTo(routePart?: string, method?: string): SimulatorCall[] {
    return this.calls.filter((call) => (!routePart || call.route.includes(routePart)) && (!method || call.method === method));
  }

  resetCalls(): void {
    this.calls.length = 0;
  }
}

/** A small deterministic PRNG (mulberry32), so seeded data is the same on every start. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
