import { Readable } from 'node:stream';
import { Pool, errors as undiciErrors, type Dispatcher } from 'undici';
import {
  GatewayError,
  type GatewayErrorCode,
  UpstreamBadResponseError,
  UpstreamTimeoutError,
  UpstreamUnavailableError,
  errorForUpstreamStatus,
} from '../errors.js';
import type { SourceSystem } from '../domain/models.js';
import {
  Bulkhead,
  CircuitBreaker,
  callWithResilience,
  isRetryableMethod,
  isRetryableStatus,
  parseRetryAfter,
  systemClock,
  type AttemptOutcome,
  type BreakerState,
  type Refusal,
  type ResiliencePolicies,
  type RetryPolicy,
} from './resilience/index.js';
import { AttemptDeadline } from './attemptDeadline.js';
import { parseExactJson, stringifyExactJson } from './exactJson.js';
import { fastDecoderOf } from './fastWire.js';

/**
 * The shared HTTP layer every upstream client goes through: one keep-alive undici pool per
 * upstream, timeouts on connect, headers and body, bodies always consumed, JSON read and written
 * exactly (no amount through a float: exactJson.ts) and never trusted where it enters, and HTTP
 * status mapped to typed errors in one function. Each call goes through the upstream's circuit breaker, bulkhead and retry policy (./resilience) and never
 * runs past the operation's deadline.
 */

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
export type QueryValue = string | number | boolean | null | undefined;

export interface UpstreamEndpointOptions {
  readonly system: SourceSystem;
  /** Base URL including any path prefix, e.g. http://127.0.0.1:4101/api/v3/fa */
  readonly baseUrl: string;
  /** Keep-alive sockets kept open to this upstream. */
  readonly connections: number;
  readonly connectTimeoutMs: number;
  /** Upper bound for one attempt of a call, headers and body together. */
  readonly requestTimeoutMs: number;
  /** Process-wide observers (traces, metrics); none in unit set-ups. */
  readonly instrumentation?: UpstreamInstrumentation;
  /** Retries, circuit breaker and bulkhead; without them every call is one plain attempt (unit set-ups). */
  readonly resilience?: UpstreamResilienceOptions;
}

/** How one upstream's calls are protected (config.resilience; see README, "Upstream faults"). */
export interface UpstreamResilienceOptions {
  /** Attempts of a read in all and the backoff's first step; writes always get one attempt. */
  readonly retry: RetryPolicy;
  readonly breaker: { readonly failureThreshold: number; readonly cooldownMs: number };
  readonly bulkhead: { readonly maxInFlight: number; readonly maxQueued: number; readonly maxInFlightPerOwner?: number; readonly maxQueuedPerOwner?: number };
  /** Budget of a call whose caller brings no deadline (a file download outside an operation). */
  readonly defaultBudgetMs: number;
}

/** What a call is, before it is made: enough to name a span or a metric. */
export interface UpstreamCallDescription {
  readonly system: SourceSystem;
  readonly method: HttpMethod;
  readonly route: string;
}

/**
 * Cross-cutting observers of the upstream layer, set once per process (observability). The
 * per-request observer (UpstreamCallObserver) is separate: it feeds the operation's own record.
 */
export interface UpstreamInstrumentation {
  /** Wraps one logical call, every attempt of it included (a trace span); must return run()'s outcome. */
  aroundCall<T>(call: UpstreamCallDescription, run: () => Promise<T>): Promise<T>;
  /** Told about every finished attempt; `requestId` is the operation's, when the call belongs to one. */
  onAttempt(record: UpstreamCallRecord, requestId?: string): void;
  /**
   * W3C trace-context headers for one attempt, called inside aroundCall: the call's own span when
   * tracing, else `caller` (the caller's headers, passed on). Unset: `caller` is sent as it is.
   */
  traceHeaders?(caller: Readonly<Record<string, string>> | undefined): Readonly<Record<string, string>>;
}

export type { BreakerState } from './resilience/index.js';

/** A streamed request body, e.g. multipart/form-data with a payment proof read from disk. */
export interface StreamBody {
  readonly contentType: string;
  readonly stream: AsyncIterable<Uint8Array | string>;
}

