import { pino, type Logger } from 'pino';
import type { GatewayConfig } from '../config.js';

export function createLogger(config: Pick<GatewayConfig, 'logLevel'>): Logger {
  return pino({
    level: config.logLevel,
    // Credentials never reach a log line, whichever header or field carries them.
    redact: {
      paths: ['req.headers.authorization', 'req.headers["x-iaa-ow-id"]', 'req.headers.cookie', '*.token', '*.authorization'],
      censor: '[redacted]',
    },
  });
}
