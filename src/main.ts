import { ConfigError, loadConfig } from './config.js';
import { CustomerDirectory, CustomerDirectoryError } from './directory/index.js';
import { startEmbeddedUpstreams } from './embedded.js';
import { explorationLines, type StartupLine } from './exploration/startupLines.js';
import { createLogger } from './observability/logger.js';
import { createGateway, type Gateway } from './server.js';
import { createServices, type RunningServices } from './services.js';
import { logAuthentication } from './auth/startupLog.js';
import { TrustedDocumentsError } from './trustedDocuments/index.js';

/** Reads configuration, starts simulators where no upstream URL is set, and serves the gateway. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config);
  const embedded = await startEmbeddedUpstreams(config);
  if (config.production && embedded.endpoints.simulated.length > 0) {
    // Only reachable with UPSTREAM_SIMULATORS=true (config.ts refuses a missing URL otherwise).
    logger.error(
      { simulated: embedded.endpoints.simulated },
      `UPSTREAM_SIMULATORS=true: ${embedded.endpoints.simulated.join(', ')} served by embedded simulators with INVENTED data in production`,
    );
  }
  let directory: CustomerDirectory;
  try {
    directory = config.customerDirectoryFile
      ? CustomerDirectory.fromFile(config.customerDirectoryFile, { iqmetrixCurrencyCode: config.iqmetrix.currencyCode })
      : (embedded.directory ?? CustomerDirectory.empty());
  } catch (error) {
    if (error instanceof CustomerDirectoryError) {
      process.stderr.write(`${error.message}\n`);
      await embedded.stop();
      process.exit(1);
    }
    throw error;
  }
  let services: RunningServices;
  try {
    services = await createServices(config, embedded.endpoints, { directory, logger, demoTenants: embedded.demoTenants });
  } catch (error) {
    // Tenants or directory entries that do not fit, a store the configuration names but the
    // gateway cannot reach (REDIS_URL): say so in one message and stop.
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    await embedded.stop();
    process.exit(1);
  }
  let gateway: Gateway;
  try {
    gateway = await createGateway(services);
  } catch (error) {
    if (!(error instanceof TrustedDocumentsError)) throw error;
    process.stderr.write(`${error.message}\n`);
    await services.close();
    await embedded.stop();
    process.exit(1);
  }
  const url = await gateway.listen(config.port, config.host);
  const { iqm, intact, refrens, iqmetrix, simulated: simulatedSystems } = embedded.endpoints;
  for (const [system, endpoint] of [['IQM', iqm], ['INTACT', intact], ['REFRENS', refrens], ['IQMETRIX', iqmetrix]] as const) {
    const simulated = simulatedSystems.includes(system);
    logger.info({ system, baseUrl: endpoint.baseUrl, simulated }, simulated ? `${system}: embedded simulator at ${endpoint.baseUrl}` : `${system}: ${endpoint.baseUrl}`);
  }
  logger.info({ url, customers: directory.customers.length, tenants: services.tenants.tenants.map((tenant) => tenant.id) }, `Gateway ready at ${url}`);
  const { mode, files } = config.trustedDocuments;
  if (mode === 'enforce' || files.length > 0) {
    logger.info({ trustedDocuments: { mode, files } }, `Trusted documents: ${mode === 'enforce' ? 'only these operations run' : 'ids resolve, other operations run too'} (${files.length} manifest file(s))`);
  }
  if (gateway.adminOrigin) logger.info({ adminUrl: gateway.adminOrigin }, `Admin (/metrics, readiness details) at ${gateway.adminOrigin}`);
  const startupLines: StartupLine[] = [...explorationLines(config, url)];
  for (const line of startupLines) logger.info(line.fields, line.message);
  await logAuthentication(services, logger);
  if (config.idempotency.redisUrl === null) {
    const message =
      'IDEMPOTENCY KEYS ARE VOLATILE: kept in this process only, lost on restart and not shared with other replicas; a retry after a restart, or on another replica, can move money twice. Run exactly one replica, or set REDIS_URL.';
    if (config.production) logger.error({ idempotencyStore: 'memory', maxKeys: config.idempotency.memoryMaxKeys }, message);
    else logger.warn({ idempotencyStore: 'memory', maxKeys: config.idempotency.memoryMaxKeys }, message);
  }

  const graceMs = config.shutdownGraceMs;
  process.on('SIGTERM', () => void shutDown('SIGTERM'));
  process.on('SIGINT', () => void shutDown('SIGINT'));

  let shuttingDown = false;
  /**
   * Graceful shutdown: /readyz turns 503 and the listener closes at once (new connections are
   * refused); operations in flight finish within SHUTDOWN_GRACE_MS, their responses closing their
   * connections; then Apollo, the upstream pools, stores and exporters close and the process exits 0.
   * The grace period running out, or a second signal, exits 1 at once.
   */
  async function shutDown(signal: NodeJS.Signals): Promise<void> {
    const { observability } = services;
    if (shuttingDown) {
      logger.warn({ signal, operationsInFlight: observability.operationsInFlight }, 'second signal: exiting without waiting');
      process.exit(1);
    }
    shuttingDown = true;
    setTimeout(() => {
      logger.error({ graceMs, operationsInFlight: observability.operationsInFlight }, 'grace period over: exiting with operations in flight');
      process.exit(1);
    }, graceMs);
    observability.markDraining();
    try {
      // Closing the listener ourselves gives a definite moment after which connections are refused;
      // the callback runs once every open connection has answered and closed.
      const connectionsClosed = new Promise<void>((resolve) => gateway.app.server.close(() => resolve()));
      logger.info({ signal, graceMs, operationsInFlight: observability.operationsInFlight }, 'shutting down: not accepting connections; finishing in-flight operations');
      await connectionsClosed;
      // Apollo's own stop hooks (usage reporting flush); its drain plugin closes Fastify.
      await gateway.apollo.stop();
      await gateway.close();
      await services.close();
      await embedded.stop();
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
    logger.info({ signal }, 'stopped');
    process.exit(0);
  }
}

await main();
