import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { parseExactJson, stringifyExactJson } from './exactJson.js';

/**
 * What every embedded simulator shares: a real HTTP server on loopback, a log of the calls it
 * served (tests count upstream calls here, where they really arrive), the peak number of requests
 * it handled at once (a bulkhead is checked there), an optional latency, and faults injected per
 * route (tests and benchmarks drive the gateway's resilience with them).
 */

/** What a matched request suffers instead of (or on top of) its normal answer. */
export type SimulatorFault =
  /** Answer normally, this much later. */
  | { readonly kind: 'latency'; readonly ms: number }
  /** Never answer; the socket stays open until the caller gives up. Nothing is applied. */
  | { readonly kind: 'hang' }
  /** Close the connection without an answer, before the request is handled. Nothing is applied. */
  | { readonly kind: 'reset' }
  /** Handle the request (state changes happen), then close the connection instead of answering. */
  | { readonly kind: 'resetAfterApply' }
  /** Answer this instead, without handling the request: a 5xx, a 429 with Retry-After, a 200 with `Success:false`. */
  | { readonly kind: 'respond'; readonly status: number; readonly body?: unknown; readonly headers?: Readonly<Record<string, string>> }
  /** 200 with a body that is not JSON. Nothing is applied. */
  | { readonly kind: 'malformedJson' };

export interface SimulatorFaultRule {
  /** Matches route templates containing this text, e.g. `/invoice/list`. */
  readonly route: string;
  /** Narrows the rule to requests whose path and query contain this text (one invoice's id, say). */
  readonly url?: string;
  readonly method?: string;
  /** How many matching requests suffer the fault; every one when omitted. */
  readonly times?: number;
  readonly fault: SimulatorFault;
}

interface ActiveFaultRule extends SimulatorFaultRule {
  remaining: number;
}

export interface SimulatorCall {
  readonly method: string;
  /** The route template as registered, e.g. `/api/v3/fa/invoice/list/:owId`. */
  readonly route: string;
  /** The path and query as received. */
  readonly url: string;
  readonly status: number;
  /** The request headers as received (lower-case names); tests check which credentials reached which system. */
  readonly headers: Readonly<Record<string, string>>;
  /** A JSON or form-urlencoded request body exactly as received (tests read the digits that arrived); null otherwise. */
  readonly body: string | null;
}

export interface SimulatorServerOptions {
  /** Added before every answer, to model a remote system (benchmarks). */
  readonly latencyMs?: number;
  /** Largest request body the simulator reads (multipart uploads included). */
  readonly bodyLimit?: number;
  /** Interface to listen on (default 127.0.0.1: the simulators hold demo credentials, not secrets, but serve no one else by default). */
  readonly host?: string;
  /** Port to listen on when start() names none (default 0: a free port). */
  readonly port?: number;
  /**
   * Whether `calls` logs every request (default true: tests count upstream calls there). A
   * long-running simulator process (`npm run simulators`) turns it off, or the log would grow forever.
   */
  readonly recordCalls?: boolean;
}

export class SimulatorServer {
  readonly app: FastifyInstance;
  readonly calls: SimulatorCall[] = [];
  private url: string | null = null;
  private faultRules: ActiveFaultRule[] = [];
  private active = 0;
  private peak = 0;
  /** Requests that ended in a fault which sends no normal response (they are logged when faulted). */
  private readonly faulted = new WeakSet<FastifyRequest>();

  private readonly listenOn: { readonly host: string; readonly port: number };
  private readonly recordCalls: boolean;

