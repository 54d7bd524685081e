import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config.js';
import type { GatewayContext, GatewayServices } from '../context.js';
import type { GatewayHttpApp } from '../http/app.js';
import type { UpstreamInstrumentation } from '../upstreams/http.js';
import { useDebugExtensions } from './debugExtensions.js';
import { ReadinessProbe } from './health.js';
import { GatewayMetrics } from './metrics.js';
import { attemptFailure, roundMs, useOperationLog } from './operationLog.js';
import { REQUEST_ID_HEADER } from './requestId.js';
import { GatewayTracing } from './tracing.js';

export { createLogger } from './logger.js';
export { DEBUG_HEADER } from './debugExtensions.js';
export { GatewayLogController } from './logController.js';
export { lazyChildLoggerFactory } from './lazyChildLogger.js';
export { REQUEST_ID_HEADER, requestIdOf } from './requestId.js';
export type { ReadinessReport, UpstreamReadiness } from './health.js';

/** Logs, traces, metrics and health for one gateway process; created once, before the upstream pools. */
export interface Observability {
  readonly logger: Logger;
  /** Handed to every upstream pool: upstream spans, upstream metrics, one warn line per failed attempt. */
  readonly instrumentation: UpstreamInstrumentation;
  /** Operation log line, metrics and root span; the debug extension outside production. */
  readonly plugins: ApolloServerPlugin<GatewayContext>[];
  /** Resolver spans when tracing is on; the schema unchanged (no cost) otherwise. */
  instrumentSchema(schema: GraphQLSchema): GraphQLSchema;
  /**
   * The public port's share: /healthz, /readyz, the `x-request-id` response header and the
   * non-GraphQL request line; /metrics and the detailed readiness report too when there is no admin
   * port (ADMIN_PORT unset). With one, the public /readyz answers its status code and `{ status }` only.
   */
  registerRoutes(app: GatewayHttpApp, services: GatewayServices): void;
  /** The admin port (ADMIN_PORT): /metrics, the detailed /readyz and /healthz, nothing else. */
  registerAdminRoutes(admin: GatewayHttpApp, services: GatewayServices): void;
  /** Shutdown has begun: /readyz answers 503 and responses close their connection. */
  markDraining(): void;
  /** GraphQL operations started and not yet answered. */
  readonly operationsInFlight: number;
  /** The trace id of the span the caller runs under; undefined when tracing is off. */
  currentTraceId(): string | undefined;
  /** Exports finished spans now (tests, and before exit). */
  forceFlush(): Promise<void>;
  /** Flushes and stops exporters. */
  shutdown(): Promise<void>;
}

/** Routes polled by orchestrators and scrapers: logged at debug, not info, so probes do not flood the log. */
const PROBE_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);

export async function createObservability(config: GatewayConfig, logger: Logger): Promise<Observability> {
  const metrics = new GatewayMetrics();
  const tracing = await GatewayTracing.fromConfig(config);
  const readiness = new ReadinessProbe();
  const loggedOperations = new RecentIds(10_000);
  const registerMetricsRoute = (app: GatewayHttpApp): void => {
    app.get('/metrics', async (_request, reply) => {
      const { contentType, body } = await metrics.render();
      return reply.type(contentType).header('cache-control', 'no-store').send(body);
    });
  };
  /** /readyz: the status code always; the per-upstream report only where operators read it. */
  const registerReadinessRoute = (app: GatewayHttpApp, services: GatewayServices, detailed: boolean): void => {
    app.get('/readyz', async (_request, reply) => {
      const report = await readiness.check(services);
      return reply
        .code(report.status === 'ready' ? 200 : 503)
        .header('cache-control', 'no-store')
        .send(detailed ? report : { status: report.status });
    });
  };

  const instrumentation: UpstreamInstrumentation = {
    aroundCall: (call, run) => (tracing ? tracing.aroundCall(call, run) : run()),
    // Not tracing, the gateway is no hop of its own in the trace: the caller's context goes on as it came.
    traceHeaders: (caller) => (tracing ? tracing.traceHeaders(caller) : (caller ?? {})),
    onAttempt(record, requestId) {
      const failure = attemptFailure(record);
      metrics.upstreamAttempt(record, failure);
      tracing?.onAttempt(record);
      if (failure === null) return;
      const traceId = tracing?.currentTraceId();
      logger.warn(
        {
          system: record.system,
          method: record.method,
          route: record.route,
          status: record.status,
          attempt: record.attempt,
          errorCode: failure,
          durationMs: roundMs(record.durationMs),
          ...(requestId ? { requestId } : {}),
          ...(traceId ? { traceId } : {}),
        },
        'upstream call failed',
      );
    },
  };

  return {
    logger,
    instrumentation,
    plugins: [
      useOperationLog({ logger, metrics, tracing, logged: (requestId) => loggedOperations.add(requestId) }),
      useDebugExtensions(config.production),
    ],
    instrumentSchema: (schema) => (tracing ? tracing.instrumentSchema(schema) : schema),
    registerRoutes(app, services) {
      metrics.attach(services);
      app.addHook('onSend', async (request, reply, payload) => {
        void reply.header(REQUEST_ID_HEADER, request.id);
        // Keep-alive connections would hold the process open past its last response.
        if (readiness.isDraining) void reply.header('connection', 'close');
        return payload;
      });
      app.addHook('onResponse', async (request, reply) => {
        if (loggedOperations.take(request.id)) return;
        const route = request.routeOptions.url ?? null;
        const line = { requestId: request.id, method: request.method, route, statusCode: reply.statusCode, durationMs: roundMs(reply.elapsedTime) };
        if (route !== null && PROBE_ROUTES.has(route)) logger.debug(line, 'http request');
        else logger.info(line, 'http request');
      });
      // With an admin port, which upstreams fail and how their breakers stand is told there only.
      const adminApart = services.config.adminPort !== null;
      app.get('/healthz', async () => ({ status: 'ok' }));
      registerReadinessRoute(app, services, !adminApart);
      if (!adminApart) registerMetricsRoute(app);
    },
    registerAdminRoutes(admin, services) {
      metrics.attach(services);
      admin.get('/healthz', async () => ({ status: 'ok' }));
      registerReadinessRoute(admin, services, true);
      registerMetricsRoute(admin);
    },
    markDraining() {
      readiness.markDraining();
    },
    // eslint-disable-next-line no-restricted-syntax -- made once per process, not per request
    get operationsInFlight() {
      return metrics.operationsInFlight;
    },
    currentTraceId: () => tracing?.currentTraceId(),
    async forceFlush() {
      await tracing?.forceFlush();
    },
    async shutdown() {
      await tracing?.shutdown();
    },
  };
}

/**
 * Request ids whose operation line is already written; bounded, because a request whose response
 * never finishes (client gone) would otherwise leave its id here for good.
 */
class RecentIds {
  private readonly ids = new Set<string>();

  constructor(private readonly limit: number) {}

  add(id: string): void {
    this.ids.add(id);
    if (this.ids.size > this.limit) {
      const oldest = this.ids.values().next();
      if (!oldest.done) this.ids.delete(oldest.value);
    }
  }

  /** Whether the id was here; removes it. */
  take(id: string): boolean {
    return this.ids.delete(id);
  }
}
