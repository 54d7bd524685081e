import { AsyncLocalStorage } from 'node:async_hooks';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span, type Tracer } from '@opentelemetry/api';
import type { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { GraphQLObjectType, GraphQLResolveInfo, GraphQLSchema } from 'graphql';
import type { GatewayConfig } from '../config.js';
import type { UpstreamCallDescription, UpstreamCallRecord } from '../upstreams/http.js';
import type { OperationOutcome } from './metrics.js';
import { traceHeaders } from './traceContext.js';

/*
 * Span tree of one operation:
 *
 *   query CustomerInvoices                       (server span, one per operation)
 *   └─ Query.customerBySourceId                  (every root field)
 *      ├─ GET /customer/{owId}                   (client span, one per upstream call, retries inside)
 *      └─ Customer.invoices                      (a resolver of our map that called an upstream)
 *         └─ GET /invoice/list/{owId}
 *
 * Which resolvers get a span: every root field (Query, Mutation), and every other field whose
 * resolver is defined in our resolver map *and* started upstream work (directly or through a
 * DataLoader batch it triggered). Default property resolvers and the many pure mapping resolvers
 * (renames, Money objects) get none: they cost nothing and would bury the tree in thousands of
 * zero-length spans for a list of invoices. A field's span is created lazily, when its first
 * upstream call starts, with the field's own start time, so its duration is still the resolver's.
 *
 * Context travels in an AsyncLocalStorage owned by this instance (never the global OTel context
 * manager or tracer provider), so several gateways in one process (tests) keep their traces apart.
 */

/**
 * Semantic-convention names, copied rather than imported: the stable ones are constants of a package
 * whose source is 135 KB kept in memory by every gateway (issue 16), the incubating ones live in
 * its unstable entry point.
 */
const ATTR_ERROR_TYPE = 'error.type';
const ATTR_HTTP_REQUEST_METHOD = 'http.request.method';
const ATTR_HTTP_REQUEST_RESEND_COUNT = 'http.request.resend_count';
const ATTR_HTTP_RESPONSE_STATUS_CODE = 'http.response.status_code';
const ATTR_SERVICE_NAME = 'service.name';
const ATTR_URL_TEMPLATE = 'url.template';
const ATTR_GRAPHQL_OPERATION_TYPE = 'graphql.operation.type';
const ATTR_GRAPHQL_OPERATION_NAME = 'graphql.operation.name';

/** Something an upstream call or a resolver can hang its span under. */
interface TraceScope {
  /** The context to start a child span in (a lazy resolver span is created here). */
  context(): Context;
  /** The trace this scope belongs to, without creating any span. */
  readonly traceId: string;
}

type ResponsePath = GraphQLResolveInfo['path'];

/** The trace of one GraphQL operation: its root span and the spans of its resolvers, by response path. */
export class OperationTrace implements TraceScope {
  private readonly ctx: Context;
  private readonly fields = new WeakMap<ResponsePath, FieldTrace>();

  constructor(
    private readonly tracer: Tracer,
    readonly span: Span,
  ) {
    this.ctx = trace.setSpan(ROOT_CONTEXT, span);
  }

  get traceId(): string {
    return this.span.spanContext().traceId;
  }

  context(): Context {
    return this.ctx;
  }

  /** Names the span after the operation (`query CustomerInvoices`), once it is known. */
  resolved(type: string, name: string | null): void {
    this.span.updateName(name ? `${type} ${name}` : type);
    this.span.setAttribute(ATTR_GRAPHQL_OPERATION_TYPE, type);
    if (name) this.span.setAttribute(ATTR_GRAPHQL_OPERATION_NAME, name);
  }

  end(outcome: OperationOutcome, errorCodes: readonly string[]): void {
    this.span.setAttribute('gateway.outcome', outcome);
    if (outcome !== 'success') {
      this.span.setStatus({ code: SpanStatusCode.ERROR, message: errorCodes.join(',') || outcome });
      if (errorCodes.length > 0) this.span.setAttribute(ATTR_ERROR_TYPE, errorCodes.join(','));
    }
    this.span.end();
  }

  /** Opens the trace of one resolver call; root fields get their span at once, others lazily. */
  openField(info: GraphQLResolveInfo, root: boolean): FieldTrace {
    const field = new FieldTrace(this.tracer, this.scopeAbove(info.path.prev), `${info.parentType.name}.${info.fieldName}`, {
      'graphql.field.name': info.fieldName,
      'graphql.field.parent_type': info.parentType.name,
      'graphql.field.path': pathText(info.path),
    });
    if (root) field.context();
    this.fields.set(info.path, field);
    return field;
  }

  /** The nearest enclosing resolver with a trace, or the operation. */
  private scopeAbove(path: ResponsePath | undefined): TraceScope {
    for (let current = path; current; current = current.prev) {
      const field = this.fields.get(current);
      if (field) return field;
    }
    return this;
  }
}

/** One resolver call; becomes a span only when something is hung under it (or it is a root field). */
class FieldTrace implements TraceScope {
  private span: Span | null = null;
  private ctx: Context | null = null;
  private ended = false;
  private readonly startTime = performance.timeOrigin + performance.now();

  constructor(
    private readonly tracer: Tracer,
    private readonly parent: TraceScope,
    private readonly name: string,
    private readonly attributes: Attributes,
  ) {}

  get traceId(): string {
    return this.parent.traceId;
  }

  context(): Context {
    if (!this.ctx) {
      // Work started after the resolver settled (a prefetch it did not wait for) hangs under the
      // parent: a span opened now could never be ended.
      if (this.ended) return this.parent.context();
      const parentContext = this.parent.context();
      this.span = this.tracer.startSpan(this.name, { attributes: this.attributes, startTime: this.startTime }, parentContext);
      this.ctx = trace.setSpan(parentContext, this.span);
    }
    return this.ctx;
  }

  end(error: unknown): void {
    this.ended = true;
    if (!this.span) return;
    if (error) {
      this.span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    }
    this.span.end();
  }
}

/** One logical upstream call (every attempt of it); attempts report their status into it. */
class UpstreamCallTrace implements TraceScope {
  attempts = 0;
  status = 0;
  errorCode: string | undefined;

  constructor(
    readonly span: Span,
    private readonly parentContext: Context,
  ) {}

  get traceId(): string {
    return this.span.spanContext().traceId;
  }

  context(): Context {
    return trace.setSpan(this.parentContext, this.span);
  }

  record(attempt: UpstreamCallRecord): void {
    this.attempts = Math.max(this.attempts, attempt.attempt);
    this.status = attempt.status;
    this.errorCode = attempt.errorCode;
  }
}

/** OpenTelemetry tracing for one gateway: exists only when OTEL_EXPORTER_OTLP_ENDPOINT is set. */
export class GatewayTracing {
  private readonly tracer: Tracer;
  private readonly scopes = new AsyncLocalStorage<TraceScope>();
  private readonly operations = new WeakMap<object, OperationTrace>();

  private constructor(private readonly provider: NodeTracerProvider) {
    this.tracer = provider.getTracer('finance-graphql-gateway');
  }

  /**
   * A tracer exporting over OTLP/HTTP (JSON) to `<endpoint>/v1/traces`; null without an endpoint.
   * The SDK and the exporter are loaded only then: a gateway without tracing does not hold them.
   */
  static async fromConfig(config: Pick<GatewayConfig, 'otel'>): Promise<GatewayTracing | null> {
    const { endpoint, serviceName } = config.otel;
    if (!endpoint) return null;
    const [{ OTLPTraceExporter }, { resourceFromAttributes }, { BatchSpanProcessor, NodeTracerProvider }] = await Promise.all([
      import('@opentelemetry/exporter-trace-otlp-http'),
      import('@opentelemetry/resources'),
      import('@opentelemetry/sdk-trace-node'),
    ]);
    const exporter = new OTLPTraceExporter({ url: `${endpoint.replace(/\/+$/, '')}/v1/traces` });
    const provider = new NodeTracerProvider({
      resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName }),
      spanProcessors: [new BatchSpanProcessor(exporter)],
    });
    return new GatewayTracing(provider);
  }

  /**
   * Starts the span of one operation; `contextValue` is the operation's GatewayContext. `caller` is
   * the caller's W3C trace context (traceContext.ts): the span continues that trace, as its child,
   * and keeps its sampling decision and tracestate.
   */
  startOperation(contextValue: object, requestId: string, caller: Context = ROOT_CONTEXT): OperationTrace {
    const span = this.tracer.startSpan('graphql.operation', { kind: SpanKind.SERVER, attributes: { 'gateway.request_id': requestId } }, caller);
    const operation = new OperationTrace(this.tracer, span);
    this.operations.set(contextValue, operation);
    return operation;
  }

  /**
   * Wraps every resolver of our resolver map (fields with a `resolve` of their own; default
   * property resolvers have none) so upstream calls made inside it find their parent span.
   * Mutates the freshly built schema in place, as Apollo's own plugin wrapper does.
   */
  instrumentSchema(schema: GraphQLSchema): GraphQLSchema {
    const rootTypes = new Set([schema.getQueryType(), schema.getMutationType()].filter((type) => type !== null && type !== undefined));
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__')) continue;
      const root = rootTypes.has(type);
      for (const field of Object.values(type.getFields())) {
        const resolve = field.resolve;
        if (!resolve) continue;
        field.resolve = (source, args, contextValue, info) => {
          const operation = typeof contextValue === 'object' && contextValue !== null ? this.operations.get(contextValue) : undefined;
          if (!operation) return resolve(source, args, contextValue, info);
          const fieldTrace = operation.openField(info, root);
          return this.scopes.run(fieldTrace, () => {
            let result: unknown;
            try {
              result = resolve(source, args, contextValue, info);
            } catch (error) {
              fieldTrace.end(error);
              throw error;
            }
            whenSettled(result, (error) => fieldTrace.end(error));
            return result;
          });
        };
      }
    }
    return schema;
  }

  /** The upstream layer's aroundCall: one client span per logical call, under the current resolver. */
  async aroundCall<T>(call: UpstreamCallDescription, run: () => Promise<T>): Promise<T> {
    const parentContext = this.scopes.getStore()?.context() ?? ROOT_CONTEXT;
    const span = this.tracer.startSpan(
      `${call.method} ${call.route}`,
      {
        kind: SpanKind.CLIENT,
        attributes: { 'upstream.system': call.system, [ATTR_HTTP_REQUEST_METHOD]: call.method, [ATTR_URL_TEMPLATE]: call.route },
      },
      parentContext,
    );
    const scope = new UpstreamCallTrace(span, parentContext);
    try {
      return await this.scopes.run(scope, run);
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: scope.errorCode ?? (error instanceof Error ? error.name : 'error') });
      throw error;
    } finally {
      if (scope.status > 0) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, scope.status);
      span.setAttribute('upstream.attempts', scope.attempts);
      if (scope.attempts > 1) span.setAttribute(ATTR_HTTP_REQUEST_RESEND_COUNT, scope.attempts - 1);
      if (scope.errorCode) span.setAttribute(ATTR_ERROR_TYPE, scope.errorCode);
      span.end();
    }
  }

  /**
   * The `traceparent`/`tracestate` of the upstream call being made (its client span, found through
   * the async context); the caller's own headers when no span encloses the call.
   */
  traceHeaders(caller: Readonly<Record<string, string>> | undefined): Readonly<Record<string, string>> {
    const scope = this.scopes.getStore();
    return scope ? traceHeaders(scope.context()) : (caller ?? {});
  }

  /** Records an attempt on the upstream call span it belongs to (found through the async context). */
  onAttempt(record: UpstreamCallRecord): void {
    const scope = this.scopes.getStore();
    if (scope instanceof UpstreamCallTrace) scope.record(record);
  }

  /** Trace id of whatever span the caller runs under, for log lines outside the operation's own. */
  currentTraceId(): string | undefined {
    return this.scopes.getStore()?.traceId;
  }

  /** Exports every finished span now. */
  async forceFlush(): Promise<void> {
    await this.provider.forceFlush();
  }

  /** Exports what is left and stops the exporter. */
  async shutdown(): Promise<void> {
    await this.provider.shutdown();
  }
}

function pathText(path: ResponsePath): string {
  const keys: (string | number)[] = [];
  for (let current: ResponsePath | undefined = path; current; current = current.prev) keys.push(current.key);
  return keys.reverse().join('.');
}

/** Calls `done` once a resolver's result (a value, a promise, or a list of promises) has settled. */
function whenSettled(result: unknown, done: (error: unknown) => void): void {
  if (isPromiseLike(result)) {
    result.then(
      (value) => whenSettled(value, done),
      (error: unknown) => done(error),
    );
  } else if (Array.isArray(result) && result.some(isPromiseLike)) {
    Promise.all(result).then(
      () => done(null),
      (error: unknown) => done(error),
    );
  } else {
    done(null);
  }
}

/**
 * By its tag rather than `instanceof`: the schema may come from another copy of graphql-js (the ESM
 * and CommonJS builds are both loaded under some test runners).
 */
function isObjectType(type: unknown): type is GraphQLObjectType {
  return typeof type === 'object' && type !== null && Object.prototype.toString.call(type) === '[object GraphQLObjectType]';
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && 'then' in value && typeof value.then === 'function';
}