export interface UpstreamRequest {
  readonly method: HttpMethod;
  /** The documented route, for logs and metrics: `/invoice-approve/{invoiceId}`. */
  readonly route: string;
  /** The path after the base URL, values already encoded. */
  readonly path: string;
  readonly query?: Readonly<Record<string, QueryValue>>;
  readonly headers?: Readonly<Record<string, string>>;
  readonly json?: unknown;
  readonly body?: StreamBody;
  /**
   * Non-2xx statuses whose body the client decodes itself because the upstream puts business
   * rejections there (IQM's 422 `errorObjects`). Any other non-2xx becomes a typed error here.
   */
  readonly passStatuses?: readonly number[];
  /** Reads the upstream's own message out of an error body, for the error text. */
  readonly errorMessage?: (body: unknown) => string | undefined;
}

export interface UpstreamResponse {
  readonly status: number;
  readonly body: unknown;
}

export interface UpstreamStreamResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Readable;
}

/** Told about every finished attempt of an upstream call (status 0 when no answer arrived). */
export interface UpstreamCallRecord {
  readonly system: SourceSystem;
  readonly method: HttpMethod;
  readonly route: string;
  readonly status: number;
  readonly durationMs: number;
  /** 1 for the first attempt, 2 and 3 for retries of a read. */
  readonly attempt: number;
  /** Set when the attempt failed: the typed error it became. */
  readonly errorCode?: GatewayErrorCode;
  /**
   * False only when the request provably never left the gateway: refused by the breaker, the
   * bulkhead or the deadline, or no connection could be opened. Idempotency relies on it to free a
   * key whose write cannot have been applied.
   */
  readonly sent: boolean;
}
/**
 * The per-request observer, told about every attempt (refused ones included, with status 0). It may
 * carry the operation's deadline: calls made with it (attempts, queue waits and backoffs) never run
 * past that point.
 */
export interface UpstreamCallObserver {
  (call: UpstreamCallRecord): void;
  /** End of the operation's time budget, on the performance.now() clock. Unset: the pool's default budget. */
  readonly deadline?: number;
  /** The operation's request id, for the process-wide instrumentation's log lines. */
  readonly requestId?: string;
  /** The caller's `traceparent`/`tracestate`, already validated: upstream calls continue its trace. */
  readonly traceHeaders?: Readonly<Record<string, string>>;
  /** The caller's tenant: its calls take that tenant's share of the upstream's bulkhead. */
  readonly tenant?: string;
}

export function encodePathSegment(value: string | number): string {
  return encodeURIComponent(String(value));
}

export class UpstreamHttpClient {
  readonly system: SourceSystem;
  private readonly pool: Pool;
  private readonly basePath: string;
  private readonly options: UpstreamEndpointOptions;
  private readonly policies: ResiliencePolicies;
  /** TCP connections this pool has opened since start (connection reuse is measured against it). */
  connectionsOpened = 0;

  constructor(options: UpstreamEndpointOptions) {
    const url = new URL(options.baseUrl);
    this.system = options.system;
    this.options = options;
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.pool = new Pool(url.origin, {
      connections: options.connections,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 120_000,
      connectTimeout: options.connectTimeoutMs,
      headersTimeout: options.requestTimeoutMs,
      bodyTimeout: options.requestTimeoutMs,
    });
    this.pool.on('connect', () => {
      this.connectionsOpened += 1;
    });
    const resilience = options.resilience;
    this.policies = {
      retry: resilience?.retry ?? { attempts: 1, baseDelayMs: 0 },
      breaker: resilience ? new CircuitBreaker({ ...resilience.breaker, clock: systemClock }) : null,
      bulkhead: resilience ? new Bulkhead({ ...resilience.bulkhead, clock: systemClock }) : null,
      clock: systemClock,
      random: Math.random,
    };
  }

  /** The circuit breaker's state ('closed' when the pool has none). */
  get breakerState(): BreakerState {
    return this.policies.breaker?.state ?? 'closed';
  }

  /** Calls holding a bulkhead slot now (a streamed body holds its slot until it is read). */
  get inFlight(): number {
    return this.policies.bulkhead?.inFlight ?? 0;
  }

