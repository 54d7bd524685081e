import { ROOT_CONTEXT, trace, type Context, type TextMapGetter, type TextMapSetter } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/): the `traceparent` and `tracestate`
 * headers a caller sends, and the ones the gateway sends to every upstream.
 *
 * - Tracing on (OTEL_EXPORTER_OTLP_ENDPOINT): the operation's span continues the caller's trace, and
 *   each upstream call carries its own client span as parent (tracing.ts).
 * - Tracing off: the gateway records nothing, so it passes the caller's context on unchanged, and
 *   the upstream's spans still join the caller's trace.
 * - No (valid) traceparent from the caller and tracing off: nothing is sent.
 */
const propagator = new W3CTraceContextPropagator();

/** Incoming headers: Node's (lower-case names, a repeated header as an array) or Apollo's HeaderMap. */
export type IncomingHeaders = Readonly<Record<string, string | string[] | undefined>> | ReadonlyMap<string, string>;

const getter: TextMapGetter<IncomingHeaders> = {
  keys: (carrier) => (isMap(carrier) ? [...carrier.keys()] : Object.keys(carrier)),
  get: (carrier, key) => (isMap(carrier) ? carrier.get(key) : carrier[key]),
};

const setter: TextMapSetter<Record<string, string>> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};

/** The caller's trace as an OpenTelemetry context (ROOT_CONTEXT when it sent no valid traceparent). */
export function callerTraceContext(headers: IncomingHeaders): Context {
  return propagator.extract(ROOT_CONTEXT, headers, getter);
}

/** `traceparent` (and `tracestate` when there is one) for the span of `context`; empty without a span. */
export function traceHeaders(context: Context): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  if (trace.getSpanContext(context)) propagator.inject(context, headers, setter);
  return headers;
}

/**
 * The caller's trace-context headers, checked and re-serialised (an invalid traceparent is dropped,
 * as the specification asks), for upstream calls made while the gateway does not trace.
 */
export function callerTraceHeaders(headers: IncomingHeaders): Readonly<Record<string, string>> {
  return traceHeaders(callerTraceContext(headers));
}

function isMap(carrier: IncomingHeaders): carrier is ReadonlyMap<string, string> {
  return carrier instanceof Map;
}
