import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions } from 'pino';

/**
 * Fastify's `childLoggerFactory`: the request's logger (`request.log`, carrying its `requestId`) is
 * made when something first logs through it. Fastify builds one per request, and a pino child
 * serializes and redacts its bindings when it is made: 2–3 % of a small operation's CPU (issue 16),
 * for a logger the gateway's own lines do not use (observability writes one line per operation
 * itself) and that error paths alone reach. Every method is there from the start, so Fastify's
 * logger check passes without making the child.
 */
export function lazyChildLoggerFactory(logger: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger {
  let child: FastifyBaseLogger | undefined;
  const made = (): FastifyBaseLogger => (child ??= logger.child(bindings, options));
  return new Proxy(logger, {
    get(_, property) {
      if (child === undefined && typeof Reflect.get(logger, property) === 'function') {
        return (...args: unknown[]) => (Reflect.get(made(), property) as (...values: unknown[]) => unknown).apply(child, args);
      }
      const target = made();
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
    set(_, property, value: unknown) {
      const target = made();
      return Reflect.set(target, property, value, target);
    },
  });
}
