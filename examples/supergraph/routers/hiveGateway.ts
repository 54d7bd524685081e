import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGatewayRuntime, type GatewayConfigSupergraph } from '@graphql-hive/gateway-runtime';
import type { RunningRouter } from './apolloGateway.js';

/**
 * Hive Gateway's runtime (`@graphql-hive/gateway-runtime`, what the `hive-gateway` CLI runs) with a
 * configuration such as examples/supergraph/gateway.config.ts's, served by node:http.
 */
export async function startHiveGateway(config: GatewayConfigSupergraph, options: { port?: number; host?: string } = {}): Promise<RunningRouter> {
  const runtime = createGatewayRuntime(config);
  const server = createServer(runtime);
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}${runtime.graphqlEndpoint}`,
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await runtime.dispose();
    },
  };
}