  /** Slots one tenant's calls hold now (its fair share is UPSTREAM_TENANT_SHARE_PERCENT of maxInFlight). */
  inFlightOf(tenant: string): number {
    return this.policies.bulkhead?.inFlightOf(tenant) ?? 0;
  }

  /** Calls waiting for a bulkhead slot now. */
  get queued(): number {
    return this.policies.bulkhead?.queued ?? 0;
  }

  /**
   * Sends a request and parses a JSON answer. Throws a GatewayError for transport failures and
   * unexpected statuses. A GET is retried on connection errors, 429 and 502-504; other methods are
   * sent exactly once.
   */
  json(request: UpstreamRequest, observe?: UpstreamCallObserver): Promise<UpstreamResponse> {
    const observer = this.observers(observe);
    return this.instrumented(request, () =>
      this.resilient(request, observe, observer, (attempt, timeoutMs) => this.jsonAttempt(request, attempt, timeoutMs, observer, observe?.traceHeaders)),
    );
  }

  private async jsonAttempt(
    request: UpstreamRequest,
    attempt: number,
    timeoutMs: number,
    observe: UpstreamCallObserver,
    callerTrace: Readonly<Record<string, string>> | undefined,
  ): Promise<AttemptOutcome<UpstreamResponse>> {
    const started = performance.now();
    const record = (status: number, errorCode?: GatewayErrorCode, sent = true) =>
      observe({ system: this.system, method: request.method, route: request.route, status, durationMs: performance.now() - started, attempt, errorCode, sent });
    let status = 0;
    const deadline = new AttemptDeadline(timeoutMs);
    try {
      const response = await this.dispatch(request, 'application/json', deadline.signal, callerTrace);
      status = response.statusCode;
      const text = await response.body.text();
      if ((status >= 200 && status < 300) || request.passStatuses?.includes(status)) {
        const body = text.length === 0 ? null : parseJson(this.system, text);
        record(status);
        return { ok: true, value: { status, body } };
      }
      const failure = this.statusFailure(request, status, response.headers, safeParseJson(text));
      record(status, failure.error.code);
      return failure;
    } catch (error) {
      const failure = this.transportFailure(error);
      record(status, failure?.error.code ?? 'INTERNAL_SERVER_ERROR', status !== 0 || !failedToConnect(error));
      if (!failure) throw error;
      return failure;
    } finally {
      deadline.clear();
    }
  }

  /**
   * Sends a request and hands back the body as a stream (file downloads). Errors are mapped as for
   * json(). A GET is retried only before its body is handed out; the bulkhead slot is held until
   * the body has been read or dropped.
   */
  stream(request: UpstreamRequest, observe?: UpstreamCallObserver): Promise<UpstreamStreamResponse> {
    const observer = this.observers(observe);
    return this.instrumented(request, () =>
      this.resilient(request, observe, observer, (attempt, timeoutMs) => this.streamAttempt(request, attempt, timeoutMs, observer, observe?.traceHeaders)),
    );
  }

