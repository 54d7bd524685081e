import { ConfigError, loadConfig } from './config.js';
import { CustomerDirectory, CustomerDirectoryError } from './directory/index.js';
import { startEmbeddedUpstreams } from './embedded.js';
import { createLogger } from './observability/logger.js';
import { createGateway } from './server.js';
import { createServices } from './services.js';

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
  const services = await createServices(config, embedded.endpoints, { directory, logger });
  const gateway = await createGateway(services);
  const url = await gateway.listen(config.port, config.host);
  const { iqm, intact, refrens, iqmetrix, simulated: simulatedSystems } = embedded.endpoints;
  for (const [system, endpoint] of [['IQM', iqm], ['INTACT', intact], ['REFRENS', refrens], ['IQMETRIX', iqmetrix]] as const) {
    const simulated = simulatedSystems.includes(system);
    logger.info({ system, baseUrl: endpoint.baseUrl, simulated }, simulated ? `${system}: embedded simulator at ${endpoint.baseUrl}` : `${system}: ${endpoint.baseUrl}`);
  }
  logger.info({ url, customers: directory.customers.length }, `Gateway ready at ${url}`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    await gateway.close();
    await services.close();
    await embedded.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

await main();