  constructor(readonly name: string, options: SimulatorServerOptions = {}) {
    this.listenOn = { host: options.host ?? '127.0.0.1', port: options.port ?? 0 };
    this.recordCalls = options.recordCalls ?? true;
    this.app = Fastify({ logger: false, bodyLimit: options.bodyLimit ?? 20 * 1024 * 1024, forceCloseConnections: true });
    // Upstreams read and write JSON amounts with all their digits; so do their simulators, and they
    // keep the text that arrived so tests can check the digits a client sent.
    this.app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, text, done) => {
      const raw = String(text);
      receivedBodies.set(request, raw);
      try {
        done(null, raw.length === 0 ? null : parseExactJson(raw));
      } catch (error) {
        done(Object.assign(error instanceof Error ? error : new Error(String(error)), { statusCode: 400 }), undefined);
      }
    });
    this.app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (request, text, done) => {
      const raw = String(text);
      receivedBodies.set(request, raw);
      done(null, Object.fromEntries(new URLSearchParams(raw)));
    });
    this.app.setReplySerializer((payload) => stringifyExactJson(payload));
    // Registered first, so a request counts as in flight while it waits out a latency or hangs.
    this.app.addHook('onRequest', async (_request, reply) => {
      this.active += 1;
      this.peak = Math.max(this.peak, this.active);
      // The response's 'close' fires exactly once: answered, reset, or held until the caller hung up.
      reply.raw.once('close', () => {
        this.active -= 1;
      });
    });
    const latencyMs = options.latencyMs ?? 0;
    if (latencyMs > 0) {
      this.app.addHook('onRequest', async () => {
        await new Promise((resolve) => setTimeout(resolve, latencyMs));
      });
    }
    this.app.addHook('onRequest', async (request, reply) => this.applyFault(request, reply));
    this.app.addHook('onResponse', async (request, reply) => {
      if (this.faulted.has(request) || !this.recordCalls) return;
      this.calls.push({
        method: request.method,
        route: request.routeOptions.url ?? request.url,
        url: request.url,
        status: reply.statusCode,
        headers: receivedHeaders(request),
        body: receivedBodies.get(request) ?? null,
      });
    });
  }

  /**
   * Starts listening on the configured host and port (by default 127.0.0.1 and a free port) and
   * returns the origin; on a wildcard host (0.0.0.0, ::) the origin names 127.0.0.1, which reaches it.
   */
  async start(port = this.listenOn.port): Promise<string> {
    if (this.url) return this.url;
    const { host } = this.listenOn;
    await this.app.listen({ host, port });
    const address = this.app.server.address();
    if (address === null || typeof address === 'string') throw new Error(`${this.name} simulator has no TCP address`);
    const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
    this.url = `http://${shown}:${address.port}`;
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

  /** Requests being handled right now (waiting out a latency or hanging included). */
  get inFlight(): number {
    return this.active;
  }

  /** The most requests handled at once since start or the last resetPeakInFlight(). */
  get peakInFlight(): number {
    return this.peak;
  }

  /** Starts a new peak measurement from the requests in flight now. */
  resetPeakInFlight(): void {
    this.peak = this.active;
  }

  /** Adds a fault for matching requests; rules are checked in the order they were added. */
  injectFault(rule: SimulatorFaultRule): void {
    this.faultRules.push({ ...rule, remaining: rule.times ?? Number.POSITIVE_INFINITY });
  }

  clearFaults(): void {
    this.faultRules = [];
  }

  /**
   * How many more requests the rules injected with `times` will still fault. Zero once each has hit
   * as often as it was told: a test that replaced an answer knows the replacement was served.
   */
  faultUsesLeft(): number {
    return this.faultRules.reduce((left, rule) => left + (Number.isFinite(rule.remaining) ? rule.remaining : 0), 0);
  }

  private takeFault(request: FastifyRequest): SimulatorFault | null {
    const route = request.routeOptions.url ?? request.url;
    const rule = this.faultRules.find(
      (candidate) =>
        candidate.remaining > 0 &&
        route.includes(candidate.route) &&
        (!candidate.method || candidate.method === request.method) &&
        (!candidate.url || request.url.includes(candidate.url)),
    );
    if (!rule) return null;
    rule.remaining -= 1;
    return rule.fault;
  }

  private async applyFault(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const fault = this.takeFault(request);
    if (!fault) return;
    const record = (status: number) => {
      this.faulted.add(request);
      if (this.recordCalls) this.calls.push({ method: request.method, route: request.routeOptions.url ?? request.url, url: request.url, status, headers: receivedHeaders(request), body: null });
    };
    switch (fault.kind) {
      case 'latency':
        await new Promise((resolve) => setTimeout(resolve, fault.ms));
        return;
      case 'hang':
        record(0);
        reply.hijack();
        // Held until the caller (or the server's shutdown) closes the socket.
        await new Promise<void>((resolve) => {
          if (request.raw.socket.destroyed) resolve();
          else request.raw.socket.once('close', () => resolve());
        });
        return;
      case 'reset':
        record(0);
        reply.hijack();
        request.raw.socket.destroy();
        return;
      case 'resetAfterApply': {
        record(0);
        // The handler runs and changes state; the answer never leaves: the socket closes first.
        const socket = request.raw.socket;
        reply.raw.write = () => {
          socket.destroy();
          return false;
        };
        reply.raw.end = () => {
          socket.destroy();
          return reply.raw;
        };
        return;
      }
      case 'respond':
        record(fault.status);
        await reply
          .code(fault.status)
          .headers(fault.headers ?? {})
          .send(fault.body === undefined ? '' : fault.body);
        return;
      case 'malformedJson':
        record(200);
        await reply.code(200).type('application/json').send('{"Success": tru');
        return;
    }
  }
}

/** Request bodies as received, by request (read when the call is logged). */
const receivedBodies = new WeakMap<FastifyRequest, string>();

function receivedHeaders(request: FastifyRequest): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
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