  private async streamAttempt(
    request: UpstreamRequest,
    attempt: number,
    timeoutMs: number,
    observe: UpstreamCallObserver,
    callerTrace: Readonly<Record<string, string>> | undefined,
  ): Promise<AttemptOutcome<UpstreamStreamResponse>> {
    const started = performance.now();
    const record = (status: number, errorCode?: GatewayErrorCode, sent = true) =>
      observe({ system: this.system, method: request.method, route: request.route, status, durationMs: performance.now() - started, attempt, errorCode, sent });
    let status = 0;
    // The deadline covers the body too: it ends when the body has been read or dropped.
    const deadline = new AttemptDeadline(timeoutMs);
    try {
      const response = await this.dispatch(request, '*/*', deadline.signal, callerTrace);
      status = response.statusCode;
      if (status < 200 || status >= 300) {
        const text = await response.body.text();
        deadline.clear();
        const failure = this.statusFailure(request, status, response.headers, safeParseJson(text));
        record(status, failure.error.code);
        return failure;
      }
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(response.headers)) {
        if (typeof value === 'string') headers[name] = value;
      }
      record(status);
      const body = response.body;
      if (body.destroyed) deadline.clear();
      else body.once('close', () => deadline.clear());
      return {
        ok: true,
        value: { status, headers, body },
        holdSlot: (release) => {
          if (body.destroyed) release();
          else body.once('close', release);
        },
      };
    } catch (error) {
      deadline.clear();
      const failure = this.transportFailure(error);
      record(status, failure?.error.code ?? 'INTERNAL_SERVER_ERROR', status !== 0 || !failedToConnect(error));
      if (!failure) throw error;
      return failure;
    }
  }

  /** One logical call: every attempt of it, under the operation's deadline (or the pool's default budget). */
  private resilient<T>(
    request: UpstreamRequest,
    caller: UpstreamCallObserver | undefined,
    observe: UpstreamCallObserver,
    attempt: (attempt: number, timeoutMs: number) => Promise<AttemptOutcome<T>>,
  ): Promise<T> {
    const started = this.policies.clock.now();
    const budgetMs = this.options.resilience?.defaultBudgetMs ?? this.options.requestTimeoutMs;
    return callWithResilience(this.policies, {
      deadline: caller?.deadline ?? started + budgetMs,
      owner: caller?.tenant,
      attemptTimeoutMs: this.options.requestTimeoutMs,
      repeatable: isRetryableMethod(request.method),
      attempt,
      refused: (refusal, attemptNumber) => {
        const error = this.refusalError(refusal);
        observe({
          system: this.system,
          method: request.method,
          route: request.route,
          status: 0,
          durationMs: this.policies.clock.now() - started,
          attempt: attemptNumber,
          errorCode: error.code,
          sent: false,
        });
        return error;
      },
    });
  }

  private refusalError(refusal: Refusal): GatewayError {
    switch (refusal.kind) {
      case 'circuit-open':
        return new UpstreamUnavailableError(
          this.system,
          `is unavailable: the circuit is open after repeated failures; calls fail fast for ${Math.ceil(refusal.retryInMs / 1000)} s more, then one probe is let through`,
        );
      case 'queue-full':
        return new UpstreamUnavailableError(this.system, 'is unavailable: too many calls to it are already waiting');
      case 'queue-timeout':
        return new UpstreamTimeoutError(this.system, 'was too busy: no free connection before the operation\'s deadline');
      case 'deadline':
        return new UpstreamTimeoutError(this.system, 'was not called: the operation\'s time budget is spent');
    }
  }

  /**
   * A non-2xx answer: the typed error for its status, retried when the status says "not now"
   * (429, 502-504), counted against the breaker for 429 and 5xx but not for 4xx business answers.
   */
  private statusFailure(
    request: UpstreamRequest,
    status: number,
    headers: Dispatcher.ResponseData['headers'],
    body: unknown,
  ): AttemptOutcome<never> & { readonly ok: false; readonly error: GatewayError } {
    const retryAfter = headers['retry-after'];
    return {
      ok: false,
      error: errorForUpstreamStatus(this.system, status, request.errorMessage?.(body)),
      retryable: isRetryableStatus(status),
      breakerFailure: status === 429 || status >= 500,
      retryAfterMs: parseRetryAfter(typeof retryAfter === 'string' ? retryAfter : undefined, Date.now()),
    };
  }

  /**
   * No usable answer. A timeout is a breaker failure but is not retried (a hanging upstream costs
   * one attempt timeout); a connection error (refused, reset, closed mid-answer) is both; a body
   * that is not JSON is neither: the upstream is up and would answer the same again. Null when the
   * error is none of these (a bug in the gateway, rethrown and masked).
   */
  private transportFailure(error: unknown): (AttemptOutcome<never> & { readonly ok: false; readonly error: GatewayError }) | null {
    const translated = this.translate(error);
    if (translated === null) return null;
    if (translated instanceof UpstreamTimeoutError) return { ok: false, error: translated, retryable: false, breakerFailure: true, retryAfterMs: null };
    if (translated instanceof UpstreamUnavailableError) return { ok: false, error: translated, retryable: true, breakerFailure: true, retryAfterMs: null };
    return { ok: false, error: translated, retryable: false, breakerFailure: false, retryAfterMs: null };
  }

  private instrumented<T>(request: UpstreamRequest, run: () => Promise<T>): Promise<T> {
    const instrumentation = this.options.instrumentation;
    if (!instrumentation) return run();
    return instrumentation.aroundCall({ system: this.system, method: request.method, route: request.route }, run);
  }

  /** The request's own observer and the process-wide instrumentation, told about the same attempt. */
  private observers(observe: UpstreamCallObserver | undefined): UpstreamCallObserver {
    const instrumentation = this.options.instrumentation;
    return (record) => {
      observe?.(record);
      instrumentation?.onAttempt(record, observe?.requestId);
    };
  }

  async close(): Promise<void> {
    await this.pool.close();
  }

  private dispatch(request: UpstreamRequest, accept: string, signal: AbortSignal, callerTrace: Readonly<Record<string, string>> | undefined): Promise<Dispatcher.ResponseData> {
    const trace = this.options.instrumentation?.traceHeaders ? this.options.instrumentation.traceHeaders(callerTrace) : callerTrace;
    // Trace context first: an upstream client's own headers never carry one, and must win if they did.
    const headers: Record<string, string> = { ...trace, accept, ...request.headers };
    let body: Dispatcher.DispatchOptions['body'];
    if (request.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = stringifyExactJson(request.json);
    } else if (request.body) {
      headers['content-type'] = request.body.contentType;
      body = Readable.from(request.body.stream);
    }
    return this.pool.request({
      method: request.method,
      path: this.basePath + request.path + queryString(request.query),
      headers,
      body,
      signal,
    });
  }

  /**
   * The typed error for what an attempt threw: its own GatewayError, a timeout, or a connection
   * error (undici's errors and the socket's E-codes). Null for anything else: a bug, not an upstream failure.
   */
  private translate(error: unknown): GatewayError | null {
    if (error instanceof GatewayError) return error;
    if (
      error instanceof undiciErrors.HeadersTimeoutError ||
      error instanceof undiciErrors.BodyTimeoutError ||
      error instanceof undiciErrors.ConnectTimeoutError ||
      (error instanceof DOMException && error.name === 'TimeoutError')
    ) {
      return new UpstreamTimeoutError(this.system);
    }
    if (error instanceof undiciErrors.UndiciError || (error instanceof Error && /^E[A-Z]+/.test(String((error as NodeJS.ErrnoException).code)))) {
      return new UpstreamUnavailableError(this.system);
    }
    return null;
  }
}

