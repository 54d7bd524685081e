import { pino, type DestinationStream, type Logger } from 'pino';
import type { GatewayConfig } from '../config.js';

/**
 * Keys whose values never reach a log line, at the top level and up to three levels down
 * (`req.headers.authorization`, `err.request.headers.cookie`, …). Payment-proof contents are not
 * here because they are never handed to the logger at all: uploads stream to disk and Fastify's
 * request logging (which could print bodies) is switched off in server.ts.
 */
const SECRET_KEYS = [
  'authorization',
  'Authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-iaa-ow-id',
  'token',
  'accessToken',
  'refreshToken',
  'password',
  'secret',
  'apiKey',
];

function redactedPaths(): string[] {
  const paths: string[] = [];
  for (const key of SECRET_KEYS) {
    const identifier = /^[A-Za-z_$][\w$]*$/.test(key);
    const property = identifier ? `.${key}` : `["${key}"]`;
    paths.push(identifier ? key : `["${key}"]`, `*${property}`, `*.*${property}`, `*.*.*${property}`);
  }
  return paths;
}

/**
 * The process logger: JSON lines on stdout (or `destination`, which tests point at memory), level
 * from LOG_LEVEL. Credentials are censored by key wherever they sit in a logged object.
 */
export function createLogger(config: Pick<GatewayConfig, 'logLevel'>, destination?: DestinationStream): Logger {
  return pino(
    {
      level: config.logLevel,
      redact: { paths: redactedPaths(), censor: '[redacted]' },
      serializers: {
        // Fastify passes the raw request on error lines; only what identifies the route is kept:
        // a query string may carry GraphQL variables, headers carry credentials.
        req: (request: { method?: string; url?: string; id?: string }) => ({
          id: request.id,
          method: request.method,
          path: request.url?.split('?')[0],
        }),
      },
    },
    destination,
  );
}
