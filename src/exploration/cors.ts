import cors from '@fastify/cors';
import type { GatewayHttpApp } from '../http/app.js';
import type { GatewayConfig } from '../config.js';

/**
 * CORS for every route registered after it (so /graphql, /graphiql and the file routes).
 * Only origins in CORS_ORIGINS get an Access-Control-Allow-Origin header; `*` in the list allows any.
 * Credentials are not allowed: callers authenticate with headers (Authorization, X-IAA-OW-ID), which
 * a cross-origin fetch may send once the preflight allows them, never with cookies. The headers a
 * preflight asks for are allowed as asked (the origin is what is checked), so headers a user adds in
 * Studio's Explorer work.
 */
export async function registerCors(app: GatewayHttpApp, config: GatewayConfig): Promise<void> {
  const origins = config.corsOrigins;
  await app.register(cors, {
    origin: origins.includes('*') ? '*' : [...origins],
    methods: ['GET', 'POST'],
    credentials: false,
    // Browsers may cache a preflight answer this long (seconds); Chromium caps it at 7200.
    maxAge: 600,
    strictPreflight: true,
  });
}
