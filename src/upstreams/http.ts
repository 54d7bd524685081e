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

/**
 * The shared HTTP layer every upstream client goes through: one keep-alive undici pool per
 * upstream, timeouts on connect, headers and body, bodies always consumed, JSON parsed (never
 * trusted) where it enters, and HTTP status mapped to typed errors in one function.
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
  /** Upper bound for one call, headers and body together. */
  readonly requestTimeoutMs: number;
  /** Process-wide observers (traces, metrics); none in unit set-ups. */
  readonly instrumentation?: UpstreamInstrumentation;
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
  /** Told about every finished attempt. */
  onAttempt(record: UpstreamCallRecord): void;
}

/** State of an upstream's circuit breaker, for /readyz and metrics. */
export type BreakerState = 'closed' | 'open' | 'half-open';

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
}
export type UpstreamCallObserver = (call: UpstreamCallRecord) => void;

export function encodePathSegment(value: string | number): string {
  return encodeURIComponent(String(value));
}

export class UpstreamHttpClient {
  readonly system: SourceSystem;
  private readonly pool: Pool;
  private readonly basePath: string;
  private readonly options: UpstreamEndpointOptions;
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
  }

  /** The breaker's state; always closed until the breaker exists. */
  get breakerState(): BreakerState {
    return 'closed';
  }

  /** Sends a request and parses a JSON answer. Throws a GatewayError for transport failures and unexpected statuses. */
  json(request: UpstreamRequest, observe?: UpstreamCallObserver): Promise<UpstreamResponse> {
    return this.instrumented(request, () => this.jsonAttempt(request, this.observers(observe)));
  }

  private async jsonAttempt(request: UpstreamRequest, observe: UpstreamCallObserver): Promise<UpstreamResponse> {
    const started = performance.now();
    let status = 0;
    try {
      const response = await this.dispatch(request, 'application/json');
      status = response.statusCode;
      const text = await response.body.text();
      const body = text.length === 0 ? null : parseJson(this.system, text);
      if (status >= 200 && status < 300) return { status, body };
      if (request.passStatuses?.includes(status)) return { status, body };
      throw errorForUpstreamStatus(this.system, status, request.errorMessage?.(body));
    } catch (error) {
      throw this.translate(error);
    } finally {
      observe({ system: this.system, method: request.method, route: request.route, status, durationMs: performance.now() - started, attempt: 1 });
    }
  }

  /** Sends a request and hands back the body as a stream (file downloads). Errors are mapped as for json(). */
  stream(request: UpstreamRequest, observe?: UpstreamCallObserver): Promise<UpstreamStreamResponse> {
    return this.instrumented(request, () => this.streamAttempt(request, this.observers(observe)));
  }

  private async streamAttempt(request: UpstreamRequest, observe: UpstreamCallObserver): Promise<UpstreamStreamResponse> {
    const started = performance.now();
    let status = 0;
    try {
      const response = await this.dispatch(request, '*/*');
      status = response.statusCode;
      if (status < 200 || status >= 300) {
        const text = await response.body.text();
        throw errorForUpstreamStatus(this.system, status, request.errorMessage?.(safeParseJson(text)));
      }
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(response.headers)) {
        if (typeof value === 'string') headers[name] = value;
      }
      return { status, headers, body: response.body };
    } catch (error) {
      throw this.translate(error);
    } finally {
      observe({ system: this.system, method: request.method, route: request.route, status, durationMs: performance.now() - started, attempt: 1 });
    }
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
      instrumentation?.onAttempt(record);
    };
  }

  async close(): Promise<void> {
    await this.pool.close();
  }

  private dispatch(request: UpstreamRequest, accept: string): Promise<Dispatcher.ResponseData> {
    const headers: Record<string, string> = { accept, ...request.headers };
    let body: Dispatcher.DispatchOptions['body'];
    if (request.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(request.json);
    } else if (request.body) {
      headers['content-type'] = request.body.contentType;
      body = Readable.from(request.body.stream);
    }
    return this.pool.request({
      method: request.method,
      path: this.basePath + request.path + queryString(request.query),
      headers,
      body,
      signal: AbortSignal.timeout(this.options.requestTimeoutMs),
    });
  }

  private translate(error: unknown): GatewayError {
    if (error instanceof GatewayError) return error;
    if (
      error instanceof undiciErrors.HeadersTimeoutError ||
      error instanceof undiciErrors.BodyTimeoutError ||
      error instanceof undiciErrors.ConnectTimeoutError ||
      (error instanceof DOMException && error.name === 'TimeoutError')
    ) {
      return new UpstreamTimeoutError(this.system);
    }
    return new UpstreamUnavailableError(this.system);
  }
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
    return JSON.parse(text) as unknown;
  } catch {
    throw new UpstreamBadResponseError(system, 'the body is not JSON');
  }
}

function safeParseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/**
 * Checks an upstream payload against its documented shape where it enters the gateway.
 * A mismatch is the upstream's fault and becomes UPSTREAM_BAD_RESPONSE, never a crash later on.
 */
export function decodeWire<T>(system: SourceSystem, what: string, schema: { safeParse(value: unknown): { success: true; data: T } | { success: false; error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] } } }, body: unknown): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at ${issue.path.map(String).join('.')}` : '';
  throw new UpstreamBadResponseError(system, `${what}${where}: ${issue?.message ?? 'invalid'}`);
}
