import { createRequire } from 'node:module';
import { pino, type DestinationStream, type Logger } from 'pino';
import type PinoPretty from 'pino-pretty';
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
 * Whether log lines are printed for a person: LOG_FORMAT says so, or (`auto`) stdout is a terminal
 * outside production. Anything read by a machine (a pipe, a file, a container log) gets JSON lines.
 */
export function prettyLogs(format: GatewayConfig['logFormat'], production: boolean, terminal: boolean): boolean {
  if (format !== 'auto') return format === 'pretty';
  return terminal && !production;
}

/**
 * The process logger: JSON lines on stdout (or `destination`, which tests point at memory), or
 * pino-pretty's coloured lines when `prettyLogs` says so; level from LOG_LEVEL. Credentials are
 * censored by key wherever they sit in a logged object, in either format.
 */
export function createLogger(
  config: Pick<GatewayConfig, 'logLevel'> & Partial<Pick<GatewayConfig, 'logFormat' | 'production'>>,
  destination?: DestinationStream,
): Logger {
  const pretty = destination === undefined && prettyLogs(config.logFormat ?? 'json', config.production ?? false, process.stdout.isTTY === true);
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
    // Synchronous and in-process (not a transport worker): start-up lines appear before the first request.
    pretty ? prettyStream() : destination,
  );
}

/** pino-pretty, loaded only when a person reads the lines: JSON logging (production) never needs it. */
function prettyStream(): DestinationStream {
  const build = createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty;
  return build({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', sync: true });
}