/** Errors raised while opening the connection: the request cannot have reached the upstream. */
const CONNECT_ERROR_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

function failedToConnect(error: unknown): boolean {
  if (error instanceof undiciErrors.ConnectTimeoutError) return true;
  return error instanceof Error && CONNECT_ERROR_CODES.has(String((error as NodeJS.ErrnoException).code));
}

export function queryString(query: Readonly<Record<string, QueryValue>> | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== null) params.append(name, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

function parseJson(system: SourceSystem, text: string): unknown {
  try {
    return parseExactJson(text);
  } catch {
    throw new UpstreamBadResponseError(system, 'the body is not JSON');
  }
}

function safeParseJson(text: string): unknown {
  try {
    return parseExactJson(text);
  } catch {
    return null;
  }
}

/**
 * Checks an upstream payload against its documented shape where it enters the gateway.
 * A mismatch is the upstream's fault and becomes UPSTREAM_BAD_RESPONSE, never a crash later on.
 */
export function decodeWire<T>(system: SourceSystem, what: string, schema: { safeParse(value: unknown): { success: true; data: T } | { success: false; error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] } } }, body: unknown): T {
  // The schema's fast path (fastWire.ts) where it has one; the schema itself for anything it does not take.
  const fast = fastDecoderOf(schema)?.(body);
  if (fast !== undefined) return fast as T;
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at ${issue.path.map(String).join('.')}` : '';
  throw new UpstreamBadResponseError(system, `${what}${where}: ${issue?.message ?? 'invalid'}`);
}
